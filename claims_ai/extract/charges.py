"""Charge lines read from a table by its column heads: a bill's rows (费用明细清单) and an invoice's charge
grid (项目 金额 printed in two or three column pairs).

A row is found through its amount: a figure under a 金额 head, below the head row and above the grand total
(合计). Its name is the cell under the name head (项目, 项目名称 …) nearest left of that 金额 head, on the same row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims_ai.extract.normalize import parse_amount
from claims_ai.types import LineItem, TextLine

__all__ = ["ChargeLine", "charge_lines", "has_amount_head"]

_AMOUNT_HEADS = frozenset({"金额", "金额(元)", "金额（元）", "费用", "费用(元)", "费用（元）"})
# A name head may be read together with the 序号 head before it ("序号项目名称").
_NAME_HEADS = ("项目名称", "收费项目", "项目", "名称", "费用名称", "药品名称", "收费项目名称", "药品/项目名称")
_GRAND_TOTAL = re.compile("合计|总计|总金额|总费用")
_FIGURE = re.compile(r"\d[\d,]*(?:[.,:：;；]\d{1,2})?")
_CENTS_AFTER_COMMA = re.compile(r"[,，](?=\d{2}$)")  # "280,00": the point read as a comma
_POINT = re.compile("[.,:：;；]")  # amounts print their cents; a bare number is a quantity or a row number
_SUBTOTAL = re.compile("小计")
_TRAILING = ".:：,，;；"  # specks and stray points after a figure


@dataclass(frozen=True)
class ChargeLine:
    item: LineItem  # the name, the amount and the amount's box
    confidence: float  # the lower of the two cells' OCR confidences


@dataclass(frozen=True)
class _Cells:
    """Line extents in the upright, levelled page (see rules._Geometry), and the cleaned text of each line."""

    texts: list[str]
    x0: np.ndarray
    x1: np.ndarray
    y0: np.ndarray
    y1: np.ndarray

    def centre(self, index: int) -> tuple[float, float]:
        return (self.x0[index] + self.x1[index]) / 2, (self.y0[index] + self.y1[index]) / 2

    def height(self, index: int) -> float:
        return max(float(self.y1[index] - self.y0[index]), 1.0)

    def offsets(self, index: int, slope: float) -> np.ndarray:
        """Each cell's centre below (+) or above (-) the straight line through ``index`` at ``slope`` (dy/dx)."""
        x, y = self.centre(index)
        return (self.y0 + self.y1) / 2 - (y + slope * ((self.x0 + self.x1) / 2 - x))

    def along(self, index: int, slope: float) -> list[int]:
        """The other cells on the straight line through ``index`` at ``slope``."""
        near = np.abs(self.offsets(index, slope)) < 0.5 * self.height(index)
        return [int(i) for i in np.flatnonzero(near) if i != index]


def _cell_text(text: str) -> str:
    """A cell's text without spacing ("金 额") or specks and stray points after a figure."""
    return re.sub(r"\s", "", text).strip(_TRAILING)


def has_amount_head(lines: Sequence[TextLine]) -> bool:
    """Whether any line is a 金额 column head: most pages have none and are spared the table's geometry."""
    return any(_cell_text(line.text) in _AMOUNT_HEADS for line in lines if len(line.text) < 12)


def charge_lines(
    lines: Sequence[TextLine], x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, y1: np.ndarray
) -> list[ChargeLine]:
    """The table's rows, top down under each 金额 head in turn; empty when no 金额 head has a name head on its row."""
    texts = [_cell_text(line.text) for line in lines]
    cells = _Cells(texts, x0, x1, y0, y1)
    named = [(_name_head(cells, amount), amount) for amount, t in enumerate(texts) if t in _AMOUNT_HEADS]
    pairs = [(name, amount) for name, amount in named if name is not None]
    if not pairs:
        return []
    # The head row's slope, measured across its widest span: from the first name head to the last amount head.
    first, last = min(pairs, key=lambda p: x0[p[0]])[0], max(pairs, key=lambda p: x0[p[1]])[1]
    (fx, fy), (lx, ly) = cells.centre(first), cells.centre(last)
    slope = (ly - fy) / (lx - fx)
    heads = sorted({first, last, *cells.along(last, slope)}, key=lambda i: cells.centre(i)[0])
    # A cell is in the column of the head its centre is under (columns end halfway between heads' centres); a
    # name also where it starts (long ones run on past their column).
    centres = np.array([cells.centre(i)[0] for i in heads])
    bounds = (centres[1:] + centres[:-1]) / 2
    column = np.asarray(heads)[np.searchsorted(bounds, (x0 + x1) / 2)]
    start_column = np.asarray(heads)[np.searchsorted(bounds, x0)]
    found = []
    for name, amount in pairs:
        if amount in heads and name in heads:
            found += _rows(lines, cells, heads, column, start_column, name, amount, slope)
    return found if len(found) >= 2 else []


def _name_head(cells: _Cells, amount: int) -> int | None:
    """The name head nearest left of an amount head on its row (the head row may run at a slant on a photo)."""
    ax, ay = cells.centre(amount)
    names = []
    for i, text in enumerate(cells.texts):
        x, y = cells.centre(i)
        if text.endswith(_NAME_HEADS) and x < ax and abs(y - ay) < 0.15 * (ax - x):
            names.append(i)
    return max(names, key=lambda i: cells.centre(i)[0]) if names else None


def _rows(
    lines: Sequence[TextLine],
    cells: _Cells,
    heads: list[int],
    column: np.ndarray,
    start_column: np.ndarray,
    name_head: int,
    amount_head: int,
    slope: float,
) -> list[ChargeLine]:
    texts = cells.texts
    below = cells.offsets(amount_head, slope) > 0.5 * cells.height(amount_head)
    totals = [i for i in np.flatnonzero(below) if _GRAND_TOTAL.search(texts[i])]
    if totals:  # the table ends at its grand total
        below &= cells.offsets(int(min(totals, key=lambda i: cells.y0[i])), slope) < -0.5 * cells.height(amount_head)
    # Cells under the two heads, top down (measured from the head row, so a tilted page keeps their order).
    depth = cells.offsets(amount_head, slope)
    rows = sorted(np.flatnonzero(below).tolist(), key=lambda i: depth[i])
    amounts = [i for i in rows if column[i] == amount_head and _FIGURE.fullmatch(texts[i]) and _POINT.search(texts[i])]
    in_names = (column == name_head) | (start_column == name_head)
    names = [i for i in rows if in_names[i] and not _FIGURE.fullmatch(texts[i]) and not _SUBTOTAL.search(texts[i])]
    names_by_amount = _pair([depth[i] for i in amounts], [depth[i] for i in names], cells.height(amount_head))
    found = []
    for k, index in enumerate(amounts):
        amount = parse_amount(_CENTS_AFTER_COMMA.sub(".", texts[index]))
        if amount is None or k not in names_by_amount:
            continue
        name = names[names_by_amount[k]]
        confidence = min(lines[index].confidence, lines[name].confidence)
        found.append(ChargeLine(LineItem(texts[name], amount, lines[index].box), confidence))
    return found


_BAND = 4  # a name is at most this many rows from its amount's position: cells lost or split are few


def _pair(amounts: list[float], names: list[float], height: float) -> dict[int, int]:
    """Which name (by position top down) is each amount's. A row's name and amount lie at about the same depth
    below the head row, but on a curled or tilted photo a column drifts against another by up to a row height
    over the table, so nearest depth mismatches rows. The rows keep their order and the drift changes little
    from one row to the next: pairs are chosen in order (an amount or name may have no partner: OCR lost or split
    a cell) so that the drift changes least, starting from none at the head row."""
    gap = 0.4 * height  # a row left unpaired costs less than a drift of a whole row between neighbours
    best: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {}
    for i, a in enumerate(amounts):
        for j in range(max(0, i - _BAND), min(len(names), i + _BAND + 1)):
            n = names[j]
            drift = n - a
            options: list[tuple[float, tuple[int, int] | None]] = [(abs(drift) + gap * (i + j), None)]
            for pi in (i - 1, i - 2):
                for pj in (j - 1, j - 2):
                    if (pi, pj) in best:
                        skipped = (i - pi - 1) + (j - pj - 1)
                        change = abs(drift - (names[pj] - amounts[pi]))
                        options.append((best[pi, pj][0] + change + gap * skipped, (pi, pj)))
            best[i, j] = min(options, key=lambda o: o[0])
    if not best:
        return {}
    end = min(best, key=lambda ij: best[ij][0] + gap * ((len(amounts) - ij[0] - 1) + (len(names) - ij[1] - 1)))
    pairs: dict[int, int] = {}
    at: tuple[int, int] | None = end
    while at is not None:
        pairs[at[0]] = at[1]
        at = best[at][1]
    return pairs
