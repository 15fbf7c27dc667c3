"""A4 clinical pages: discharge summaries/records, admission record, diagnosis certificate, pathology, imaging,
lab report, medical-record front page, death certificate.

Each is a hospital title, a patient line or grid, and sections; printed by the hospital system (laser), so values
sit where they belong, but scans and photos of them still carry seals, signatures and handwritten notes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from claims_datasets.canvas import INK, Canvas, Printer, RenderedPage
from claims_datasets.content import ClaimContent
from claims_datasets.fonts import sc_font
from claims_datasets.layouts.common import date_cn, date_text
from claims_datasets.money import format_figure, to_amount
from claims_datasets.schema import DocType

__all__ = ["CLINICAL_LAYOUTS", "clinical_born_digital", "render_clinical"]

W, H = 1240, 1754
LASER = Printer(offset=(0, 0), color=INK, strength=0.97, dot_matrix=False, face="song")


def _canvas(rng: random.Random) -> Canvas:
    return Canvas(
        W,
        H,
        rng,
        paper=(252, 252, 250),
        printer=Printer(
            offset=(0, 0), color=(25, 25, 30), strength=rng.uniform(0.88, 1.0), face=rng.choice(("song", "hei"))
        ),
    )


def _header(
    c: Canvas, content: ClaimContent, title: str, *, hospital_name: str | None = None, rule: bool = True
) -> float:
    hospital = hospital_name or content.stay.hospital.name
    c.value(
        (W / 2, 70),
        hospital,
        46,
        field_name="hospital_name",
        anchor="ma",
        printer=Printer(face="song_bold", strength=1.0),
    )
    c.centered(140, title, 40, face="hei_bold")
    if rule:
        c.rule(80, 205, W - 80, 205, INK, 3)
    return 225


def _patient_line(
    c: Canvas, content: ClaimContent, y: float, *, name: str | None = None, admission: bool = True
) -> float:
    p, s = content.person, content.stay
    fs = 26
    x = 90
    items = [
        ("姓名：", name or p.name, "patient_name"),
        ("性别：", p.gender, "patient_gender"),
        ("年龄：", f"{p.age_on(s.admission_date)}岁", "patient_age"),
        ("科别：", s.department, "department"),
        ("住院号：", s.record_number, None),
    ]
    for label, value, fname in items:
        val = value[:-1] if fname == "patient_age" else value
        box = c.value((x, y), value, fs, prefix=label, field_name=fname, value=val)
        x = box[2] + 40
    y += 50
    if admission:
        c.value(
            (90, y),
            date_cn(s.admission_date),
            fs,
            prefix="入院日期：",
            field_name="admission_date",
            value=s.admission_date.isoformat(),
        )
        c.value(
            (560, y),
            date_cn(s.discharge_date),
            fs,
            prefix="出院日期：",
            field_name="discharge_date",
            value=s.discharge_date.isoformat(),
        )
        c.value((1000, y), f"{s.days}天", fs, prefix="住院")
        y += 50
    return y


def _paragraph(c: Canvas, x: float, y: float, label: str, text: str, *, size: int = 25, width: int = W - 180) -> float:
    """A section: bold label then text wrapped at the page width; every wrapped line is one text line."""
    c.text((x, y), label, size, face="hei_bold")
    lx = x + (len(label) + 0.2) * size
    font = sc_font(size, c.printer.face)
    start = lx
    while text:
        # Wrap at the measured width (digits and Latin are narrower than CJK characters).
        n = 1
        while n < len(text) and c.draw.textlength(text[: n + 1], font=font) <= x + width - start:
            n += 1
        c.value((start, y), text[:n], size)
        text = text[n:]
        y += size * 1.75
        start = x
    return y + 8


def _diagnosis_lines(c: Canvas, content: ClaimContent, x: float, y: float, label: str, size: int = 25) -> float:
    c.text((x, y), label, size, face="hei_bold")
    for i, d in enumerate(content.diagnoses, start=1):
        text = d.written + (f" {d.tnm}" if d.tnm and i == 1 else "")
        box = c.value((x + (len(label) + 0.5) * size, y), text, size, prefix=f"{i}. ")
        c.page.diagnoses.append(
            {
                "value": d.written,
                "text": text,
                "box": (box[0] + c.draw.textlength(f"{i}. ", font=_font(size)), box[1], box[2], box[3]),
                "icd10": d.row.code,
            }
        )
        y += size * 1.7
    return y + 6


def _font(size: int) -> object:
    return sc_font(size, "song")


def _course(content: ClaimContent, rng: random.Random) -> str:
    d = content.primary
    surgery = d.row.group in ("thyroid_cancer", "prostate_cancer", "cancer", "injury")
    parts = [
        f"患者因“{content.admitting_diagnosis}”入院，入院后完善血常规、肝肾功能、凝血功能、心电图及影像学等相关检查。"
    ]
    if surgery:
        parts.append(
            f"排除手术禁忌后于{date_cn(content.stay.admission_date + dt.timedelta(days=2))}"
            f"在全麻下行{d.row.organ or '病灶'}"
            f"{rng.choice(('切除术', '根治术', '切开复位内固定术' if d.row.group == 'injury' else '根治性切除术'))}，"
            "手术顺利，术后予抗感染、补液、止痛等对症支持治疗。"
        )
        if d.tnm:
            parts.append(f"术后病理示：{d.written}，分期{d.tnm}。")
    else:
        parts.append("予抗感染、改善循环、营养支持及对症治疗，病情逐渐好转。")
    parts.append("现患者一般情况可，切口愈合良好，予办理出院。" if surgery else "现病情稳定，予办理出院。")
    return "".join(parts)


def _orders(rng: random.Random) -> str:
    return rng.choice(
        (
            "1.注意休息，清淡饮食；2.按时服药，定期复查；3.如有不适及时就诊。",
            "1.出院带药：按医嘱服用；2.术后1月门诊复查；3.不适随诊。",
            "1.低盐低脂饮食；2.门诊随访，复查血常规及肝肾功能；3.病情变化随时就诊。",
        )
    )


def _sign(c: Canvas, rng: random.Random, y: float, content: ClaimContent, label: str = "医师签名：") -> None:
    c.text((W - 520, y), label, 25)
    c.scribble((W - 520 + 25 * len(label), y - 5, W - 520 + 25 * len(label) + 160, y + 35))
    c.value((W - 520, y + 50), date_cn(content.stay.discharge_date), 25)


def _seal(
    c: Canvas,
    content: ClaimContent,
    rng: random.Random,
    xy: tuple[float, float],
    purpose: str,
    hospital: str | None = None,
) -> None:
    c.seal(xy, rng.randint(95, 115), hospital or content.stay.hospital.name, purpose)


def _discharge(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    c = _canvas(rng)
    title = ("出院记录", "出院小结", "出院记录（病历摘要）")[variant]
    y = _header(c, content, title, hospital_name=hospital, rule=variant != 1)
    if variant == 1:
        # grid header: patient data in ruled cells
        c.grid(80, y, [80, W - 80], [y, y + 120], INK, 2)
        y = _patient_line(c, content, y + 15, name=name)
        y += 20
    else:
        y = _patient_line(c, content, y + 10, name=name)
    y += 10
    y = _paragraph(
        c,
        90,
        y,
        "入院情况：",
        f"患者{content.person.age_on(content.stay.admission_date)}岁，因发现“"
        f"{content.admitting_diagnosis}”{rng.randint(1, 12)}月余入院。查体：神清，生命体征平稳。",
    )
    y = _paragraph(c, 90, y, "入院诊断：", content.admitting_diagnosis)
    y = _paragraph(c, 90, y, "诊疗经过：", _course(content, rng))
    y = _diagnosis_lines(c, content, 90, y, "出院诊断：")
    y = _paragraph(c, 90, y, "出院情况：", "一般情况良好，饮食睡眠可，二便正常。")
    y = _paragraph(c, 90, y, "出院医嘱：", _orders(rng))
    _sign(c, rng, max(y + 40, H - 300), content)
    if rng.random() < 0.6:
        _seal(c, content, rng, (W - 330, max(y + 60, H - 280)), rng.choice(("医疗专用章", "病案复印专用章")), hospital)
    c.text((W / 2, H - 70), "第 1 页  共 1 页", 20, anchor="ma")
    return c


def _admission(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    c = _canvas(rng)
    y = _header(c, content, "入院记录", hospital_name=hospital)
    s = content.stay
    y = _patient_line(c, content, y + 10, name=name, admission=False)
    c.value(
        (90, y),
        date_cn(s.admission_date),
        26,
        prefix="入院时间：",
        field_name="admission_date",
        value=s.admission_date.isoformat(),
    )
    y += 60
    y = _paragraph(c, 90, y, "主诉：", f"发现{content.admitting_diagnosis}{rng.randint(1, 12)}月余。")
    y = _paragraph(
        c,
        90,
        y,
        "现病史：",
        f"患者{rng.randint(1, 12)}月前体检发现{content.admitting_diagnosis}，无发热，"
        "无胸闷气促，门诊拟诊收入我科。起病以来精神、饮食、睡眠可，大小便正常，体重无明显变化。",
    )
    y = _paragraph(
        c,
        90,
        y,
        "既往史：",
        rng.choice(
            (
                "既往体健，否认高血压、糖尿病病史，否认药物过敏史。",
                "有高血压病史5年，规律服药，否认肝炎、结核等传染病史。",
            )
        ),
    )
    y = _paragraph(
        c,
        90,
        y,
        "体格检查：",
        f"T 36.{rng.randint(2, 9)}℃，P {rng.randint(62, 96)}次/分，"
        f"R {rng.randint(16, 20)}次/分，BP {rng.randint(105, 145)}/{rng.randint(65, 92)}mmHg。",
    )
    y = _diagnosis_lines(c, content, 90, y, "初步诊断：")
    _sign(c, rng, max(y + 40, H - 260), content)
    return c


def _certificate(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    c = _canvas(rng)
    c.crop_height(1100)
    y = _header(c, content, "诊 断 证 明 书", hospital_name=hospital)
    y = _patient_line(c, content, y + 20, name=name, admission=False)
    y += 10
    y = _diagnosis_lines(c, content, 90, y + 10, "诊断：", 28)
    y = _paragraph(
        c,
        90,
        y + 10,
        "建议：",
        rng.choice(("全休两周，门诊随诊。", "术后休息一月，定期复查。", "继续治疗，休息一个月。")),
        size=28,
    )
    issue = content.stay.discharge_date
    c.text((W - 560, y + 60), "医师：", 28)
    c.scribble((W - 470, y + 50, W - 300, y + 95))
    c.value((W - 560, y + 130), date_cn(issue), 28, prefix="日期：", field_name="issue_date", value=issue.isoformat())
    _seal(c, content, rng, (W - 400, y + 120), rng.choice(("诊断证明专用章", "医疗专用章")), hospital)
    c.text((90, 1040), "注：本证明仅供参考，涂改无效，需加盖医院公章。", 20)
    return c


def _pathology(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    c = _canvas(rng)
    y = _header(c, content, "病理诊断报告单", hospital_name=hospital)
    c.text((W - 420, 165), f"病理号：P{rng.randint(2019, 2025)}-{rng.randint(1000, 99999)}", 24)
    y = _patient_line(c, content, y + 10, name=name, admission=False)
    d = content.primary
    organ = d.row.organ or "病灶"
    y = _paragraph(c, 90, y + 10, "送检材料：", f"（{rng.choice(('左', '右', ''))}{organ}）手术切除标本")
    y = _paragraph(
        c,
        90,
        y,
        "肉眼所见：",
        f"灰白灰红组织一块，大小{rng.randint(1, 6)}.{rng.randint(0, 9)}×"
        f"{rng.randint(1, 4)}.{rng.randint(0, 9)}×{rng.randint(1, 3)}.{rng.randint(0, 9)}cm，切面灰白，质硬。",
    )
    y = _paragraph(
        c,
        90,
        y,
        "镜下所见：",
        "肿瘤细胞排列呈乳头状或腺管状，核大深染，可见核沟及核内包涵体。"
        if d.row.group == "thyroid_cancer"
        else "肿瘤细胞呈巢片状浸润性生长，核异型明显，可见病理性核分裂象。",
    )
    c.text((90, y), "病理诊断：", 28, face="hei_bold")
    box = c.value((90 + 5.3 * 28, y), d.written, 28, field_name="pathology_diagnosis")
    c.page.diagnoses.append({"value": d.written, "text": d.written, "box": box, "icd10": d.row.code})
    y += 52
    if d.tnm:
        c.value((90 + 5.3 * 28, y), d.tnm, 28, prefix="pTNM分期：", field_name="tnm_stage")
        y += 52
    if d.row.morphology:
        c.value(
            (90 + 5.3 * 28, y),
            f"M{d.row.morphology}",
            26,
            prefix="ICD-O：",
            field_name="icd_o",
            extra=True,
            value=d.row.morphology,
        )
        y += 50
    y = _paragraph(
        c,
        90,
        y + 10,
        "免疫组化：",
        rng.choice(
            (
                "CK19(+)，Galectin-3(+)，HBME-1(+)，Ki-67(约3%+)。",
                "CK(+)，P53(野生型)，Ki-67(约30%+)，PSA(+)。",
                "CK7(+)，TTF-1(+)，NapsinA(+)，Ki-67(约20%+)。",
            )
        ),
    )
    report = content.stay.admission_date + dt.timedelta(days=rng.randint(3, 6))
    c.value((90, H - 230), date_cn(report), 25, prefix="报告日期：", field_name="issue_date", value=report.isoformat())
    _sign(c, rng, H - 300, content, "诊断医师：")
    return c


def _imaging(content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None) -> Canvas:
    c = _canvas(rng)
    kind = rng.choice(("CT检查报告单", "超声检查报告单", "MRI检查报告单"))
    y = _header(c, content, kind, hospital_name=hospital)
    y = _patient_line(c, content, y + 10, name=name, admission=False)
    exam = content.stay.admission_date + dt.timedelta(days=rng.randint(0, 2))
    c.value((90, y), exam.isoformat(), 26, prefix="检查日期：", field_name="issue_date", value=exam.isoformat())
    c.value((620, y), f"{content.primary.row.organ or '腹部'}", 26, prefix="检查部位：")
    y += 60
    y = _paragraph(
        c,
        90,
        y,
        "检查所见：",
        f"{content.primary.row.organ or '腹部'}区可见一大小约{rng.randint(6, 40)}mm×"
        f"{rng.randint(5, 30)}mm异常信号/回声影，边界欠清，形态不规则，内部回声不均，周围组织受压。"
        "余未见明显异常。",
    )
    y = _paragraph(c, 90, y, "诊断意见：", f"{content.admitting_diagnosis}，建议结合临床及病理检查。")
    _sign(c, rng, max(y + 60, H - 300), content, "报告医师：")
    return c


_LAB_TESTS = (
    ("白细胞计数", "WBC", 3.5, 9.5, "10^9/L"),
    ("红细胞计数", "RBC", 4.3, 5.8, "10^12/L"),
    ("血红蛋白", "HGB", 130, 175, "g/L"),
    ("血小板计数", "PLT", 125, 350, "10^9/L"),
    ("中性粒细胞百分比", "NEUT%", 40, 75, "%"),
    ("淋巴细胞百分比", "LYMPH%", 20, 50, "%"),
    ("丙氨酸氨基转移酶", "ALT", 9, 50, "U/L"),
    ("天门冬氨酸氨基转移酶", "AST", 15, 40, "U/L"),
    ("总胆红素", "TBIL", 0, 26, "μmol/L"),
    ("肌酐", "CREA", 57, 111, "μmol/L"),
    ("尿素", "UREA", 3.1, 8.0, "mmol/L"),
    ("葡萄糖", "GLU", 3.9, 6.1, "mmol/L"),
    ("癌胚抗原", "CEA", 0, 5, "ng/mL"),
    ("甲胎蛋白", "AFP", 0, 7, "ng/mL"),
)


def _lab(content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None) -> Canvas:
    c = _canvas(rng)
    y = _header(c, content, rng.choice(("检验报告单", "临床检验报告单")), hospital_name=hospital)
    y = _patient_line(c, content, y + 10, name=name, admission=False)
    sample = content.stay.admission_date + dt.timedelta(days=1)
    c.value((90, y), date_text(rng, sample), 24, prefix="采样时间：", field_name="issue_date", value=sample.isoformat())
    c.value((620, y), rng.choice(("静脉血", "血清")), 24, prefix="标本类型：")
    y += 50
    cols = [90, 150, 520, 680, 820, 1000]
    c.rule(80, y, W - 80, y, INK, 2)
    for x, head in zip(cols, ("序号", "检验项目", "结果", "提示", "单位", "参考范围"), strict=True):
        c.text((x, y + 10), head, 24, face="hei_bold")
    y += 50
    c.rule(80, y, W - 80, y, INK, 1)
    for i, (name_cn, code, low, high, unit) in enumerate(rng.sample(_LAB_TESTS, rng.randint(9, 14)), start=1):
        value = rng.uniform(low * 0.7, high * 1.3) if high > 0 else rng.uniform(0, 10)
        flag = "↑" if value > high else ("↓" if value < low else "")
        c.value((cols[0], y + 6), str(i), 23)
        c.value((cols[1], y + 6), f"{name_cn}({code})", 23)
        c.value((cols[2], y + 6), f"{value:.2f}", 23)
        if flag:
            c.value((cols[3], y + 6), flag, 23)
        c.value((cols[4], y + 6), unit, 23)
        c.value((cols[5], y + 6), f"{low}-{high}", 23)
        y += 44
    c.rule(80, y + 4, W - 80, y + 4, INK, 2)
    _sign(c, rng, y + 60, content, "检验者：")
    return c


def _front_page(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    c = _canvas(rng)
    y = _header(c, content, "住院病案首页", hospital_name=hospital)
    p, s = content.person, content.stay
    c.text(
        (90, y),
        f"医疗付费方式：{'1' if s.settlement.insurance_type != '自费' else '7'}   第 1 次住院   "
        f"病案号：{s.record_number}",
        22,
    )
    y += 45
    y = _patient_line(c, content, y, name=name)
    c.value((90, y), p.id_number, 22, prefix="身份证号：", field_name="id_number", extra=True)
    c.value((620, y), p.address, 22, prefix="现住址：")
    y += 50
    c.grid(80, y, [80, 640, 900, W - 80], [y + i * 48 for i in range(len(content.diagnoses) + 2)], INK, 1)
    c.text((90, y + 10), "出院诊断", 22, face="hei_bold")
    c.text((650, y + 10), "疾病编码", 22, face="hei_bold")
    c.text((910, y + 10), "入院病情", 22, face="hei_bold")
    for i, d in enumerate(content.diagnoses):
        ry = y + 48 * (i + 1) + 10
        box = c.value((90, ry), d.written, 22, prefix=("主要诊断：" if i == 0 else "其他诊断："))
        pre = c.draw.textlength("主要诊断：", font=_font(22))
        c.page.diagnoses.append(
            {"value": d.written, "text": d.written, "box": (box[0] + pre, box[1], box[2], box[3]), "icd10": d.row.code}
        )
        c.value((650, ry), d.row.code, 22)
        c.value((910, ry), rng.choice(("有", "临床未确定")), 22)
    y += 48 * (len(content.diagnoses) + 1) + 30
    if content.primary.row.morphology:
        c.value((90, y), content.primary.written, 22, prefix="病理诊断：", field_name="pathology_diagnosis")
        c.value((700, y), f"M{content.primary.row.morphology}", 22, prefix="病理号/编码：")
        y += 48
    st = s.settlement
    c.value(
        (90, y),
        format_figure(st.total, False),
        24,
        prefix="住院费用（元）：总费用 ",
        field_name="total_amount",
        value=to_amount(st.total),
    )
    c.value((700, y), format_figure(st.self_expense, False), 24, prefix="自付金额：")
    y += 50
    cats = s.category_totals()
    for i, (cat, cents_value) in enumerate(cats):
        cx = 90 + (i % 3) * 360
        cy = y + (i // 3) * 42
        c.value((cx, cy), format_figure(cents_value, False), 21, prefix=f"{cat}：")
    y += 42 * (-(-len(cats) // 3)) + 30
    for label in ("科主任", "主任医师", "主治医师", "住院医师", "责任护士"):
        c.text(
            (90 + 220 * ("科主任", "主任医师", "主治医师", "住院医师", "责任护士").index(label), y), f"{label}：", 21
        )
    return c


def _death(content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None) -> Canvas:
    c = _canvas(rng)
    c.centered(70, "居民死亡医学证明（推断）书", 44, face="song_bold")
    c.text((W - 420, 140), f"编号：{rng.randint(10**9, 10**10 - 1)}", 22)
    p, s = content.person, content.stay
    death = s.discharge_date
    c.grid(80, 190, [80, W - 80], [190 + i * 70 for i in range(9)], INK, 2)
    rows = [
        ("死者姓名：", p.name, "patient_name"),
        ("性别：", p.gender, "patient_gender"),
        ("年龄：", f"{p.age_on(death)}岁", "patient_age"),
        ("身份证号：", p.id_number, "id_number"),
        ("死亡日期：", date_cn(death), "issue_date"),
        ("死亡地点：", "医疗卫生机构", None),
        ("直接死亡原因：", content.primary.written, None),
        ("医疗机构名称：", hospital or s.hospital.name, "hospital_name"),
    ]
    for i, (label, value, fname) in enumerate(rows):
        ry = 190 + 70 * i + 20
        c.text((100, ry), label, 26)
        v = {"patient_age": value[:-1], "issue_date": death.isoformat()}.get(fname or "", value)
        box = c.value(
            (100 + 26 * len(label) + 10, ry), value, 26, field_name=fname, value=v, extra=fname == "id_number"
        )
        if label.startswith("直接"):
            c.page.diagnoses.append({"value": value, "text": value, "box": box, "icd10": content.primary.row.code})
    c.text((100, 190 + 70 * 8 + 30), "医师签名：", 26)
    c.scribble((260, 190 + 70 * 8 + 20, 440, 190 + 70 * 8 + 70))
    _seal(c, content, rng, (W - 330, 190 + 70 * 8 + 40), "医疗专用章", hospital)
    c.crop_height(1000)
    return c


Builder = Callable[[ClaimContent, random.Random, int, "str | None", "str | None"], Canvas]
# doc type → layouts (name, builder, variant)
CLINICAL_LAYOUTS: dict[str, list[tuple[str, Builder, int]]] = {
    DocType.DISCHARGE_SUMMARY.value: [
        ("discharge_record", _discharge, 0),
        ("discharge_summary_grid", _discharge, 1),
        ("discharge_abstract", _discharge, 2),
    ],
    DocType.ADMISSION_RECORD.value: [("admission_record", _admission, 0)],
    DocType.DIAGNOSIS_CERTIFICATE.value: [("diagnosis_certificate", _certificate, 0)],
    DocType.PATHOLOGY_REPORT.value: [("pathology_report", _pathology, 0)],
    DocType.IMAGING_REPORT.value: [("imaging_report", _imaging, 0)],
    DocType.LAB_REPORT.value: [("lab_report", _lab, 0)],
    DocType.MEDICAL_RECORD_FRONT_PAGE.value: [("front_page", _front_page, 0)],
    DocType.DEATH_CERTIFICATE.value: [("death_certificate", _death, 0)],
}


def clinical_born_digital(doc_type: str) -> bool:
    """Hospital apps hand out typed reports as PDFs; death certificates are paper forms."""
    return doc_type != DocType.DEATH_CERTIFICATE.value


def render_clinical(
    content: ClaimContent,
    rng: random.Random,
    doc_type: str,
    layout: str,
    *,
    hospital_name: str | None = None,
    patient_name: str | None = None,
    layouts: dict[str, list[tuple[str, Builder, int]]] | None = None,
) -> RenderedPage:
    """Draw ``layout`` (looked up in ``layouts``, default the ones above) and add the usual hand marks."""
    for name, builder, variant in (layouts or CLINICAL_LAYOUTS)[doc_type]:
        if name == layout:
            canvas = builder(content, rng, variant, hospital_name, patient_name)
            if rng.random() < 0.25:
                canvas.handwriting(
                    (rng.randint(80, 500), canvas.height - rng.randint(60, 140)),
                    rng.choice(("复印件与原件一致", "已阅", "理赔用", "同意复印")),
                    30,
                )
            if rng.random() < 0.1 and "id_number" in canvas.page.extra_fields:
                canvas.mask(canvas.page.extra_fields["id_number"]["box"])
            return canvas.finish(doc_type, layout, born_digital=clinical_born_digital(doc_type))
    raise KeyError(f"no layout {layout!r} for {doc_type}")
