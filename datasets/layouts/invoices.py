"""Medical invoices (医疗住院/门诊收费票据): pre-printed provincial slips and electronic invoices.

Templates (``INVOICE_LAYOUTS``):
- ``slip_grid3``: red ruled slip, charge categories pre-printed in a three-column grid, dot-matrix values.
- ``slip_grid2``: blue ruled slip, two-column grid, settlement row of cells.
- ``slip_list1``: tractor-feed continuous paper, one-column charge list, perforations and pin holes.
- ``einvoice_table2``: electronic invoice (QR code, e-seals, watermark) with a two-column item table.
- ``einvoice_table3``: electronic invoice, three column groups, settlement block in 其他信息.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from claims_datasets.canvas import Canvas, Printer, RenderedPage
from claims_datasets.content import ClaimContent
from claims_datasets.layouts.common import (
    BLUE_FORM,
    BROWN_FORM,
    RED_FORM,
    date_text,
    hospital_seal,
    paper_colour,
    random_printer,
    stay_range_text,
)
from claims_datasets.money import amount_in_words, format_figure, to_amount
from claims_datasets.schema import DocType

__all__ = ["INVOICE_LAYOUTS", "InvoiceOptions", "render_invoice"]


class InvoiceOptions:
    """What a fraud pattern may change on the printed invoice (defaults print the true content)."""

    def __init__(
        self,
        *,
        words_cents: int | None = None,
        total_cents: int | None = None,
        altered_total_cents: int | None = None,
        patient_name: str | None = None,
        hospital_name: str | None = None,
    ) -> None:
        self.words_cents = words_cents  # 大写 amount, when it should disagree with the figure
        self.total_cents = total_cents  # printed total, when it should disagree with the items
        self.altered_total_cents = altered_total_cents  # figure pasted over the original after printing
        self.patient_name = patient_name
        self.hospital_name = hospital_name


def _title(content: ClaimContent, electronic: bool) -> str:
    kind = "住院" if content.stay.inpatient else "门诊"
    province = content.stay.hospital.province
    suffix = "省" if province not in ("广西",) else "壮族自治区"
    if electronic:
        return f"{province}{suffix}医疗{kind}收费票据（电子）"
    return f"{province}{suffix}医疗{kind}收费票据"


def _doc_type(content: ClaimContent) -> str:
    return (DocType.MEDICAL_INVOICE_INPATIENT if content.stay.inpatient else DocType.MEDICAL_INVOICE_OUTPATIENT).value


def _charges(content: ClaimContent, slots: tuple[str, ...] | None) -> list[tuple[str, int]]:
    """Category totals; with pre-printed ``slots`` the categories the form lacks are merged into 其他费."""
    totals = content.stay.category_totals()
    if slots is None:
        return totals
    out: dict[str, int] = {}
    for name, cents in totals:
        key = name if name in slots else "其他费"
        out[key] = out.get(key, 0) + cents
    return [(s, out[s]) for s in slots if s in out]


def _amounts(content: ClaimContent, opts: InvoiceOptions) -> tuple[int, int]:
    total = opts.total_cents if opts.total_cents is not None else content.stay.settlement.total
    words = opts.words_cents if opts.words_cents is not None else total
    return total, words


def _finish_total(canvas: Canvas, opts: InvoiceOptions, size: int) -> None:
    """The 小写 figure; when altered, paste a patch with a different face over it (a local re-render)."""
    total_box = canvas.page.fields["total_amount"]["box"]
    if opts.altered_total_cents is None:
        return
    x0, y0, x1, y1 = total_box
    paper = tuple(min(255, c + canvas.rng.randint(-6, 3)) for c in canvas.paper)
    canvas.draw.rectangle((x0 - 3, y0 - 3, x1 + 30, y1 + 3), fill=paper)
    canvas.page.lines = [ln for ln in canvas.page.lines if ln["box"] != total_box]
    figure = format_figure(opts.altered_total_cents)
    p = Printer(offset=(0, 0), color=(10, 10, 10), strength=1.0, dot_matrix=False, face="hei")
    box = canvas.value(
        (x0, y0 - 1), figure, size, field_name="total_amount", value=to_amount(opts.altered_total_cents), printer=p
    )
    canvas.page.edits.append({"box": box, "note": f"total re-rendered as {figure}"})


# ---- paper slips -------------------------------------------------------------------------------------------
_GRID_SLOTS = {
    3: (
        "床位费",
        "检查费",
        "化验费",
        "治疗费",
        "手术费",
        "护理费",
        "卫生材料费",
        "西药费",
        "中成药费",
        "诊查费",
        "麻醉费",
        "其他费",
    ),
    2: (
        "床位费",
        "诊查费",
        "检查费",
        "化验费",
        "治疗费",
        "手术费",
        "护理费",
        "麻醉费",
        "卫生材料费",
        "西药费",
        "中成药费",
        "其他费",
    ),
}


def _slip(
    content: ClaimContent,
    rng: random.Random,
    opts: InvoiceOptions,
    *,
    cols: int,
    form: tuple[int, int, int],
    tractor: bool,
) -> Canvas:
    w, h = (1500, 1100) if tractor else (1400, 900)
    canvas = Canvas(w, h, rng, paper=paper_colour(rng), printer=random_printer(rng))
    stay, person = content.stay, content.person
    name = opts.patient_name or person.name
    hospital = opts.hospital_name or stay.hospital.name
    margin = 110 if tractor else 60
    if rng.random() < 0.5:
        canvas.watermark("医疗收费票据", color=(240, 215, 150), strength=0.12, size=36)
    if tractor:
        for x in (35, w - 35):
            for y in range(30, h, 60):
                canvas.draw.ellipse((x - 11, y - 11, x + 11, y + 11), fill=(70, 70, 70))
            canvas.rule(x + (40 if x < w / 2 else -40), 0, x + (40 if x < w / 2 else -40), h, (200, 200, 200), 1)
    title = _title(content, False)
    canvas.centered(40, title, 46, face="song_bold", color=form)
    canvas.seal((w / 2, 66), 52, "全国统一票据监制章", f"{stay.hospital.province}省财政厅监制", oval=True, star=False)
    fs = 26
    canvas.text((margin, 120), "票据代码", fs, color=form)
    canvas.value((margin + 120, 118), stay.invoice_code, fs, field_name="invoice_code", extra=True)
    canvas.text((w - margin - 330, 120), "No", fs, color=form, face="hei_bold")
    red_no = Printer(color=(200, 30, 30), strength=1.0, face="mono")
    canvas.value((w - margin - 280, 116), stay.invoice_number, fs + 4, field_name="invoice_number", printer=red_no)
    top = 165
    rows = [top, top + 55, top + 110]
    x_right = w - margin
    canvas.grid(margin, top, [margin, x_right], rows, form)
    inpatient = stay.inpatient
    head = [
        ("住院号" if inpatient else "门诊号", stay.record_number, None, None),
        ("姓名", name, "patient_name", None),
        ("性别", person.gender, "patient_gender", None),
        ("医保类型", stay.settlement.insurance_type, None, None),
    ]
    xs = [margin + i * (x_right - margin) / 4 for i in range(5)]
    for i, (label, value, fname, _) in enumerate(head):
        canvas.text((xs[i] + 10, top + 14), label, fs - 2, color=form)
        canvas.value((xs[i] + 15 + (len(label) + 1) * (fs - 2), top + 12), value, fs, field_name=fname)
        if i:
            canvas.rule(xs[i], top, xs[i], top + 55, form)
    if inpatient:
        canvas.text((margin + 10, top + 69), "住院时间", fs - 2, color=form)
        canvas.value((margin + 130, top + 67), stay_range_text(rng, stay.admission_date, stay.discharge_date), fs)
        _record_stay_dates(canvas, content)
        canvas.text((xs[2] + 60, top + 69), "住院天数", fs - 2, color=form)
        canvas.value((xs[2] + 180, top + 67), str(stay.days), fs)
    else:
        canvas.text((margin + 10, top + 69), "科别", fs - 2, color=form)
        canvas.value((margin + 80, top + 67), stay.department, fs, field_name="department")
    canvas.text((xs[3] + 10, top + 69), "科室" if inpatient else "就诊日期", fs - 2, color=form)
    if inpatient:
        canvas.value((xs[3] + 80, top + 67), stay.department, fs, field_name="department")
    else:
        canvas.value((xs[3] + 130, top + 67), stay.issue_date.strftime("%Y%m%d"), fs)
    # charge grid: labels pre-printed, amounts printed in the cells
    grid_top = rows[-1]
    slots = _GRID_SLOTS[cols] if cols > 1 else None
    charges = _charges(content, slots)
    n_rows = 12 // cols if cols > 1 else len(charges)
    row_h = 44 if cols > 1 else min(36, int(380 / max(len(charges), 1)))
    col_w = (x_right - margin) / cols
    grid_rows = [grid_top + 40 + i * row_h for i in range(n_rows + 1)]
    canvas.grid(margin, grid_top, [margin + c * col_w for c in range(cols + 1)], [grid_top, *grid_rows], form)
    for c in range(cols):
        cx = margin + c * col_w
        canvas.text((cx + 20, grid_top + 8), "项目", fs - 2, color=form)
        canvas.text((cx + col_w * 0.55, grid_top + 8), "金额", fs - 2, color=form)
    printed = dict(charges)
    labels = list(slots) if slots else [n for n, _ in charges]
    for i, label in enumerate(labels):
        c, r = (i // n_rows, i % n_rows)
        cx, cy = margin + c * col_w, grid_rows[r]
        canvas.text((cx + 20, cy + 9), label, fs - 3, color=form)
        if label in printed:
            box = canvas.value((cx + col_w * 0.55, cy + 8), format_figure(printed[label], rng.random() < 0.5), fs - 2)
            canvas.page.line_items.append(
                {"name": label, "amount": to_amount(printed[label]), "box": (cx + 20, cy + 6, box[2], cy + row_h - 4)}
            )
    y = grid_rows[-1]
    total, words = _amounts(content, opts)
    canvas.grid(margin, y, [margin, x_right], [y, y + 55, y + 110], form)
    canvas.text((margin + 10, y + 14), "合计（大写）", fs - 2, color=form)
    canvas.value(
        (margin + 170, y + 12),
        amount_in_words(words),
        fs,
        field_name="amount_in_words",
        value=to_amount(words),
        extra=True,
    )
    canvas.text((x_right - 420, y + 14), "（小写）¥", fs - 2, color=form)
    canvas.value((x_right - 290, y + 12), format_figure(total), fs, field_name="total_amount", value=to_amount(total))
    s = stay.settlement
    settle = [
        ("医保统筹基金支付", s.fund_paid, "insurance_fund_paid"),
        ("个人账户支付", s.account_paid, None),
        ("个人现金支付", s.cash_paid, "personal_cash_paid"),
        ("个人自付", s.self_pay_category, "self_pay_category"),
        ("个人自费", s.self_expense, "self_expense"),
    ]
    sx = margin + 10
    for label, cents_value, fname in settle:
        canvas.text((sx, y + 69), label, fs - 6, color=form)
        lw = (len(label) + 0.3) * (fs - 6)
        box = canvas.value(
            (sx + lw, y + 67), format_figure(cents_value, False), fs - 4, field_name=fname, value=to_amount(cents_value)
        )
        sx = max(box[2] + 24, sx + lw + 120)
    by = y + 130
    canvas.text((margin + 10, by), "收款单位（章）", fs - 2, color=form)
    canvas.value((margin + 200, by - 2), hospital, fs, field_name="hospital_name")
    canvas.text((xs[2] + 60, by), "收款人", fs - 2, color=form)
    canvas.value((xs[2] + 150, by - 2), stay.cashier, fs)
    canvas.text((xs[3] - 20, by), "开票日期", fs - 2, color=form)
    canvas.value(
        (xs[3] + 100, by - 2),
        date_text(rng, stay.issue_date),
        fs,
        field_name="issue_date",
        value=stay.issue_date.isoformat(),
    )
    _finish_total(canvas, opts, fs)
    # Clerks stamp near 收款单位 but rarely squarely: over the name, the totals row or the date.
    spot = rng.choices(
        (
            (margin + rng.randint(120, 460), by - rng.randint(10, 70)),
            (rng.randint(int(w * 0.45), int(w * 0.75)), y + rng.randint(0, 60)),
            (xs[3] + rng.randint(40, 200), by - rng.randint(20, 60)),
        ),
        (55, 15, 30),
    )[0]
    hospital_seal(canvas, content, spot, rng.randint(82, 100))
    canvas.text((margin + 10, by + 50), "注：本票据为医疗收费凭证，遗失不补；涂改无效。", 18, color=form)
    canvas.crop_height(min(h, by + 90))
    return canvas


def _record_stay_dates(canvas: Canvas, content: ClaimContent) -> None:
    """The 住院时间 line holds both dates; their field boxes are the halves of that printed line."""
    line = canvas.page.lines[-1]
    x0, y0, x1, y1 = line["box"]
    mid = (x0 + x1) / 2
    stay = content.stay
    text = line["text"]
    cut = len(text) // 2
    canvas.page.fields["admission_date"] = {
        "value": stay.admission_date.isoformat(),
        "text": text[:cut],
        "box": (x0, y0, mid, y1),
    }
    canvas.page.fields["discharge_date"] = {
        "value": stay.discharge_date.isoformat(),
        "text": text[cut + 1 :],
        "box": (mid, y0, x1, y1),
    }


# ---- electronic invoices ------------------------------------------------------------------------------------
def _einvoice(content: ClaimContent, rng: random.Random, opts: InvoiceOptions, *, groups: int) -> Canvas:
    w, h = 1400, 900
    form = BROWN_FORM
    printer = Printer(
        offset=(0, 0), color=(20, 20, 24), strength=1.0, dot_matrix=False, face=rng.choice(("song", "hei"))
    )
    canvas = Canvas(w, h, rng, paper=(254, 254, 252), printer=printer)
    stay, person = content.stay, content.person
    name = opts.patient_name or person.name
    hospital = opts.hospital_name or stay.hospital.name
    canvas.watermark(rng.choice(("电子票据", "财政电子票据")), color=(250, 220, 160), strength=0.15, size=40)
    canvas.qr((40, 30), f"https://pjcy.example.gov.cn/v?c={stay.invoice_code}&n={stay.invoice_number}", 150)
    canvas.centered(50, _title(content, True), 42, face="song_bold", color=form)
    canvas.seal((w / 2, 72), 48, "全国统一票据监制章", "财政部监制", oval=True, star=False)
    fs = 22
    info = [
        ("票据代码：", stay.invoice_code, "invoice_code", True),
        ("票据号码：", stay.invoice_number, "invoice_number", False),
        ("校验码：", stay.check_code, None, False),
        ("开票日期：", date_text(rng, stay.issue_date), "issue_date", False),
    ]
    y = 130
    for i, (label, value, fname, extra) in enumerate(info):
        x = 230 + (i % 2) * 520
        yy = y + (i // 2) * 34
        canvas.text((x, yy), label, fs, color=form)
        canvas.value(
            (x + len(label) * fs, yy),
            value,
            fs,
            field_name=fname,
            extra=extra,
            value=stay.issue_date.isoformat() if fname == "issue_date" else None,
        )
    top = 210
    left, right = 40, w - 40
    canvas.text((left + 10, top + 12), "交款人：", fs, color=form)
    canvas.value((left + 10 + 4 * fs, top + 12), name, fs, field_name="patient_name")
    canvas.text((left + 330, top + 12), "交款人统一社会信用代码：", fs, color=form)
    id_box = canvas.value((left + 330 + 12 * fs, top + 12), person.id_number, fs, field_name="id_number", extra=True)
    if rng.random() < 0.5:
        canvas.mask(id_box)
    canvas.text((left + 10, top + 48), "医疗机构类型：综合医院", fs, color=form)
    canvas.text((left + 330, top + 48), "医保类型：", fs, color=form)
    canvas.value((left + 330 + 5 * fs, top + 48), stay.settlement.insurance_type, fs)
    canvas.text((left + 700, top + 48), "性别：", fs, color=form)
    canvas.value((left + 700 + 3 * fs, top + 48), person.gender, fs, field_name="patient_gender")
    if stay.inpatient:
        canvas.text((left + 10, top + 84), "住院号：", fs, color=form)
        canvas.value((left + 10 + 4 * fs, top + 84), stay.record_number, fs)
        canvas.text((left + 330, top + 84), "住院时间：", fs, color=form)
        canvas.value(
            (left + 330 + 5 * fs, top + 84), stay_range_text(rng, stay.admission_date, stay.discharge_date), fs
        )
        _record_stay_dates(canvas, content)
        canvas.text((left + 900, top + 84), "住院科室：", fs, color=form)
    else:
        canvas.text((left + 10, top + 84), "门诊号：", fs, color=form)
        canvas.value((left + 10 + 4 * fs, top + 84), stay.record_number, fs)
        canvas.text((left + 900, top + 84), "就诊科室：", fs, color=form)
    canvas.value((left + 900 + 5 * fs, top + 84), stay.department, fs, field_name="department")
    table_top = top + 120
    col_w = (right - left) / groups
    charges = _charges(content, None)
    n_rows = max(4, -(-len(charges) // groups))
    row_h = 34
    rows = [table_top, table_top + 36, *[table_top + 36 + (i + 1) * row_h for i in range(n_rows)]]
    canvas.grid(left, table_top, [left + g * col_w for g in range(groups + 1)], rows, form, 1)
    for g in range(groups):
        gx = left + g * col_w
        canvas.text((gx + 12, table_top + 7), "项目名称", fs - 2, color=form)
        canvas.text((gx + col_w * 0.5, table_top + 7), "金额（元）", fs - 2, color=form)
        if groups == 2:
            canvas.text((gx + col_w * 0.78, table_top + 7), "备注", fs - 2, color=form)
    for i, (label, cents_value) in enumerate(charges):
        g, r = divmod(i, n_rows)
        gx, ry = left + g * col_w, rows[2 + r - 1]
        canvas.value((gx + 12, ry + 5), label, fs - 2)
        box = canvas.value((gx + col_w * 0.5, ry + 5), format_figure(cents_value, False), fs - 2)
        canvas.page.line_items.append(
            {"name": label, "amount": to_amount(cents_value), "box": (gx + 12, ry + 3, box[2], ry + row_h - 3)}
        )
    y = rows[-1]
    total, words = _amounts(content, opts)
    canvas.rule(left, y + 44, right, y + 44, form, 1)
    canvas.text((left + 10, y + 10), "金额合计（大写）", fs, color=form)
    canvas.value(
        (left + 10 + 8 * fs, y + 10),
        amount_in_words(words),
        fs,
        field_name="amount_in_words",
        value=to_amount(words),
        extra=True,
    )
    canvas.text((right - 360, y + 10), "（小写）", fs, color=form)
    canvas.value(
        (right - 360 + 4 * fs, y + 10), format_figure(total), fs, field_name="total_amount", value=to_amount(total)
    )
    s = stay.settlement
    canvas.text((left + 10, y + 56), "其他信息", fs, color=form)
    entries = [
        ("医保统筹基金支付：", s.fund_paid, "insurance_fund_paid"),
        ("个人账户支付：", s.account_paid, None),
        ("个人现金支付：", s.cash_paid, "personal_cash_paid"),
        ("个人自付：", s.self_pay_category, "self_pay_category"),
        ("个人自费：", s.self_expense, "self_expense"),
    ]
    for i, (label, cents_value, fname) in enumerate(entries):
        ex = left + 130 + (i % 3) * 400
        ey = y + 56 + (i // 3) * 34
        canvas.value(
            (ex, ey),
            format_figure(cents_value, False),
            fs - 2,
            prefix=label,
            field_name=fname,
            value=to_amount(cents_value),
        )
    frame_bottom = y + 56 + 2 * 34 + 16
    canvas.rect((left, top, right, frame_bottom), form)
    by = frame_bottom + 18
    canvas.text((left + 10, by), "收款单位（章）：", fs, color=form)
    canvas.value((left + 10 + 8 * fs, by), hospital, fs, field_name="hospital_name")
    canvas.text((right - 520, by), "复核人：", fs, color=form)
    canvas.value((right - 520 + 4 * fs, by), content.stay.doctor, fs)
    canvas.text((right - 260, by), "收款人：", fs, color=form)
    canvas.value((right - 260 + 4 * fs, by), stay.cashier, fs)
    _finish_total(canvas, opts, fs)
    spot = rng.choice(
        (
            (left + 300 + rng.randint(-40, 120), by - rng.randint(0, 50)),
            (right - rng.randint(250, 450), y + rng.randint(0, 50)),
        )
    )
    canvas.seal(spot, 78, hospital, "电子票据专用章")
    canvas.crop_height(min(h, int(by + 100)))  # a bottom margin, where members write 复印件 and the like
    return canvas


def _layout(
    builder: Callable[..., Canvas], **kw: object
) -> Callable[[ClaimContent, random.Random, InvoiceOptions], Canvas]:
    def build(content: ClaimContent, rng: random.Random, opts: InvoiceOptions) -> Canvas:
        return builder(content, rng, opts, **kw)

    return build


# name → (builder, born digital)
INVOICE_LAYOUTS: dict[str, tuple[Callable[[ClaimContent, random.Random, InvoiceOptions], Canvas], bool]] = {
    "slip_grid3": (_layout(_slip, cols=3, form=RED_FORM, tractor=False), False),
    "slip_grid2": (_layout(_slip, cols=2, form=BLUE_FORM, tractor=False), False),
    "slip_list1": (_layout(_slip, cols=1, form=RED_FORM, tractor=True), False),
    "einvoice_table2": (_layout(_einvoice, groups=2), True),
    "einvoice_table3": (_layout(_einvoice, groups=3), True),
}


def render_invoice(
    content: ClaimContent, rng: random.Random, layout: str, opts: InvoiceOptions | None = None
) -> RenderedPage:
    builder, born_digital = INVOICE_LAYOUTS[layout]
    canvas = builder(content, rng, opts or InvoiceOptions())
    _maybe_hand_marks(canvas, rng)
    return canvas.finish(_doc_type(content), layout, born_digital)


def _maybe_hand_marks(canvas: Canvas, rng: random.Random) -> None:
    """Members and clerks write on slips: a tick near the total, a phone number or 已报销/复印件 in a margin."""
    if rng.random() < 0.35:
        x = rng.randint(60, canvas.width - 300)
        canvas.handwriting((x, canvas.height - 40), rng.choice(("复印件", "已核对", "与原件一致", "报销用")), 26)
    if rng.random() < 0.3:
        # Adjusters circle the total or tick it; they do not write across it.
        tb = canvas.page.fields["total_amount"]["box"]
        if rng.random() < 0.5:
            canvas.scribble((tb[0] - 24, tb[1] - 16, tb[2] + 24, tb[3] + 16), kind="circle")
        else:
            canvas.scribble((tb[2] + 30, tb[1], tb[2] + 70, tb[3]), kind="tick")
    if rng.random() < 0.15:
        canvas.mask(canvas.page.fields["patient_name"]["box"], pad=4)
