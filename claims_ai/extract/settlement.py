"""The settlement block of a medical invoice obeys two identities:

    医保统筹基金支付 + 个人账户支付 + 个人现金支付 = 合计
    个人自付 + 个人自费 = 个人账户支付 + 个人现金支付

A figure printed out of register over its label loses its leading digits to OCR ("医保统筹基金支付1426.20" for
11426.20), its point ("140463" for 1404.63), its cents ("43408" for 43408.88) or its last digit ("33,685.5").
Solved from the other figures, an identity gives a number that ends in the digits read, has exactly the digits
printed, the whole yuan read or the digits read and one more: the figure is restored to it, at lower confidence.
A figure no rule read (its label lost, or printed in a grid cell apart from it) is taken from the page when the
identity's answer is printed there. A part read with one or two digits too many in front (a label's last stroke
read as "9": "912501.71" for 12501.71) is cut back, never the total.

One change is made at a time, the one after which the most identities hold, and only if more hold than before:
a part read wrong must not be "confirmed" by restoring the total and another part to match it (adding 900000 to
a figure keeps its last digits). Nothing else is changed: a figure a rule read that merely disagrees (an altered
amount), or a total the amount in words confirms, stays as read for the checks to report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from claims_ai.extract.normalize import amount_digits
from claims_ai.types import ExtractedField

if TYPE_CHECKING:  # rules imports this module's names
    from claims_ai.extract.rules import Candidate

__all__ = ["ACCOUNT", "restore_settlement"]

ACCOUNT = "account_paid"  # 个人账户支付: not a contract field, but part of both identities
_TOTAL, _FUND, _CASH = "total_amount", "insurance_fund_paid", "personal_cash_paid"
_SELF_PAY, _SELF_EXPENSE = "self_pay_category", "self_expense"
_MIN_DIGITS = 3  # "0.00" or "5" ends too many numbers to say anything
_WHOLE_FIGURE = re.compile(r"\d[\d,]*\.?")
_ONE_DECIMAL = re.compile(r"\d\.\d$")  # a figure whose last cents digit is off the cell or under a seal


# Each figure with the figures that add up to it and those taken off, once for each identity it is in.
_SOLUTIONS = (
    (_FUND, (_TOTAL,), (ACCOUNT, _CASH)),
    (_CASH, (_TOTAL,), (_FUND, ACCOUNT)),
    (_TOTAL, (_FUND, ACCOUNT, _CASH), ()),
    (_SELF_PAY, (ACCOUNT, _CASH), (_SELF_EXPENSE,)),
    (_SELF_EXPENSE, (ACCOUNT, _CASH), (_SELF_PAY,)),
    (_CASH, (_SELF_PAY, _SELF_EXPENSE), (ACCOUNT,)),
    (ACCOUNT, (_TOTAL,), (_FUND, _CASH)),
    (ACCOUNT, (_SELF_PAY, _SELF_EXPENSE), (_CASH,)),
)
_IDENTITIES = (((_FUND, ACCOUNT, _CASH), (_TOTAL,)), ((_SELF_PAY, _SELF_EXPENSE), (ACCOUNT, _CASH)))


def restore_settlement(
    fields: dict[str, ExtractedField],
    account: Decimal | None,
    printed: Mapping[str, Candidate] | None = None,
    page: int = 1,
    words_total: str | None = None,
    candidates: Mapping[str, Sequence[Candidate]] | None = None,
) -> list[str]:
    """Restore figures whose digits, point or cents OCR lost or added, or that no rule read but the page prints
    (``printed``: :func:`claims_ai.extract.rules.printed_figures`); returns the fields restored.
    ``words_total``: the amount in words, which fixes a total that equals it. ``candidates``: each field's readings
    by the rules; a part whose other reading is what the identity gives takes it."""
    parts = dict(fields)
    if account is not None:  # the personal account is no contract field, but a part of both identities
        parts[ACCOUNT] = ExtractedField(f"{account:.2f}", 1.0, page, None, f"{account:.2f}", "rules")
    fixed = {_TOTAL} if words_total is not None and _value(parts, _TOTAL) == Decimal(words_total) else set()
    on_page = _OnPage(printed or {}, candidates or {}, page)
    restored: list[str] = []
    while True:
        holding = _holding(parts)
        best: tuple[tuple[int, int, bool], str, ExtractedField] | None = None
        for name, field, gained in _changes(parts, fixed | set(restored), on_page):
            trial = {**parts, name: field}
            now = _holding(trial)
            # A change may break one identity that a second change then mends (cash and self expense both read
            # without their leading digit): it counts with the best change that can follow it.
            then = [_holding({**trial, n: f}) for n, f, _ in _changes(trial, fixed | {*restored, name}, on_page)]
            score = (max([now, *then]), now, not gained)  # ties: more at once, a digit lost before one added
            if score[0] > holding and (best is None or score > best[0]):
                best = (score, name, field)
        if best is None:
            break
        _, name, field = best
        parts[name] = field
        restored.append(name)
    restored = [name for name in restored if name != ACCOUNT]
    fields.update({name: parts[name] for name in restored})
    return restored


@dataclass(frozen=True)
class _OnPage:
    printed: Mapping[str, Candidate]  # figures printed on the page, by value
    candidates: Mapping[str, Sequence[Candidate]]  # each field's readings by the rules
    page: int


def _changes(
    parts: Mapping[str, ExtractedField], frozen: set[str], on_page: _OnPage
) -> Iterator[tuple[str, ExtractedField, bool]]:
    """Each figure not yet changed as an identity solves it, when the page or the reading supports that."""
    for name, plus, minus in _SOLUTIONS:
        if name not in frozen and (change := _change(parts, name, plus, minus, on_page)) is not None:
            yield name, *change


def _value(parts: Mapping[str, ExtractedField], name: str) -> Decimal | None:
    return Decimal(str(parts[name].value)) if name in parts else None


def _sum(parts: Mapping[str, ExtractedField], names: tuple[str, ...]) -> Decimal | None:
    """The figures' sum; None when one of them is missing."""
    values = [_value(parts, n) for n in names]
    return sum((v for v in values if v is not None), Decimal(0)) if None not in values else None


def _holding(parts: Mapping[str, ExtractedField]) -> int:
    """How many identities have all their figures and hold."""
    count = 0
    for left, right in _IDENTITIES:
        a, b = _sum(parts, left), _sum(parts, right)
        count += a is not None and a == b
    return count


def _change(
    parts: Mapping[str, ExtractedField],
    name: str,
    plus: tuple[str, ...],
    minus: tuple[str, ...],
    on_page: _OnPage,
) -> tuple[ExtractedField, bool] | None:
    """The figure ``name`` as the identity solves it, when the page or the reading supports it (and whether the
    change drops digits that were read)."""
    added, taken = _sum(parts, plus), _sum(parts, minus)
    if added is None or taken is None or added < taken:
        return None
    solved = added - taken
    read, value = parts.get(name), f"{solved:.2f}"
    figure = on_page.printed.get(value)
    if not (figure and (read is None or (read.source == "model" and read.value != figure.value))):
        # Another reading of this field's own cell (never the total's: the words arbitrate it).
        runner_up = (c for c in on_page.candidates.get(name, ()) if c.value == value)
        figure = next(runner_up, None) if read is not None and read.value != value and name != _TOTAL else None
    if figure:
        box, text = figure.box, figure.text
        return ExtractedField(value, round(figure.confidence * 0.8, 4), on_page.page, box, text, "rules"), False
    if read is None:
        return None
    have, want = amount_digits(str(read.value)), amount_digits(value)
    if want == have:
        return None
    lost_digits = len(have) >= _MIN_DIGITS and want.endswith(have)
    lost_point = len(want) >= _MIN_DIGITS and want == amount_digits(read.text)  # "140463": 1404.63
    lost_cents = (  # "43408" or "65630." for 43408.88: the cents under a seal or off the cell
        _WHOLE_FIGURE.fullmatch(read.text.strip()) is not None
        and len(have) >= _MIN_DIGITS
        and amount_digits(str(int(solved))) == amount_digits(read.text)
        and solved != int(solved)
    )
    gained = name != _TOTAL and len(want) >= _MIN_DIGITS and have.endswith(want) and len(have) - len(want) <= 2
    lost_last = _ONE_DECIMAL.search(read.text) is not None and want[:-1] == amount_digits(read.text)  # "33,685.5"
    if name == ACCOUNT:  # read by the rules only: a label's stroke read as a digit, never digits lost
        lost_digits = lost_point = lost_cents = lost_last = False
    if not (lost_digits or lost_point or lost_cents or gained or lost_last):
        return None
    return replace(read, value=value, confidence=round(read.confidence * 0.8, 4)), gained
