"""Consistent claim content: one member, one hospital stay, its diagnoses, charges and insurance settlement.

Every document of a claim is rendered from one ``ClaimContent``, so names, dates and amounts agree across pages
unless a fraud pattern changes them on purpose. Charges are built bottom-up (bill rows → category totals →
invoice total → settlement), so every sum holds exactly in cents.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from faker import Faker

__all__ = [
    "BillItem",
    "ClaimContent",
    "Diagnosis",
    "DiagnosisRow",
    "Hospital",
    "Person",
    "Settlement",
    "Stay",
    "bank_card_number",
    "diagnosis_table",
    "id_number",
    "make_claim_content",
    "severity_tier",
    "with_total_scaled",
]

# Province → (invoice-code prefix, cities). Prefixes are the administrative-division codes printed on real
# 票据代码; hospital names below are built from these places and are fictitious as institutions.
PROVINCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "贵州": ("52", ("贵阳", "遵义", "六盘水", "安顺")),
    "四川": ("51", ("成都", "绵阳", "南充", "宜宾")),
    "湖南": ("43", ("长沙", "株洲", "衡阳", "岳阳")),
    "湖北": ("42", ("武汉", "宜昌", "襄阳", "荆州")),
    "浙江": ("33", ("杭州", "宁波", "温州", "绍兴")),
    "江苏": ("32", ("南京", "苏州", "无锡", "徐州")),
    "广东": ("44", ("广州", "深圳", "佛山", "东莞")),
    "山东": ("37", ("济南", "青岛", "烟台", "潍坊")),
    "河南": ("41", ("郑州", "洛阳", "南阳", "新乡")),
    "河北": ("13", ("石家庄", "保定", "唐山", "邯郸")),
    "安徽": ("34", ("合肥", "芜湖", "蚌埠", "安庆")),
    "福建": ("35", ("福州", "厦门", "泉州", "漳州")),
    "江西": ("36", ("南昌", "赣州", "九江", "上饶")),
    "云南": ("53", ("昆明", "曲靖", "大理", "玉溪")),
    "陕西": ("61", ("西安", "宝鸡", "咸阳", "汉中")),
    "广西": ("45", ("南宁", "柳州", "桂林", "玉林")),
}
_HOSPITAL_PATTERNS = (
    ("{city}市第{n}人民医院", "三级甲等"),
    ("{city}市中心医院", "三级甲等"),
    ("{city}市中医院", "三级乙等"),
    ("{province}省人民医院", "三级甲等"),
    ("{province}医科大学附属第{n}医院", "三级甲等"),
    ("{province}省肿瘤医院", "三级甲等"),
    ("{city}市{district}区人民医院", "二级甲等"),
    ("{city}市第{n}医院", "三级乙等"),
)
_DISTRICTS = ("城关", "高新", "东城", "南明", "新城", "开发", "江北", "西湖")
_CN_ORDINALS = "一二三四五六七"
_ID_AREAS = (
    "520102",
    "510104",
    "430102",
    "420106",
    "330106",
    "320102",
    "440106",
    "370102",
    "410105",
    "130102",
    "340102",
    "350102",
    "360102",
    "530102",
    "610102",
    "450102",
)
_BANKS = (
    ("中国工商银行", "622202"),
    ("中国建设银行", "621700"),
    ("中国农业银行", "622848"),
    ("中国银行", "621661"),
    ("招商银行", "622588"),
    ("交通银行", "622262"),
    ("中国邮政储蓄银行", "621799"),
)

# Charge categories as printed on 收费票据, with the bill rows that feed them: (name, spec, unit, price range).
_CATALOGUE: dict[str, tuple[tuple[str, str, str, float, float], ...]] = {
    "床位费": (("普通病房床位费", "三人间", "日", 30, 80), ("双人间床位费", "双人间", "日", 60, 120)),
    "护理费": (("一级护理", "", "日", 20, 45), ("二级护理", "", "日", 12, 30)),
    "诊查费": (("住院诊查费", "", "日", 8, 20),),
    "检查费": (
        ("彩色多普勒超声常规检查", "", "次", 120, 260),
        ("X线计算机体层(CT)平扫", "", "部位", 180, 380),
        ("磁共振平扫", "", "部位", 400, 800),
        ("常规心电图检查", "十二通道", "次", 20, 40),
        ("动态心电图", "", "次", 150, 260),
    ),
    "化验费": (
        ("血细胞分析", "", "项", 15, 30),
        ("肝功能检查", "", "项", 60, 120),
        ("肾功能检查", "", "项", 40, 80),
        ("电解质测定", "", "项", 20, 45),
        ("凝血功能检查", "", "项", 60, 110),
        ("肿瘤标志物测定", "", "项", 80, 200),
        ("甲状腺功能测定", "", "项", 90, 180),
    ),
    "治疗费": (
        ("静脉输液", "第一组", "组", 8, 15),
        ("换药", "中", "次", 20, 45),
        ("雾化吸入", "", "次", 10, 25),
        ("肌肉注射", "", "次", 3, 8),
    ),
    "手术费": (("手术治疗", "", "次", 1500, 9000),),
    "麻醉费": (("全身麻醉", "", "小时", 300, 700),),
    "西药费": (
        ("注射用头孢曲松钠", "1g", "支", 8, 40),
        ("0.9%氯化钠注射液", "250ml", "袋", 3, 8),
        ("注射用泮托拉唑钠", "40mg", "支", 20, 60),
        ("奥美拉唑肠溶胶囊", "20mg*14粒", "盒", 15, 40),
        ("盐酸左氧氟沙星注射液", "0.5g", "瓶", 15, 45),
        ("注射用紫杉醇", "30mg", "支", 300, 900),
        ("左甲状腺素钠片", "50μg*100片", "盒", 25, 40),
        ("低分子肝素钙注射液", "0.4ml", "支", 25, 60),
    ),
    "中成药费": (("血塞通注射液", "5ml", "支", 10, 25), ("复方丹参滴丸", "27mg*180丸", "盒", 25, 45)),
    "卫生材料费": (
        ("一次性使用输液器", "带针", "套", 3, 8),
        ("静脉留置针", "22G", "支", 15, 35),
        ("一次性使用吻合器", "", "把", 2000, 6000),
        ("医用引流管", "", "根", 40, 120),
        ("医用胶贴", "", "片", 2, 6),
    ),
}
_OUTPATIENT_CATEGORIES = ("诊查费", "检查费", "化验费", "治疗费", "西药费", "中成药费")
_SURGICAL_GROUPS = {"thyroid_cancer", "prostate_cancer", "cancer", "injury"}


@dataclass(frozen=True)
class DiagnosisRow:
    code: str
    name: str
    written: str
    group: str
    weight: float
    cost_min: int
    cost_max: int
    department: str
    morphology: str
    stay_min: int
    stay_max: int
    organ: str


@cache
def diagnosis_table() -> tuple[DiagnosisRow, ...]:
    """Curated rows of the 医保版 2.0 ICD-10 table (codes and names verbatim) with cost and stay ranges."""
    text = resources.files("claims_datasets").joinpath("data/diagnoses.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        rows.append(
            DiagnosisRow(
                code=r["code"],
                name=r["name"],
                written=r["written"],
                group=r["group"],
                weight=float(r["weight"]),
                cost_min=int(r["cost_min"]),
                cost_max=int(r["cost_max"]),
                department=r["department"],
                morphology=r["morphology"],
                stay_min=int(r["stay_min"]),
                stay_max=int(r["stay_max"]),
                organ=r["organ"],
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # 男 / 女
    birth_date: dt.date
    id_number: str
    address: str
    phone: str
    ethnicity: str = "汉"

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass(frozen=True)
class Hospital:
    name: str
    level: str
    province: str
    city: str  # empty for provincial hospitals named after the province
    code_prefix: str


@dataclass(frozen=True)
class Diagnosis:
    row: DiagnosisRow
    tnm: str | None  # pathological stage as written, e.g. pT1bN0M0
    stage: str | None  # roman stage group, e.g. I, IVA
    severity: str  # severe | mild | not_covered

    @property
    def written(self) -> str:
        return self.row.written


@dataclass(frozen=True)
class BillItem:
    category: str
    name: str
    spec: str
    unit: str
    quantity: int
    price_cents: int
    insurance_class: str  # 甲 / 乙 / 丙 (丙 is paid fully by the patient: 个人自费)

    @property
    def amount_cents(self) -> int:
        return self.price_cents * self.quantity


@dataclass(frozen=True)
class Settlement:
    total: int
    fund_paid: int  # 医保统筹基金支付
    account_paid: int  # 个人账户支付
    cash_paid: int  # 个人现金支付
    self_pay_category: int  # 个人自付
    self_expense: int  # 个人自费
    insurance_type: str  # 城镇职工 / 城乡居民 / 自费


@dataclass(frozen=True)
class Stay:
    hospital: Hospital
    department: str
    inpatient: bool
    admission_date: dt.date
    discharge_date: dt.date
    issue_date: dt.date
    record_number: str  # 住院号 / 门诊号
    invoice_code: str
    invoice_number: str
    check_code: str
    bed: str
    items: tuple[BillItem, ...]
    settlement: Settlement
    doctor: str
    cashier: str

    @property
    def days(self) -> int:
        return max(1, (self.discharge_date - self.admission_date).days)

    def category_totals(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = {}
        for item in self.items:
            totals[item.category] = totals.get(item.category, 0) + item.amount_cents
        return list(totals.items())


@dataclass(frozen=True)
class ClaimContent:
    person: Person
    stay: Stay
    diagnoses: tuple[Diagnosis, ...]  # primary first
    admitting_diagnosis: str
    bank_name: str
    bank_card: str
    seed: int

    @property
    def primary(self) -> Diagnosis:
        return self.diagnoses[0]


def _id_checksum(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body17, weights, strict=True))
    return "10X98765432"[total % 11]


def id_number(rng: random.Random, birth: dt.date, gender: str) -> str:
    """A fictitious 18-digit resident ID with a valid ISO 7064 mod 11-2 check character."""
    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "男" else (0, 2, 4, 6, 8))
    body = f"{rng.choice(_ID_AREAS)}{birth:%Y%m%d}{seq:03d}"
    return body + _id_checksum(body)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def bank_card_number(rng: random.Random, prefix: str) -> str:
    """A fictitious 19-digit debit card number with a valid Luhn check digit."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(18 - len(prefix)))
    return body + _luhn_digit(body)


def severity_tier(row: DiagnosisRow, t: str, n: str, m: str, age: int) -> tuple[str, str | None]:
    """(tier, stage group) under the 2020 critical-illness definitions' thyroid and prostate staging rules."""
    if row.group == "thyroid_cancer":
        if age < 55:
            stage = "II" if m == "M1" else "I"
        elif m == "M1":
            stage = "IVB"
        elif n == "N0" and t[:2] in ("T1", "T2"):
            stage = "I"
        elif t[:2] == "T4":
            stage = "IVA" if t == "T4b" else "III"
        else:
            stage = "II"
        return ("mild" if stage == "I" else "severe"), stage
    if row.group == "prostate_cancer":
        if m == "M1":
            stage = "IVB"
        elif n != "N0":
            stage = "IVA"
        elif t.startswith("T1"):
            stage = "I"
        elif t.startswith("T2"):
            stage = "II"
        else:
            stage = "III"
        mild = t.startswith("T1") and n == "N0" and m == "M0"
        return ("mild" if mild else "severe"), stage
    if row.group == "cancer":
        stage = {"T1": "I", "T2": "II", "T3": "III", "T4": "III"}[t[:2]]
        if n != "N0":
            stage = "III"
        if m == "M1":
            stage = "IV"
        return "severe", stage
    if row.group == "severe":
        return "severe", None
    return "not_covered", None


def _make_diagnosis(rng: random.Random, row: DiagnosisRow, age: int) -> Diagnosis:
    if row.group not in ("thyroid_cancer", "prostate_cancer", "cancer") or row.organ in ("骨髓", "淋巴结"):
        return Diagnosis(row, None, None, severity_tier(row, "T1", "N0", "M0", age)[0])
    if row.group == "thyroid_cancer":
        t = rng.choices(("T1a", "T1b", "T2", "T3a", "T3b", "T4a", "T4b"), (30, 25, 15, 12, 8, 7, 3))[0]
        n = rng.choices(("N0", "N1a", "N1b"), (60, 25, 15))[0]
    elif row.group == "prostate_cancer":
        t = rng.choices(
            ("T1a", "T1b", "T1c", "T2a", "T2b", "T2c", "T3a", "T3b", "T4"), (6, 6, 25, 15, 12, 12, 12, 8, 4)
        )[0]
        n = rng.choices(("N0", "N1"), (85, 15))[0]
    else:
        t = rng.choice(("T1", "T2", "T3", "T4"))
        n = rng.choices(("N0", "N1", "N2"), (55, 30, 15))[0]
    m = rng.choices(("M0", "M1"), (93, 7))[0]
    tier, stage = severity_tier(row, t, n, m, age)
    return Diagnosis(row, f"p{t}{n}{m}", stage, tier)


def _make_items(rng: random.Random, row: DiagnosisRow, days: int, inpatient: bool, target: int) -> tuple[BillItem, ...]:
    """Bill rows whose amounts roughly reach ``target`` cents; the exact total is their sum."""
    if inpatient:
        categories = ["床位费", "护理费", "诊查费", "检查费", "化验费", "治疗费", "西药费", "卫生材料费"]
        if row.group in _SURGICAL_GROUPS:
            categories[5:5] = ["手术费", "麻醉费"]
        if rng.random() < 0.5:
            categories.append("中成药费")
    else:
        categories = list(rng.sample(_OUTPATIENT_CATEGORIES, rng.randint(3, 5)))
    items: list[BillItem] = []
    for category in categories:
        options = _CATALOGUE[category]
        if category in ("床位费", "护理费"):
            picks = (rng.choice(options),)
        else:
            picks = options if len(options) <= 2 else rng.sample(options, rng.randint(2, min(5, len(options))))
        for name, spec, unit, low, high in picks:
            if unit == "日":
                qty = days
            elif low >= 300:
                qty = rng.randint(1, 2)
            elif category in ("西药费", "治疗费", "卫生材料费"):
                qty = rng.randint(1, 4 + 2 * days) if inpatient else rng.randint(1, 4)
            else:
                qty = rng.randint(1, 3)
            if name == "手术治疗":
                name = f"{row.organ or '病灶'}切除术" if row.organ else "手术治疗"
            price = round(rng.uniform(low, high), rng.choice((0, 1, 2))) * 100
            klass = rng.choices("甲乙丙", (55, 35, 10))[0]
            items.append(BillItem(category, name, spec, unit, qty, int(price), klass))
    # Scale the quantity-driven rows (drugs, materials, tests) so the total lands near the target.
    scalable = ("西药费", "卫生材料费", "检查费", "化验费")

    def is_scalable(item: BillItem) -> bool:
        return item.category in scalable and item.price_cents < 30000

    fixed = sum(i.amount_cents for i in items if not is_scalable(i))
    variable = sum(i.amount_cents for i in items if is_scalable(i))
    factor = (target - fixed) / max(variable, 1)
    if factor > 1:
        items = [replace(i, quantity=max(1, round(i.quantity * factor))) if is_scalable(i) else i for i in items]
    return tuple(items)


def _settle(rng: random.Random, items: tuple[BillItem, ...], insurance_type: str) -> Settlement:
    total = sum(i.amount_cents for i in items)
    self_expense = sum(i.amount_cents for i in items if i.insurance_class == "丙")
    if insurance_type == "自费":
        return Settlement(total, 0, 0, total, 0, total, insurance_type)
    covered = total - self_expense
    # The fund pays a share of the covered part; what it leaves is 个人自付. So 自付 + 自费 = 账户 + 现金.
    fund = round(covered * rng.uniform(0.55, 0.88))
    self_pay = covered - fund
    personal = total - fund
    account = min(personal, rng.choice((0, 0, rng.randint(0, 3000) * 100)))
    return Settlement(total, fund, account, personal - account, self_pay, self_expense, insurance_type)


@cache
def _faker() -> Faker:
    return Faker("zh_CN")


def _hospital(rng: random.Random, department: str) -> Hospital:
    province = rng.choice(sorted(PROVINCES))
    prefix, cities = PROVINCES[province]
    pattern, level = rng.choice(_HOSPITAL_PATTERNS)
    if "肿瘤" in pattern and department in ("骨科", "妇科", "神经内科", "心内科", "呼吸内科"):
        pattern, level = _HOSPITAL_PATTERNS[0]
    city = rng.choice(cities)
    ordinal = _CN_ORDINALS[rng.randrange(3)]
    name = pattern.format(city=city, province=province, n=ordinal, district=rng.choice(_DISTRICTS))
    return Hospital(name, level, province, city if "{city}" in pattern else "", prefix)


def make_claim_content(
    seed: int,
    *,
    groups: tuple[str, ...] | None = None,
    inpatient: bool = True,
    gender: str | None = None,
) -> ClaimContent:
    """Everything printed on a claim's documents, drawn from ``seed`` (same seed → same content)."""
    rng = random.Random(seed)
    fake = _faker()
    fake.seed_instance(seed)
    rows = [r for r in diagnosis_table() if groups is None or r.group in groups]
    row = rng.choices(rows, [r.weight for r in rows])[0]
    if row.group == "prostate_cancer" or row.code in ("N40.x00",):
        gender = "男"
    elif row.department == "妇科" or row.code.startswith("C50"):
        gender = "女"
    gender = gender or rng.choice("男女")
    given = fake.first_name_male if gender == "男" else fake.first_name_female
    first = given()
    name = fake.last_name() + first + (given()[:1] if len(first) == 1 and rng.random() < 0.4 else "")
    admission = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
    low_age = 45 if row.group == "prostate_cancer" else 18
    age = rng.randint(low_age, 72)
    birth = dt.date(admission.year - age - 1, 1, 1) + dt.timedelta(days=rng.randrange(365))
    person = Person(
        name, gender, birth, id_number(rng, birth, gender), fake.address().split(" ")[0], fake.phone_number()
    )
    days = rng.randint(row.stay_min, row.stay_max) if inpatient else 0
    discharge = admission + dt.timedelta(days=days)
    target = rng.randint(row.cost_min, row.cost_max) * 100 if inpatient else rng.randint(150, 2500) * 100
    items = _make_items(rng, row, max(days, 1), inpatient, target)
    hospital = _hospital(rng, row.department)
    insurance_type = rng.choices(("城镇职工", "城乡居民", "自费"), (55, 35, 10))[0]
    issue = discharge + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
    stay = Stay(
        hospital=hospital,
        department=row.department,
        inpatient=inpatient,
        admission_date=admission,
        discharge_date=discharge,
        issue_date=issue,
        record_number=("ZY" if rng.random() < 0.3 else "") + str(rng.randint(100000, 9999999)),
        invoice_code=f"{hospital.code_prefix}{rng.randint(0, 9999):04d}{issue.year % 100:02d}",
        invoice_number=f"{rng.randint(0, 9999999999):010d}",
        check_code=f"{rng.randint(0, 0xFFFFFF):06x}",
        bed=f"{rng.randint(1, 60)}床",
        items=items,
        settlement=_settle(rng, items, insurance_type),
        doctor=fake.name(),
        cashier=fake.name(),
    )
    primary = _make_diagnosis(rng, row, person.age_on(admission))
    secondaries = [r for r in diagnosis_table() if r.group == "common" and r.department != row.department]
    extra = tuple(Diagnosis(r, None, None, "not_covered") for r in rng.sample(secondaries, rng.randint(0, 2)))
    admitting = {"thyroid_cancer": "甲状腺结节", "prostate_cancer": "前列腺占位"}.get(
        row.group, f"{row.organ}占位性病变" if row.organ else row.written
    )
    bank, prefix = rng.choice(_BANKS)
    return ClaimContent(person, stay, (primary, *extra), admitting, bank, bank_card_number(rng, prefix), seed)


def with_total_scaled(content: ClaimContent, factor: float) -> ClaimContent:
    """The same claim with every bill row's quantity multiplied (amounts far above the diagnosis's usual cost)."""
    rng = random.Random(content.seed + 1)
    items = tuple(
        replace(i, quantity=max(1, round(i.quantity * factor))) if i.unit != "日" else i for i in content.stay.items
    )
    stay = replace(content.stay, items=items, settlement=_settle(rng, items, content.stay.settlement.insurance_type))
    return replace(content, stay=stay)
