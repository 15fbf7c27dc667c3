"""Second layouts of the clinical pages, as other hospitals print them: a letterhead with a logo band, ruled
patient grids, two-column lab sheets, micrographs and ultrasound/CT pictures, handwritten death certificates.

Builders share the signature of ``clinical.py`` and its helpers; every field is printed through ``Canvas.value``
(or recorded handwriting), so ground-truth boxes stay exact.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from claims_datasets.canvas import INK, Canvas, Printer
from claims_datasets.content import ClaimContent
from claims_datasets.layouts.clinical import (
    _LAB_TESTS,
    Builder,
    H,
    W,
    _canvas,
    _diagnosis_lines,
    _paragraph,
    _seal,
    _sign,
)
from claims_datasets.layouts.common import date_cn, date_text, hand_field
from claims_datasets.money import format_figure, to_amount
from claims_datasets.schema import DocType

__all__ = ["FORM_LAYOUTS"]

_BANDS = ((20, 90, 160), (0, 120, 110), (150, 30, 40), (30, 60, 120))
_FINDINGS = ("异常密度影，边缘毛糙，增强后不均匀强化", "低回声结节，边界欠清，形态不规则，内可见点状强回声")
# label, printed text, field name, field value (None: the text)
Cell = tuple[str, str, "str | None", "str | None"]


def _letterhead(c: Canvas, content: ClaimContent, rng: random.Random, title: str, hospital: str | None) -> float:
    """Round logo, hospital name beside it in the house colour, a coloured band, then the title."""
    colour = rng.choice(_BANDS)
    c.draw.ellipse((80, 40, 186, 146), outline=colour, width=8)
    c.draw.rectangle((121, 62, 145, 124), fill=colour)
    c.draw.rectangle((102, 81, 164, 105), fill=colour)
    brand = Printer(face=rng.choice(("song_bold", "hei_bold")), color=colour, strength=1.0)
    c.value((212, 46), hospital or content.stay.hospital.name, 46, field_name="hospital_name", printer=brand)
    c.text((214, 112), f"{content.stay.hospital.level}医院", 22, color=colour)
    c.draw.rectangle((60, 160, W - 60, 168), fill=colour)
    c.centered(188, title, 40, face="hei_bold")
    return 256


def _ruled_rows(c: Canvas, y: float, rows: list[list[Cell]], xs: list[float], row_h: int, size: int = 24) -> float:
    """Label/value pairs in a ruled grid; ``xs`` are the column edges, two columns per pair."""
    c.grid(xs[0], y, xs, [y + i * row_h for i in range(len(rows) + 1)], INK, 2)
    for r, row in enumerate(rows):
        ty = y + r * row_h + (row_h - size) / 2 - 2
        for k, (label, text, fname, value) in enumerate(row):
            c.text((xs[2 * k] + 10, ty), label, size - 2)
            if text:
                c.value((xs[2 * k + 1] + 10, ty), text, size, field_name=fname, value=value)
    return y + len(rows) * row_h


def _age(content: ClaimContent) -> Cell:
    age = content.person.age_on(content.stay.admission_date)
    return ("年龄", f"{age}岁", "patient_age", str(age))


def _admission(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    """入院记录 with letterhead and the classic two-column history block (出生地, 职业, 病史陈述者 …)."""
    c = _canvas(rng)
    y = _letterhead(c, content, rng, "入 院 记 录", hospital)
    p, s = content.person, content.stay
    c.text((W - 460, y), f"住院号：{s.record_number}   床号：{s.bed}", 22)
    y += 40
    arrive = dt.datetime.combine(s.admission_date, dt.time(rng.randint(7, 20), rng.choice((0, 10, 20, 30, 40, 50))))
    left = [
        ("姓名：", name or p.name, "patient_name", None),
        ("性别：", p.gender, "patient_gender", None),
        ("年龄：", f"{p.age_on(s.admission_date)}岁", "patient_age", str(p.age_on(s.admission_date))),
        ("民族：", f"{p.ethnicity}族", None, None),
        ("婚姻：", rng.choice(("已婚", "未婚", "已婚", "丧偶")), None, None),
    ]
    right = [
        ("出生地：", p.address[:6], None, None),
        ("职业：", rng.choice(("职员", "退休", "农民", "个体", "教师", "工人")), None, None),
        ("入院时间：", date_cn(s.admission_date), "admission_date", s.admission_date.isoformat()),
        ("科室：", s.department, "department", None),
        ("病史陈述者：", rng.choice(("患者本人", "患者及家属")), None, None),
    ]
    for i, ((ll, lt, lf, lv), (rl, rt, rf, rv)) in enumerate(zip(left, right, strict=True)):
        yy = y + 10 + i * 46
        c.value((100, yy), lt, 25, prefix=ll, field_name=lf, value=lv)
        box = c.value((620, yy), rt, 25, prefix=rl, field_name=rf, value=rv)
        if rf == "admission_date":
            c.value((box[2] + 14, yy), f"{arrive:%H}时{arrive:%M}分", 25)
    y += 10 + 5 * 46 + 20
    y = _paragraph(c, 90, y, "主  诉：", f"发现{content.admitting_diagnosis}{rng.randint(1, 12)}月余。")
    y = _paragraph(
        c,
        90,
        y,
        "现病史：",
        f"患者于{rng.randint(1, 12)}月前无明显诱因发现{content.admitting_diagnosis}，"
        "无畏寒发热，无恶心呕吐，为求进一步诊治来我院就诊，门诊以“"
        f"{content.admitting_diagnosis}”收入我科。病程中精神可，食欲、睡眠可，二便正常。",
    )
    y = _paragraph(
        c, 90, y, "既往史：", rng.choice(("平素体健，否认手术外伤史，否认输血史。", "有糖尿病史3年，口服药物控制。"))
    )
    y = _paragraph(
        c,
        90,
        y,
        "个人史：",
        rng.choice(("生于原籍，无疫区居住史，无吸烟饮酒嗜好。", "吸烟20年，每日约10支，少量饮酒。")),
    )
    y = _paragraph(c, 90, y, "家族史：", "父母健在，否认家族遗传病史。")
    y = _paragraph(
        c,
        90,
        y,
        "体格检查：",
        f"T {36 + rng.randint(2, 9) / 10:.1f}℃ P {rng.randint(62, 96)}次/分 R {rng.randint(16, 20)}次/分 "
        f"BP {rng.randint(105, 145)}/{rng.randint(65, 92)}mmHg，神志清楚，心肺听诊未闻及明显异常。",
    )
    y = _diagnosis_lines(c, content, 90, y + 6, "初步诊断：")
    _sign(c, rng, max(y + 40, H - 240), content, "记录医师：")
    c.text((W / 2, H - 70), "第 1 页", 20, anchor="ma")
    return c


def _certificate(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    """疾病诊断证明书 as a ruled table on half a sheet: patient cells, a tall 诊断 cell, 处理意见, number."""
    c = _canvas(rng)
    c.crop_height(980)
    p, s = content.person, content.stay
    c.value(
        (W / 2, 50),
        hospital or s.hospital.name,
        44,
        field_name="hospital_name",
        anchor="ma",
        printer=Printer(face="song_bold", strength=1.0),
    )
    c.centered(112, rng.choice(("疾病诊断证明书", "诊 断 证 明")), 38, face="hei_bold")
    c.text((W - 330, 170), f"No. {rng.randint(10**6, 10**7 - 1)}", 22)
    y = 210.0
    xs: list[float] = [80, 200, 470, 560, 700, 800, W - 80]
    rows: list[list[Cell]] = [
        [("姓名", name or p.name, "patient_name", None), ("性别", p.gender, "patient_gender", None), _age(content)],
        [
            ("科别", s.department, "department", None),
            ("门诊号" if not s.inpatient else "住院号", s.record_number, None, None),
            ("床号", s.bed if s.inpatient else "", None, None),
        ],
    ]
    y = _ruled_rows(c, y, rows, xs, 62)
    diag_top = y
    c.text((95, y + 20), "诊断", 24)
    y = _diagnosis_lines(c, content, 210, y + 18, "", 27)
    y = max(y + 10, diag_top + 200)
    c.text((95, y + 20), "处理意见", 24)
    advice = rng.choice(("建议休息两周，门诊随诊。", "建议住院治疗。", "术后休息一月，定期复查。"))
    c.value((210, y + 20), advice, 27)
    bottom = y + 120
    c.grid(80, diag_top, [80, 200, W - 80], [diag_top, y, bottom], INK, 2)
    issue = s.discharge_date if s.inpatient else s.issue_date
    c.text((100, bottom + 40), "医师签名：", 25)
    c.scribble((230, bottom + 30, 400, bottom + 75))
    c.value(
        (560, bottom + 40),
        date_cn(issue),
        25,
        prefix="开具日期：",
        field_name="issue_date",
        value=issue.isoformat(),
    )
    # Stamped at the bottom right, sometimes reaching over the end of the date.
    spot = (rng.randint(W - 300, W - 180), bottom + rng.randint(0, 60))
    _seal(c, content, rng, spot, rng.choice(("诊断证明专用章", "医务处章")), hospital)
    c.text((100, bottom + 110), "注：1.此证明需加盖医院公章方有效；2.涂改无效。", 20)
    return c


def _micrograph(c: Canvas, rng: random.Random, box: tuple[int, int, int, int]) -> None:
    """An H&E micrograph: pink stroma with clusters of purple nuclei, slightly out of focus."""
    x0, y0, x1, y1 = box
    tile = Image.new("RGB", (x1 - x0, y1 - y0), (rng.randint(228, 240), rng.randint(180, 196), rng.randint(200, 214)))
    d = ImageDraw.Draw(tile)
    for _ in range(rng.randint(5, 9)):
        cx, cy, spread = rng.uniform(0, x1 - x0), rng.uniform(0, y1 - y0), rng.uniform(25, 60)
        for _ in range(rng.randint(25, 45)):
            nx, ny, r = cx + rng.gauss(0, spread), cy + rng.gauss(0, spread), rng.uniform(3, 7)
            d.ellipse(
                (nx - r, ny - r * 0.8, nx + r, ny + r * 0.8), fill=(rng.randint(80, 120), 50, rng.randint(130, 165))
            )
    c.image.paste(tile.filter(ImageFilter.GaussianBlur(1.4)), (x0, y0))
    c.rect(box, INK, 1)


def _pathology(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    """病理检查报告 with letterhead, a ruled 3×3 patient grid and two micrographs above the diagnosis."""
    c = _canvas(rng)
    y = _letterhead(c, content, rng, rng.choice(("病理检查报告", "病理诊断报告书")), hospital)
    p, s = content.person, content.stay
    received = s.admission_date + dt.timedelta(days=rng.randint(2, 4))
    rows: list[list[Cell]] = [
        [("姓名", name or p.name, "patient_name", None), ("性别", p.gender, "patient_gender", None), _age(content)],
        [
            ("病理号", f"{received.year % 100}-{rng.randint(1000, 29999)}", None, None),
            ("住院号", s.record_number, None, None),
            ("床号", s.bed, None, None),
        ],
        [
            ("科室", s.department, "department", None),
            ("送检医师", s.doctor, None, None),
            ("收到日期", received.isoformat(), None, None),
        ],
    ]
    y = _ruled_rows(c, y, rows, [80, 200, 450, 570, 790, 930, W - 80], 56, 23)
    d = content.primary
    y = _paragraph(
        c,
        90,
        y + 20,
        "大体所见：",
        f"（{d.row.organ or '病灶'}）灰白组织{rng.randint(1, 4)}块，"
        f"最大径{rng.randint(1, 5)}.{rng.randint(0, 9)}cm，切面灰白质硬。",
    )
    _micrograph(c, rng, (150, int(y) + 10, 560, int(y) + 280))
    _micrograph(c, rng, (W - 560, int(y) + 10, W - 150, int(y) + 280))
    c.text((355, y + 290), "HE ×100", 20, anchor="ma")
    c.text((W - 355, y + 290), "HE ×400", 20, anchor="ma")
    y += 340
    c.text((90, y), "病理诊断：", 30, face="hei_bold")
    box = c.value(
        (90 + 5.3 * 30, y),
        d.written,
        30,
        field_name="pathology_diagnosis",
        printer=Printer(face="hei_bold", strength=1.0),
    )
    c.page.diagnoses.append({"value": d.written, "text": d.written, "box": box, "icd10": d.row.code})
    y += 56
    if d.tnm:
        c.value((90 + 5.3 * 30, y), d.tnm, 28, prefix="pTNM：", field_name="tnm_stage")
        y += 52
    stains = {
        "thyroid_cancer": "CK19(+)，TG(+)，TTF-1(+)，BRAF V600E(+)，Ki-67(约5%+)。",
        "prostate_cancer": "PSA(+)，P504S(+)，P63(-)，34βE12(-)，Ki-67(约15%+)。",
    }.get(d.row.group, "CK(+)，Vimentin(-)，P53(突变型)，Ki-67(约40%+)。")
    y = _paragraph(c, 90, y + 10, "免疫组化：", stains)
    report = received + dt.timedelta(days=rng.randint(2, 5))
    c.rule(80, H - 250, W - 80, H - 250, INK, 1)
    c.value(
        (90, H - 230),
        date_text(rng, report),
        24,
        prefix="报告日期：",
        field_name="issue_date",
        value=report.isoformat(),
    )
    c.text((560, H - 230), "报告医师：", 24)
    c.scribble((690, H - 240, 840, H - 200))
    c.text((880, H - 230), "审核医师：", 24)
    c.scribble((1010, H - 240, 1140, H - 200))
    c.text((90, H - 150), "注：本报告仅对送检标本负责，如有疑问请于一周内与病理科联系。", 20)
    return c


def _scan_picture(c: Canvas, rng: random.Random, box: tuple[int, int, int, int], ultrasound: bool) -> None:
    """A grey ultrasound fan or a CT/MRI slice on black, as printed in the report's image panel."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    nrng = np.random.default_rng(rng.getrandbits(32))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if ultrasound:
        r = np.hypot(xx - w / 2, yy + h * 0.05)
        angle = np.degrees(np.arctan2(xx - w / 2, yy + h * 0.05))
        mask = (np.abs(angle) < 38) & (r > h * 0.12) & (r < h * 1.0)
        speckle = np.asarray(
            Image.fromarray((nrng.random((h, w)) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2)),
            np.float32,
        )
        img = mask * speckle * (1.1 - r / (h * 1.2))
    else:
        body = ((xx - w / 2) / (w * 0.42)) ** 2 + ((yy - h / 2) / (h * 0.36)) ** 2 < 1
        bone = np.abs(np.hypot(xx - w / 2, yy - h * 0.72) - h * 0.06) < h * 0.02
        img = body * (95 + nrng.normal(0, 10, (h, w))) + bone * 140
    lesion = ((xx - w * rng.uniform(0.35, 0.65)) ** 2 + (yy - h * rng.uniform(0.4, 0.6)) ** 2) < (h * 0.07) ** 2
    img = np.where(lesion, img * 0.45, img)
    grey = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).convert("RGB")
    c.image.paste(grey.filter(ImageFilter.GaussianBlur(0.8)), (x0, y0))


def _imaging(content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None) -> Canvas:
    """Imaging report with letterhead, a ruled patient box and two pictures (ultrasound fans or CT slices)."""
    c = _canvas(rng)
    kind = rng.choice(("超声", "CT", "MRI"))
    y = _letterhead(c, content, rng, f"{kind}检查报告单" if kind != "超声" else "彩色多普勒超声检查报告", hospital)
    p, s = content.person, content.stay
    exam = s.admission_date + dt.timedelta(days=rng.randint(0, 2))
    organ = content.primary.row.organ or "腹部"
    rows: list[list[Cell]] = [
        [("姓名", name or p.name, "patient_name", None), ("性别", p.gender, "patient_gender", None), _age(content)],
        [
            ("检查号", f"{kind[:2].upper()}{rng.randint(10**6, 10**7 - 1)}", None, None),
            ("科室", s.department, "department", None),
            ("部位", organ, None, None),
        ],
    ]
    y = _ruled_rows(c, y, rows, [80, 200, 450, 570, 790, 910, W - 80], 56, 23)
    top = int(y) + 24
    for x in (110, W // 2 + 20):
        _scan_picture(c, rng, (x, top, x + 500, top + 340), kind == "超声")
    y = top + 370
    seen, hint = ("超声所见：", "超声提示：") if kind == "超声" else ("影像所见：", "诊断意见：")
    y = _paragraph(
        c,
        90,
        y,
        seen,
        f"{organ}可见一大小约{rng.randint(6, 40)}mm×{rng.randint(5, 30)}mm的{_FINDINGS[kind == '超声']}。"
        "余未见明显异常。",
    )
    y = _paragraph(c, 90, y, hint, f"{content.admitting_diagnosis}，请结合临床。")
    c.rule(80, H - 220, W - 80, H - 220, INK, 1)
    c.value(
        (90, H - 200), date_text(rng, exam), 24, prefix="检查日期：", field_name="issue_date", value=exam.isoformat()
    )
    c.text((620, H - 200), "报告医师：", 24)
    c.scribble((750, H - 210, 900, H - 170))
    c.text((90, H - 140), "本报告仅供临床参考。", 20)
    return c


def _barcode(c: Canvas, rng: random.Random, x: int, y: int, h: int) -> None:
    for _ in range(46):
        bar = rng.choice((2, 2, 3, 4))
        c.draw.rectangle((x, y, x + bar - 1, y + h), fill=INK)
        x += bar + rng.choice((2, 3, 4))


def _lab(content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None) -> Canvas:
    """Two-column lab sheet: barcode, three info rows without rules, two half tables of results side by side."""
    c = _canvas(rng)
    p, s = content.person, content.stay
    c.value(
        (W / 2, 40),
        hospital or s.hospital.name,
        40,
        field_name="hospital_name",
        anchor="ma",
        printer=Printer(face="song_bold", strength=1.0),
    )
    c.centered(100, rng.choice(("检验报告单", "生化检验报告单", "血液检验报告单")), 32, face="hei_bold")
    _barcode(c, rng, W - 330, 40, 60)
    sample_no = f"{rng.randint(1, 999):03d}"
    c.text((W - 330, 108), f"样本号：{sample_no}", 20)
    sample = s.admission_date + dt.timedelta(days=1)
    info: list[list[Cell]] = [
        [
            ("姓名：", name or p.name, "patient_name", None),
            ("性别：", p.gender, "patient_gender", None),
            ("年龄：", f"{p.age_on(s.admission_date)}岁", "patient_age", str(p.age_on(s.admission_date))),
        ],
        [
            ("科别：", s.department, "department", None),
            ("床号：", s.bed, None, None),
            ("住院号：", s.record_number, None, None),
        ],
        [
            ("标本：", rng.choice(("血清", "全血", "静脉血")), None, None),
            ("送检医生：", s.doctor, None, None),
            ("临床诊断：", content.admitting_diagnosis, None, None),
        ],
    ]
    y = 160.0
    for row in info:
        for k, (label, text, fname, fvalue) in enumerate(row):
            c.value((90 + k * 370, y), text, 23, prefix=label, field_name=fname, value=fvalue)
        y += 40
    c.rule(80, y + 4, W - 80, y + 4, INK, 2)
    y += 14
    half = (W - 160) / 2
    for k in range(2):
        x = 80 + k * half
        for dx, head in ((10, "项目"), (180, "结果"), (320, "参考范围"), (445, "单位")):
            c.text((x + dx, y), head, 21, face="hei_bold")
    y += 36
    c.rule(80, y, W - 80, y, INK, 1)
    tests = rng.sample(_LAB_TESTS, rng.randint(10, 14))
    per_col = -(-len(tests) // 2)
    for i, (_, code, low, high, unit) in enumerate(tests):
        k, r = divmod(i, per_col)
        x, ry = 80 + k * half, y + 10 + r * 40
        value = rng.uniform(low * 0.7, high * 1.3) if high > 0 else rng.uniform(0, 10)
        flag = "↑" if value > high else ("↓" if value < low else "")
        c.value((x + 10, ry), code, 21)
        c.value((x + 180, ry), f"{value:.2f}{flag}", 21)
        c.value((x + 320, ry), f"{low}-{high}", 19)
        c.value((x + 445, ry), unit, 19)
    y += 10 + per_col * 40 + 10
    c.rule(80, y, W - 80, y, INK, 2)
    c.value(
        (90, y + 16), date_text(rng, sample), 22, prefix="采样时间：", field_name="issue_date", value=sample.isoformat()
    )
    c.value((620, y + 16), date_text(rng, sample), 22, prefix="报告时间：")
    c.text((90, y + 60), "检验者：", 22)
    c.scribble((190, y + 52, 320, y + 88))
    c.text((620, y + 60), "审核者：", 22)
    c.scribble((720, y + 52, 850, y + 88))
    c.text((90, y + 110), "*本结果仅对该标本负责，结果异常请结合临床。", 19)
    c.crop_height(int(max(y + 170, 1100)))
    return c


def _front_page(
    content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None
) -> Canvas:
    """The national 住院病案首页 grid: 医疗机构 line, ruled identity/stay rows, diagnosis table, cost cells."""
    c = _canvas(rng)
    p, s = content.person, content.stay
    c.value((90, 40), hospital or s.hospital.name, 24, prefix="医疗机构：", field_name="hospital_name")
    c.text((700, 40), f"（组织机构代码：{rng.randint(10**7, 10**8 - 1)}-{rng.randint(0, 9)}）", 22)
    c.centered(90, "住 院 病 案 首 页", 40, face="song_bold")
    c.text((90, 160), f"医疗付费方式：{rng.randint(1, 3)}    第 1 次住院    病案号：{s.record_number}", 22)
    xs = [80, 210, 420, 530, 640, 790, 1000, 1090, W - 80]
    stay_days = f"{s.days}天"
    rows: list[list[Cell]] = [
        [
            ("姓名", name or p.name, "patient_name", None),
            ("性别", p.gender, "patient_gender", None),
            ("出生日期", p.birth_date.isoformat(), None, None),
            _age(content),
        ],
        [
            ("入院时间", s.admission_date.isoformat(), "admission_date", None),
            ("入院科别", s.department, "department", None),
            ("病房", s.bed, None, None),
            ("天数", stay_days, None, None),
        ],
        [
            ("出院时间", s.discharge_date.isoformat(), "discharge_date", None),
            ("出院科别", s.department, None, None),
            ("转科", "无", None, None),
            ("国籍", "中国", None, None),
        ],
    ]
    y = _ruled_rows(c, 200, rows, xs, 56, 22)
    id_box = c.value((90, y + 16), p.id_number, 22, prefix="身份证号：", field_name="id_number", extra=True)
    if rng.random() < 0.15:
        c.mask(id_box)
    c.value((700, y + 16), p.address[:14], 22, prefix="现住址：")
    y += 60
    table = [y + i * 50 for i in range(len(content.diagnoses) + 2)]
    c.grid(80, y, [80, 640, 900, W - 80], table, INK, 2)
    for x, head in ((90, "出院诊断"), (650, "疾病编码"), (910, "入院病情")):
        c.text((x, y + 12), head, 22, face="hei_bold")
    for i, d in enumerate(content.diagnoses):
        ry = table[i + 1] + 12
        box = c.value((90, ry), d.written, 22)
        c.page.diagnoses.append({"value": d.written, "text": d.written, "box": box, "icd10": d.row.code})
        c.value((650, ry), d.row.code, 22)
        c.value((910, ry), rng.choice(("1", "2", "3")), 22)
    y = table[-1] + 20
    if content.primary.row.morphology:
        c.value((90, y), content.primary.written, 22, prefix="病理诊断：", field_name="pathology_diagnosis")
        c.value((760, y), f"M{content.primary.row.morphology}", 22, prefix="形态学编码：")
        y += 46
    st = s.settlement
    cats = s.category_totals()
    cost_rows = [y + i * 46 for i in range(2 + -(-len(cats) // 3))]
    c.grid(80, y, [80, W - 80], cost_rows, INK, 1)
    c.value(
        (90, y + 10),
        format_figure(st.total, False),
        22,
        prefix="住院费用（元）：总费用 ",
        field_name="total_amount",
        value=to_amount(st.total),
    )
    c.value((640, y + 10), format_figure(st.self_expense, False), 22, prefix="自付金额：")
    for i, (cat, cents_value) in enumerate(cats):
        c.value(
            (90 + (i % 3) * 360, cost_rows[1 + i // 3] + 10), format_figure(cents_value, False), 21, prefix=f"{cat}："
        )
    y = cost_rows[-1] + 40
    for i, label in enumerate(("科主任", "主任医师", "主治医师", "住院医师", "编码员")):
        c.text((90 + 220 * i, y), f"{label}：", 21)
        c.scribble((90 + 220 * i + 90, y - 6, 90 + 220 * i + 190, y + 28))
    c.crop_height(int(max(y + 90, 1200)))
    return c


def _death(content: ClaimContent, rng: random.Random, variant: int, hospital: str | None, name: str | None) -> Canvas:
    """The family's copy of the 居民死亡医学证明（推断）书, filled in by hand in a dense grid."""
    c = _canvas(rng)
    p, s = content.person, content.stay
    death = s.discharge_date
    c.centered(50, "居民死亡医学证明（推断）书", 40, face="song_bold")
    c.centered(104, "（第四联 死者家属保存）", 24)
    c.text((W - 380, 150), f"编号：{rng.randint(10**9, 10**10 - 1)}", 22)
    xs = [70, 230, 640, 790, W - 70]
    row_h = 66
    cells = [
        (("死者姓名", name or p.name, "patient_name", None), ("性别", p.gender, "patient_gender", None)),
        (
            ("民族", f"{p.ethnicity}族", None, None),
            ("年龄", f"{p.age_on(death)}岁", "patient_age", str(p.age_on(death))),
        ),
        (("死亡日期", date_cn(death), "issue_date", death.isoformat()), ("死亡地点", "医疗卫生机构", None, None)),
    ]
    y0 = 190
    c.grid(70, y0, xs, [y0 + i * row_h for i in range(len(cells) + 1)], INK, 2)
    for r, pair in enumerate(cells):
        for k, (label, text, fname, value) in enumerate(pair):
            ry = y0 + r * row_h
            c.text((xs[2 * k] + 10, ry + 20), label, 23)
            hand_field(c, (xs[2 * k + 1] + 12, ry + 16), text, 28, fname, value)
    id_top = y0 + len(cells) * row_h
    c.grid(70, id_top, [70, 230, W - 70], [id_top, id_top + row_h], INK, 2)
    c.text((80, id_top + 20), "身份证件号码", 23)
    hand_field(c, (242, id_top + 16), p.id_number, 28, "id_number", extra=True)
    y = id_top + row_h + 30
    c.text((80, y), "致死的主要疾病诊断", 26, face="hei_bold")
    top = y + 44
    lines = [top + i * 60 for i in range(6)]
    cols = [70, 380, 830, 1010, W - 70]
    c.grid(70, top, cols, lines, INK, 2)
    for x, head in (
        (cols[1] + 10, "疾病名称（勿填症状体征）"),
        (cols[2] + 10, "发病至死亡间隔"),
        (cols[3] + 10, "ICD编码"),
    ):
        c.text((x, top + 18), head, 21)
    for i, label in enumerate(("Ⅰ.(a)直接死亡原因", "(b)引起(a)的疾病", "(c)引起(b)的疾病", "Ⅱ.其他疾病诊断")):
        c.text((80, lines[i + 1] + 18), label, 21)
    box = hand_field(c, (cols[1] + 12, lines[1] + 12), content.primary.written, 28)
    c.page.diagnoses.append(
        {
            "value": content.primary.written,
            "text": content.primary.written,
            "box": box,
            "icd10": content.primary.row.code,
        }
    )
    hand_field(c, (cols[2] + 12, lines[1] + 12), f"约{rng.randint(2, 30)}月", 28)
    y = lines[-1] + 30
    c.text((80, y), "生前主要疾病最高诊断单位：①三级医院 ②二级医院 ③乡镇卫生院 ④村卫生室 ⑤其他", 22)
    c.scribble((255 + 22 * 11, y - 8, 255 + 22 * 11 + 44, y + 32), kind="circle")
    c.text((80, y + 50), "生前主要疾病最高诊断依据：①尸检 ②病理 ③手术 ④临床+理化 ⑤临床", 22)
    c.text((80, y + 120), "医疗卫生机构名称：", 24)
    hand_field(c, (300, y + 112), hospital or s.hospital.name, 30, "hospital_name")
    c.text((80, y + 190), "医师签名：", 24)
    c.scribble((210, y + 180, 400, y + 225))
    c.text((700, y + 190), "填表日期：", 24)
    hand_field(c, (830, y + 184), date_cn(death), 28)
    _seal(c, content, rng, (W - 300, y + 150), "医疗专用章", hospital)
    c.crop_height(int(y + 270))
    return c


# doc type → second layouts (name, builder, variant), merged with clinical.CLINICAL_LAYOUTS by layouts/__init__.
FORM_LAYOUTS: dict[str, list[tuple[str, Builder, int]]] = {
    DocType.ADMISSION_RECORD.value: [("admission_record_letterhead", _admission, 0)],
    DocType.DIAGNOSIS_CERTIFICATE.value: [("diagnosis_certificate_table", _certificate, 0)],
    DocType.PATHOLOGY_REPORT.value: [("pathology_report_images", _pathology, 0)],
    DocType.IMAGING_REPORT.value: [("imaging_report_images", _imaging, 0)],
    DocType.LAB_REPORT.value: [("lab_report_two_column", _lab, 0)],
    DocType.MEDICAL_RECORD_FRONT_PAGE.value: [("front_page_grid", _front_page, 0)],
    DocType.DEATH_CERTIFICATE.value: [("death_certificate_handwritten", _death, 0)],
}
