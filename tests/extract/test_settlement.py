"""Settlement figures whose leading digits OCR lost are restored from the invoice's identities."""

from __future__ import annotations

from decimal import Decimal

from claims_ai.extract.settlement import restore_settlement
from claims_ai.types import ExtractedField

BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))


def _fields(**values: str) -> dict[str, ExtractedField]:
    return {name: ExtractedField(value, 0.85, 1, BOX, value) for name, value in values.items()}


def test_a_figure_missing_its_leading_digit_is_restored() -> None:
    # 84,361.68 = 11,426.20 + 0.00 + 72,935.48, read with the fund's leading "1" lost under its label.
    fields = _fields(total_amount="84361.68", insurance_fund_paid="1426.20", personal_cash_paid="72935.48")
    assert restore_settlement(fields, Decimal("0.00")) == ["insurance_fund_paid"]
    assert fields["insurance_fund_paid"].value == "11426.20"
    assert fields["insurance_fund_paid"].confidence < 0.85 and fields["insurance_fund_paid"].box == BOX


def test_self_pay_and_self_expense_share_what_the_member_paid() -> None:
    fields = _fields(
        total_amount="10000.00",
        insurance_fund_paid="5000.00",
        personal_cash_paid="4500.00",
        self_pay_category="246.42",  # printed 4246.42: with 753.58 it makes account 500 + cash 4,500
        self_expense="753.58",
    )
    assert restore_settlement(fields, Decimal("500.00")) == ["self_pay_category"]
    assert fields["self_pay_category"].value == "4246.42"


def test_figures_that_merely_disagree_are_left_for_the_checks() -> None:
    # An altered fund figure (not a suffix of what the identity gives) is not "repaired" into agreement.
    fields = _fields(total_amount="84361.68", insurance_fund_paid="9426.20", personal_cash_paid="72935.48")
    assert restore_settlement(fields, Decimal("0.00")) == []
    assert fields["insurance_fund_paid"].value == "9426.20"
    # Without the personal account the identity cannot be solved.
    fields = _fields(total_amount="84361.68", insurance_fund_paid="1426.20", personal_cash_paid="72935.48")
    assert restore_settlement(fields, None) == []
    # Too few digits to tell.
    fields = _fields(total_amount="100.00", insurance_fund_paid="0.00", personal_cash_paid="100.00")
    assert restore_settlement(fields, Decimal("0.00")) == []
