"""Charge lines read from a table by its column heads, and a bill's total checked against its rows."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from claims_ai.extract.charges import charge_lines
from claims_ai.extract.fields import FieldExtractor
from claims_ai.extract.rules import RuleExtractor
from claims_ai.types import LineItem, OcrResult, TextLine

HEADS = {"序号": 60, "项目名称": 120, "规格": 470, "单位": 640, "数量": 710, "单价": 800, "金额": 930}
ROWS = [
    ("血塞通注射液", "2", "20.00", "40.00"),
    ("复方丹参滴丸", "2", "38.67", "77.34"),
    ("肾功能检查", "2", "51.90", "103.80"),
    ("一次性使用吻合器", "2", "4528.31", "9056.62"),
    ("双人间床位费", "5", "105.21", "526.05"),
]


def _line(text: str, x: float, y: float, confidence: float = 0.99) -> TextLine:
    w = 22.0 * len(text) if any("\u4e00" <= c <= "\u9fff" for c in text) else 12.0 * len(text)
    return TextLine(text, confidence, ((x, y), (x + w, y), (x + w, y + 24), (x, y + 24)))


def _bill(rows: list[tuple[str, str, str, str]], drift: float = 0.0, total: str | None = None) -> list[TextLine]:
    """A bill's table; ``drift``: how far each row's amount sits lower than its name, growing row by row (a
    curled photo)."""
    lines = [_line(head, x, 100) for head, x in HEADS.items()]
    for k, (name, quantity, price, amount) in enumerate(rows, start=1):
        y = 100 + 34 * k
        shift = drift * k
        lines += [_line(str(k), 60, y), _line(name, 120, y), _line(quantity, 710, y + shift * 0.6)]
        lines += [_line(price, 800, y + shift * 0.8), _line(amount, 930, y + shift)]
    if total is not None:
        lines.append(_line(f"费用合计：{total}", 700, 100 + 34 * (len(rows) + 1) + 12))
    return lines


def _charges(lines: list[TextLine]) -> list:
    quads = np.array([line.box for line in lines], dtype=float)
    xs, ys = quads[:, :, 0], quads[:, :, 1]
    return charge_lines(lines, xs.min(1), xs.max(1), ys.min(1), ys.max(1))


def test_each_row_is_read_with_its_name() -> None:
    found = _charges(_bill(ROWS, total="9803.81"))
    assert [(c.item.name, c.item.amount) for c in found] == [(name, amount) for name, _, _, amount in ROWS]


def test_rows_that_drift_by_more_than_a_row_across_a_curled_photo_keep_their_names() -> None:
    rows = [(f"项目{k}", "1", f"{k}.00", f"{k}.00") for k in range(1, 17)]
    found = _charges(_bill(rows, drift=3.0))  # the last amount sits 48 px (more than a row) below its name
    assert [(c.item.name, c.item.amount) for c in found] == [(name, amount) for name, _, _, amount in rows]


def test_a_row_whose_name_ocr_lost_is_left_out_and_the_others_keep_theirs() -> None:
    lines = [line for line in _bill(ROWS, drift=2.0) if line.text != "肾功能检查"]
    found = _charges(lines)
    assert [c.item.name for c in found] == ["血塞通注射液", "复方丹参滴丸", "一次性使用吻合器", "双人间床位费"]
    assert [c.item.amount for c in found] == ["40.00", "77.34", "9056.62", "526.05"]


def test_subtotals_and_the_grand_total_are_not_rows() -> None:
    lines = _bill(ROWS[:2], total="117.34")
    lines.append(_line("西药费小计：117.34", 120, 100 + 34 * 3))
    lines.append(_line("117.34", 930, 100 + 34 * 4 + 12))  # below the grand total's line
    assert [c.item.amount for c in _charges(lines)] == ["40.00", "77.34"]


def test_an_invoice_charge_grid_in_three_column_pairs() -> None:
    lines = []
    for x in (100, 500, 900):
        lines += [_line("项目", x, 100), _line("金额", x + 200, 100)]
    grid = [("床位费", "1,064.00"), ("检查费", "3999.92"), ("化验费", "1846.39"), ("手术费", "10058.00")]
    grid += [("护理费", "296.24"), ("西药费", "5711.80")]
    for k, (name, amount) in enumerate(grid):
        x, y = (100, 500, 900)[k // 2], 140 + 40 * (k % 2)
        lines += [_line(name, x, y), _line(amount, x + 200, y)]
    lines.append(_line("合计（大写）伍万壹仟元", 100, 240))
    found = _charges(lines)
    assert sorted((c.item.name, c.item.amount) for c in found) == sorted((n, a.replace(",", "")) for n, a in grid)


def test_a_page_without_a_table_has_no_charges() -> None:
    assert _charges([_line("金额", 930, 100), _line("40.00", 930, 140)]) == []


def _extract(lines: list[TextLine]) -> dict:
    fields, _ = FieldExtractor(RuleExtractor(), None).extract(OcrResult(tuple(lines), 0), 1240, 1754, 1, {"page": 1})
    return fields


def test_the_rows_are_the_bills_line_items() -> None:
    items = _extract(_bill(ROWS, total="9803.81"))["line_items"]
    assert [(i.name, i.amount) for i in items.value] == [(name, amount) for name, _, _, amount in ROWS]
    assert all(isinstance(i, LineItem) for i in items.value) and items.source == "rules"


def test_a_total_that_lost_its_last_digits_is_restored_from_the_rows() -> None:
    # "费用合计：9803" with the cents printed apart ("81" read as another line), and "9803.8" with one lost.
    assert _extract(_bill(ROWS, total="9803"))["total_amount"].value == "9803.81"
    assert _extract(_bill(ROWS, total="9803.8"))["total_amount"].value == "9803.81"
    # A seal over the figure's end: four digits read are enough for the rows' sum to give the rest.
    rows = [*ROWS, ("手术治疗", "2", "9125.95", "18251.90")]  # 28055.71 in all
    assert _extract(_bill(rows, total="2805"))["total_amount"].value == "28055.71"
    assert _extract(_bill(rows, total="28"))["total_amount"].value == "28.00"  # too few digits to tell


def test_a_total_that_disagrees_with_its_rows_stays_as_read() -> None:
    # One digit off (misread, or altered after printing: they look the same), or far off (the first page of a
    # longer bill, or rows OCR lost): the checks report it, the total is not changed.
    for total in ("9808.81", "25803.81"):
        assert _extract(_bill(ROWS, total=total))["total_amount"].value == total


def test_rows_that_do_not_account_for_the_total_are_not_served() -> None:
    # A row OCR lost: the rows' sum is short of the total, which the claim checks would read as a mismatch.
    lines = [line for line in _bill(ROWS, total="9803.81") if line.text not in ("肾功能检查", "103.80")]
    fields = _extract(lines)
    assert fields["total_amount"].value == "9803.81" and "line_items" not in fields


def test_rows_that_match_the_amount_in_words_but_not_the_figure_are_served() -> None:
    # The figure altered after printing: the words and the rows still agree, which the fraud score looks for.
    lines = [*_bill(ROWS, total="19803.81"), _line("合计（大写）玖仟捌佰零叁元捌角壹分", 100, 400)]
    fields = _extract(lines)
    assert fields["total_amount"].value == "19803.81"
    assert sum(Decimal(i.amount) for i in fields["line_items"].value) == Decimal("9803.81")


def _invoice(figure: str) -> list[TextLine]:
    """An invoice's charge grid (3999.92 + 1846.39 = 5846.31), its total in words and as a figure."""
    lines = [_line("项目", 100, 100), _line("金额", 300, 100)]
    lines += [_line("检查费", 100, 140), _line("3999.92", 300, 140)]
    lines += [_line("化验费", 100, 180), _line("1846.39", 300, 180)]
    return [*lines, _line("合计（大写）伍仟捌佰肆拾陆元叁角壹分", 100, 240), _line(f"(小写)￥{figure}", 900, 240)]


def test_a_damaged_figure_takes_the_total_the_words_and_the_charges_agree_on() -> None:
    # "5,846.3" and "5.846318" are not figures a printer prints: OCR lost or added a digit.
    for damaged in ("5,846.3", "5.846318"):
        fields = _extract(_invoice(damaged))
        assert fields["total_amount"].value == "5846.31" and fields["total_amount"].text == damaged
    # A well-formed figure that disagrees with both may have been altered: it stays for the checks to report.
    assert _extract(_invoice("5,848.31"))["total_amount"].value == "5848.31"
