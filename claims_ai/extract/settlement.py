"""The settlement block of a medical invoice obeys two identities:

    医保统筹基金支付 + 个人账户支付 + 个人现金支付 = 合计
    个人自付 + 个人自费 = 个人账户支付 + 个人现金支付

A figure printed out of register over its label loses its leading digits to OCR ("医保统筹基金支付1426.20" for
11426.20), its point ("140463" for 1404.63) or its cents ("43408" for 43408.88). Solved from the other figures,
an identity gives a number that ends in the digits read, has exactly the digits printed, or the whole yuan read:
the figure is restored to it, at lower confidence.
A figure no rule read (its label lost, or printed in a grid cell apart from it) is taken from the page when the
identity's answer is printed there. Nothing else is changed: a figure a rule read that merely disagrees (an
altered amount) stays as read for the checks to report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
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


def restore_settlement(
    fields: dict[str, ExtractedField],
    account: Decimal | None,
    printed: Mapping[str, Candidate] | None = None,
    page: int = 1,
) -> list[str]:
    """Restore figures whose leading digits OCR lost, or that no rule read but the page prints (``printed``:
    :func:`claims_ai.extract.rules.printed_figures`); returns the names restored."""

    def amount(name: str) -> Decimal | None:
        return account if name == ACCOUNT else (Decimal(str(fields[name].value)) if name in fields else None)

    # Each figure with the figures that add up to it and those taken off.
    solutions = [
        (_FUND, (_TOTAL,), (ACCOUNT, _CASH)),
        (_CASH, (_TOTAL,), (_FUND, ACCOUNT)),
        (_TOTAL, (_FUND, ACCOUNT, _CASH), ()),
        (_SELF_PAY, (ACCOUNT, _CASH), (_SELF_EXPENSE,)),
        (_SELF_EXPENSE, (ACCOUNT, _CASH), (_SELF_PAY,)),
    ]
    restored = []
    for name, plus, minus in solutions:
        read = fields.get(name)
        added = [a for n in plus if (a := amount(n)) is not None]
        taken = [a for n in minus if (a := amount(n)) is not None]
        complete = len(added) == len(plus) and len(taken) == len(minus)
        solved = sum(added, Decimal(0)) - sum(taken, Decimal(0)) if complete else None
        if solved is None or solved < 0:
            continue
        figure = (printed or {}).get(f"{solved:.2f}")
        if figure and (read is None or (read.source == "model" and read.value != figure.value)):
            fields[name] = ExtractedField(
                figure.value, round(figure.confidence * 0.8, 4), page, figure.box, figure.text, "rules"
            )
            restored.append(name)
            continue
        if read is None:
            continue
        have, want = amount_digits(str(read.value)), amount_digits(f"{solved:.2f}")
        lost_digits = len(have) >= _MIN_DIGITS and want != have and want.endswith(have)
        lost_point = len(want) >= _MIN_DIGITS and want == amount_digits(read.text) != have  # "140463": 1404.63
        lost_cents = (  # "43408" or "65630." for 43408.88: the cents under a seal or off the cell
            _WHOLE_FIGURE.fullmatch(read.text.strip()) is not None
            and len(have) >= _MIN_DIGITS
            and amount_digits(str(int(solved))) == amount_digits(read.text)
            and solved != int(solved)
        )
        if lost_digits or lost_point or lost_cents:
            fields[name] = replace(read, value=f"{solved:.2f}", confidence=round(read.confidence * 0.8, 4))
            restored.append(name)
    return restored
