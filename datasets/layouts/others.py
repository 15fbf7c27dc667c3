"""Itemized bills (费用明细清单), ID cards, bank cards and the claim form (理赔申请书)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from claims_datasets.canvas import INK, Canvas, Printer, RenderedPage
from claims_datasets.content import ClaimContent
from claims_datasets.layouts.common import date_cn, date_text, hand_field, hand_in_cells, random_printer
from claims_datasets.money import format_figure, to_amount
from claims_datasets.schema import DocType

__all__ = ["OTHER_LAYOUTS", "render_other"]


def _bill(
    content: ClaimContent,
    rng: random.Random,
    variant: int,
    hospital: str | None,
    name: str | None,
    total_cents: int | None,
) -> Canvas:
    """A4 bill: header, one row per charge (many rows), category subtotals in variant 0, grand total."""
    s, p = content.stay, content.person
    items = sorted(s.items, key=lambda i: i.category)
    row_h = 34
    h = 420 + row_h * (len(items) + (len(s.category_totals()) if variant == 0 else 0)) + 260
    printer = Printer(face=rng.choice(("song", "mono", "hei")), strength=rng.uniform(0.85, 1.0))
    if variant == 1:
        printer = random_printer(rng, dot_matrix_share=0.7)
        printer = Printer(
            offset=(0, 0),
            color=printer.color,
            strength=printer.strength,
            dot_matrix=printer.dot_matrix,
            face=printer.face,
        )
    c = Canvas(1240, max(1754, h), rng, paper=(252, 252, 250), printer=printer)
    c.value(
        (620, 50),
        hospital or s.hospital.name,
        40,
        field_name="hospital_name",
        anchor="ma",
        printer=Printer(face="song_bold"),
    )
    c.centered(110, rng.choice(("住院费用明细清单", "住院病人费用清单", "住院患者费用明细")), 34, face="hei_bold")
    y = 175
    c.value((70, y), name or p.name, 22, prefix="姓名：", field_name="patient_name")
    c.value((330, y), s.record_number, 22, prefix="住院号：")
    c.value((640, y), s.department, 22, prefix="科室：", field_name="department")
    c.value((930, y), s.settlement.insurance_type, 22, prefix="费别：")
    y += 40
    c.value(
        (70, y),
        date_text(rng, s.admission_date),
        22,
        prefix="入院日期：",
        field_name="admission_date",
        value=s.admission_date.isoformat(),
    )
    c.value(
        (470, y),
        date_text(rng, s.discharge_date),
        22,
        prefix="出院日期：",
        field_name="discharge_date",
        value=s.discharge_date.isoformat(),
    )
    c.value((900, y), s.bed, 22, prefix="床号：")
    y += 45
    cols = [60, 120, 470, 640, 710, 800, 930, 1080]
    heads = ("序号", "项目名称", "规格", "单位", "数量", "单价", "金额", "类别")
    c.rule(50, y, 1190, y, INK, 2)
    for x, head in zip(cols, heads, strict=True):
        c.text((x, y + 8), head, 21, face="hei_bold")
    y += 42
    c.rule(50, y, 1190, y, INK, 1)
    current = None
    subtotal = 0

    def flush(cat: str, amount: int, yy: float) -> float:
        c.value((cols[1], yy + 6), f"{cat}小计：{format_figure(amount, False)}", 21)
        return yy + row_h

    for n, item in enumerate(items, start=1):
        if variant == 0 and current is not None and item.category != current:
            y = flush(current, subtotal, y)
            subtotal = 0
        current = item.category
        subtotal += item.amount_cents
        row = (
            str(n),
            item.name,
            item.spec,
            item.unit,
            str(item.quantity),
            format_figure(item.price_cents, False),
            format_figure(item.amount_cents, False),
            item.insurance_class,
        )
        boxes = [c.value((x, y + 6), text, 21) for x, text in zip(cols, row, strict=True) if text]
        c.page.line_items.append(
            {
                "name": item.name,
                "amount": to_amount(item.amount_cents),
                "box": (cols[1], y + 4, boxes[-2][2], y + row_h - 4),
            }
        )
        y += row_h
    if variant == 0 and current is not None:
        y = flush(current, subtotal, y)
    c.rule(50, y + 4, 1190, y + 4, INK, 2)
    total = total_cents if total_cents is not None else s.settlement.total
    c.value(
        (cols[5] - 100, y + 16),
        format_figure(total, rng.random() < 0.5),
        24,
        prefix="费用合计：",
        field_name="total_amount",
        value=to_amount(total),
    )
    c.value(
        (70, y + 16),
        date_text(rng, s.issue_date),
        22,
        prefix="打印日期：",
        field_name="issue_date",
        value=s.issue_date.isoformat(),
    )
    c.crop_height(int(y + 140))
    if rng.random() < 0.7:
        c.seal(
            # Usually stamped beside the total, sometimes over it.
            (rng.randint(700, 1000), y + rng.randint(-40, 40))
            if rng.random() < 0.3
            else (rng.randint(1060, 1140), y + rng.randint(-60, 20)),
            rng.randint(90, 110),
            hospital or s.hospital.name,
            "费用清单专用章",
        )
    return c


def _id_card(
    content: ClaimContent,
    rng: random.Random,
    variant: int,
    hospital: str | None,
    name: str | None,
    total_cents: int | None,
) -> Canvas:
    p = content.person
    c = Canvas(
        1012,
        638,
        rng,
        paper=(rng.randint(225, 240), rng.randint(230, 242), rng.randint(225, 238)),
        printer=Printer(face="hei", color=(20, 20, 20)),
    )
    c.watermark("中华人民共和国居民身份证", color=(170, 200, 210), strength=0.25, size=26, angle=0)
    _guilloche(c, rng)
    c.draw.rounded_rectangle((2, 2, 1009, 635), radius=36, outline=(180, 185, 190), width=3)
    label = (60, 90, 140)
    fs = 30
    c.text((60, 60), "姓名", fs - 4, color=label)
    c.value((160, 56), name or p.name, fs + 2, field_name="patient_name")
    c.text((60, 130), "性别", fs - 4, color=label)
    c.value((160, 126), p.gender, fs, field_name="patient_gender")
    c.text((300, 130), "民族", fs - 4, color=label)
    c.value((400, 126), p.ethnicity, fs)
    c.text((60, 200), "出生", fs - 4, color=label)
    c.value((160, 196), f"{p.birth_date.year}年{p.birth_date.month}月{p.birth_date.day}日", fs)
    c.text((60, 270), "住址", fs - 4, color=label)
    addr = p.address
    c.value((160, 266), addr[:11], fs)
    if addr[11:]:
        c.value((160, 316), addr[11:22], fs)
    c.text((60, 510), "公民身份号码", fs - 4, color=label)
    box = c.value(
        (290, 504),
        p.id_number,
        fs + 6,
        field_name="id_number",
        extra=True,
        printer=Printer(face="mono", color=(15, 15, 15)),
    )
    # photo area: a grey head-and-shoulders silhouette (longer hair for women), shifted a little per card
    dx, dy = rng.randint(-15, 15), rng.randint(-10, 10)
    c.draw.rectangle((700, 80, 940, 400), fill=(rng.randint(205, 235), rng.randint(215, 235), rng.randint(220, 240)))
    if p.gender == "女":
        c.draw.ellipse((745 + dx, 110 + dy, 895 + dx, 330 + dy), fill=(60, 60, 66))
    c.draw.ellipse((760 + dx, 120 + dy, 880 + dx, 260 + dy), fill=(120, 120, 125))
    c.draw.pieslice((705 + dx, 250 + dy, 935 + dx, 520 + dy), 180, 360, fill=(110, 110, 118))
    if rng.random() < 0.4:
        c.mask((box[0] + (box[2] - box[0]) * 0.35, box[1], box[2] - (box[2] - box[0]) * 0.15, box[3]), pad=2)
    return c


def _guilloche(c: Canvas, rng: random.Random) -> None:
    """Fine security curves printed across the card background."""
    colour = (rng.randint(150, 190), rng.randint(185, 210), rng.randint(190, 215))
    phase, period = rng.uniform(0, 6.3), rng.uniform(120, 220)
    for k in range(6):
        pts = [(x, 380 + 30 * k + 40 * math.sin(x / period + phase + k * 0.6)) for x in range(0, 1012, 8)]
        c.draw.line(pts, fill=colour, width=1)


def _bank_card(
    content: ClaimContent,
    rng: random.Random,
    variant: int,
    hospital: str | None,
    name: str | None,
    total_cents: int | None,
) -> Canvas:
    base = rng.choice(((180, 30, 40), (20, 70, 150), (25, 110, 80), (60, 60, 70), (200, 160, 60)))
    c = Canvas(1012, 638, rng, paper=base, printer=Printer(face="hei_bold", color=(245, 240, 225)))
    for i in range(6):
        c.draw.ellipse(
            (500 + 80 * i, -200 + 40 * i, 1300, 500 + 30 * i), outline=tuple(min(255, v + 25) for v in base), width=8
        )
    c.text((60, 50), content.bank_name, 44, face="hei_bold", color=(250, 245, 235))
    c.text((60, 110), rng.choice(("借记卡", "储蓄卡", "DEBIT")), 28, color=(250, 245, 235))
    chip_y = rng.choice((200, 220, 240))
    c.draw.rounded_rectangle((80, chip_y, 200, chip_y + 90), radius=12, fill=(212, 180, 90))
    number = content.bank_card
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    if rng.random() < 0.5:  # embossed digits: raised, with a dark edge under each stroke
        c.text((72, 383), grouped, 50, face="mono", color=tuple(max(0, v - 60) for v in base), record=False)
    c.value(
        (70, 380),
        grouped,
        50,
        field_name="card_number",
        value=number,
        extra=True,
        printer=Printer(face="mono", color=(250, 245, 230)),
    )
    c.text((70, 480), f"VALID THRU {rng.randint(1, 12):02d}/{rng.randint(26, 34)}", 24, color=(240, 235, 220))
    brand = rng.choice(("银联", "银联 UnionPay"))
    c.text((960, 540), brand, 40, face="hei_bold", color=(250, 250, 250), anchor="ra")
    return c


def _claim_form(
    content: ClaimContent,
    rng: random.Random,
    variant: int,
    hospital: str | None,
    name: str | None,
    total_cents: int | None,
) -> Canvas:
    """A pre-printed claim form filled in by hand (values are handwriting lines)."""
    c = Canvas(1240, 1754, rng, paper=(252, 252, 250))
    p, s = content.person, content.stay
    c.centered(70, rng.choice(("健康保险理赔申请书", "互助计划理赔申请书", "医疗保险理赔申请书")), 44, face="song_bold")
    c.text((80, 150), "申请人须知：请如实填写以下内容，并附身份证明、病历资料、医疗费用票据等材料。", 22)
    rows = [
        ("被保险人姓名", name or p.name, "patient_name"),
        ("性别", p.gender, "patient_gender"),
        ("年龄", str(p.age_on(s.admission_date)), "patient_age"),
        ("身份证号码", p.id_number, "id_number"),
        ("联系电话", p.phone, None),
        ("就诊医院", hospital or s.hospital.name, "hospital_name"),
        ("入院日期", s.admission_date.isoformat(), "admission_date"),
        ("疾病诊断", content.primary.written, None),
        ("申请金额（元）", format_figure(s.settlement.total, False), "total_amount"),
        ("开户银行", content.bank_name, None),
        ("银行账号", content.bank_card, "card_number"),
    ]
    y = 210
    c.grid(80, y, [80, 420, 1160], [y + 80 * i for i in range(len(rows) + 1)], INK, 2)
    for i, (label, value, fname) in enumerate(rows):
        ry = y + 80 * i
        c.text((100, ry + 24), label, 26)
        box = c.handwriting((450, ry + 20), value, 34 if len(value) < 16 else 28)
        if fname:
            v = to_amount(s.settlement.total) if fname == "total_amount" else value
            extra = fname in ("id_number", "card_number")
            (c.page.extra_fields if extra else c.page.fields)[fname] = {"value": v, "text": value, "box": box}
        if label == "疾病诊断":
            c.page.diagnoses.append({"value": value, "text": value, "box": box, "icd10": content.primary.row.code})
    y += 80 * len(rows) + 40
    c.text((80, y), "申请类型：  □ 重大疾病   □ 住院医疗   □ 门诊医疗   □ 意外伤害   □ 身故", 26)
    c.text((80, y + 70), "本人声明：以上所填内容及所附资料均真实有效，如有虚假，愿承担相应责任。", 24)
    c.text((700, y + 160), "申请人签名：", 26)
    c.scribble((860, y + 150, 1060, y + 200))
    c.text((700, y + 230), "申请日期：", 26)
    filed = s.issue_date
    box = c.handwriting((840, y + 225), date_cn(filed), 30)
    c.page.fields["issue_date"] = {"value": filed.isoformat(), "text": date_cn(filed), "box": box}
    return c


_INSURERS = ("康宁人寿保险股份有限公司", "泰和健康保险股份有限公司", "安瑞人寿保险有限公司", "嘉禾互助计划")


def _section(c: Canvas, y: float, title: str, colour: tuple[int, int, int]) -> float:
    c.draw.rectangle((80, y, 1160, y + 44), fill=tuple(min(255, v + 170) for v in colour))
    c.text((95, y + 8), title, 26, face="hei_bold", color=colour)
    return y + 44


def _claim_form_boxes(
    content: ClaimContent,
    rng: random.Random,
    variant: int,
    hospital: str | None,
    name: str | None,
    total_cents: int | None,
) -> Canvas:
    """An insurer's form: colour band, numbered sections, one-character cells for ID and account numbers."""
    c = Canvas(1240, 1754, rng, paper=(252, 252, 250))
    p, s = content.person, content.stay
    colour = rng.choice(((20, 90, 160), (190, 40, 40), (0, 120, 100), (200, 120, 20)))
    c.draw.rectangle((0, 0, 1240, 130), fill=colour)
    c.text((80, 40), rng.choice(_INSURERS), 40, face="hei_bold", color=(255, 255, 255))
    c.centered(165, "理 赔 申 请 书", 44, face="song_bold")
    c.text((820, 240), "报案号：", 22)
    c.rule(910, 266, 1160, 266, INK, 1)
    y = _section(c, 290, "一、被保险人信息", colour)
    rows = [y, y + 70, y + 140, y + 230]
    c.grid(80, y, [80, 260, 620, 780, 1160], rows[:3], INK, 1)
    c.text((95, y + 22), "姓名", 24)
    hand_field(c, (280, y + 14), name or p.name, 34, "patient_name")
    c.text((635, y + 22), "性别", 24)
    hand_field(c, (800, y + 14), p.gender, 34, "patient_gender")
    age = str(p.age_on(s.admission_date))
    c.text((95, y + 92), "年龄", 24)
    hand_field(c, (280, y + 84), age, 34, "patient_age")
    c.text((635, y + 92), "联系电话", 24)
    hand_field(c, (800, y + 86), p.phone, 26)
    c.rect((80, rows[2], 1160, rows[3]), INK, 1)
    c.text((95, rows[2] + 30), "身份证号码", 24)
    hand_in_cells(c, 260, rows[2] + 18, p.id_number, 48, "id_number")
    y = _section(c, rows[3] + 30, "二、出险信息", colour)
    c.grid(80, y, [80, 260, 1160], [y, y + 70, y + 140, y + 210, y + 280], INK, 1)
    entries = [
        ("就诊医院", hospital or s.hospital.name, "hospital_name", None),
        ("入院日期", date_cn(s.admission_date), "admission_date", s.admission_date.isoformat()),
        ("疾病诊断", content.primary.written, None, None),
        ("申请金额（元）", format_figure(s.settlement.total, False), "total_amount", to_amount(s.settlement.total)),
    ]
    for i, (label, text, fname, value) in enumerate(entries):
        c.text((95, y + 70 * i + 22), label, 24 if len(label) < 6 else 20)
        box = hand_field(c, (280, y + 70 * i + 14), text, 32, fname, value)
        if label == "疾病诊断":
            c.page.diagnoses.append({"value": text, "text": text, "box": box, "icd10": content.primary.row.code})
    y = _section(c, y + 310, "三、申请类型", colour)
    kinds = ("重大疾病", "住院医疗", "门诊医疗", "意外伤害", "身故")
    tick = rng.randrange(len(kinds))
    for i, kind in enumerate(kinds):
        x = 100 + i * 210
        c.rect((x, y + 24, x + 28, y + 52), INK, 2)
        c.text((x + 40, y + 24), kind, 24)
        if i == tick:
            c.scribble((x - 4, y + 18, x + 34, y + 52), kind="tick")
    y = _section(c, y + 90, "四、领款信息", colour)
    c.text((95, y + 24), "开户银行", 24)
    hand_field(c, (280, y + 16), content.bank_name, 32)
    c.text((95, y + 100), "银行账号", 24)
    hand_in_cells(c, 260, y + 88, content.bank_card, 46, "card_number")
    y += 170
    c.text((80, y), "声明：本人保证以上所填内容真实，并授权贵公司向医疗机构查询与本次理赔有关的资料。", 22)
    c.text((640, y + 80), "申请人签名：", 26)
    c.scribble((800, y + 70, 1000, y + 120))
    c.text((640, y + 150), "申请日期：", 26)
    hand_field(c, (780, y + 144), date_cn(s.issue_date), 30, "issue_date", s.issue_date.isoformat())
    return c


Builder = Callable[[ClaimContent, random.Random, int, "str | None", "str | None", "int | None"], Canvas]
OTHER_LAYOUTS: dict[str, list[tuple[str, Builder, int, bool]]] = {
    DocType.ITEMIZED_BILL.value: [("bill_subtotals", _bill, 0, True), ("bill_flat_dotmatrix", _bill, 1, False)],
    DocType.ID_CARD.value: [("id_card_front", _id_card, 0, False)],
    DocType.BANK_CARD.value: [("bank_card_front", _bank_card, 0, False)],
    DocType.CLAIM_FORM.value: [
        ("claim_form_handwritten", _claim_form, 0, False),
        ("claim_form_boxes", _claim_form_boxes, 0, False),
    ],
}


def render_other(
    content: ClaimContent,
    rng: random.Random,
    doc_type: str,
    layout: str,
    *,
    hospital_name: str | None = None,
    patient_name: str | None = None,
    total_cents: int | None = None,
) -> RenderedPage:
    for name, builder, variant, born_digital in OTHER_LAYOUTS[doc_type]:
        if name == layout:
            canvas = builder(content, rng, variant, hospital_name, patient_name, total_cents)
            return canvas.finish(doc_type, layout, born_digital)
    raise KeyError(f"no layout {layout!r} for {doc_type}")
