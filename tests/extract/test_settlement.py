"""Settlement figures whose leading digits OCR lost, or that no rule read, are restored from the invoice's
identities."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claims_ai.extract.rules import printed_figures
from claims_ai.extract.settlement import restore_settlement
from claims_ai.types import ExtractedField, TextLine

BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))


def _fields(**values: str) -> dict[str, ExtractedField]:
    return {name: ExtractedField(value, 0.85, 1, BOX, value) for name, value in values.items()}


def test_a_figure_missing_its_leading_digit_is_restored() -> None:
    # 84,361.68 = 11,426.20 + 0.00 + 72,935.48, read with the fund's leading "1" lost under its label.
    fields = _fields(total_amount="84361.68", insurance_fund_paid="1426.20", personal_cash_paid="72935.48")
    assert restore_settlement(fields, Decimal("0.00")) == ["insurance_fund_paid"]
    assert fields["insurance_fund_paid"].value == "11426.20"
    assert fields["insurance_fund_paid"].confidence < 0.85 and fields["insurance_fund_paid"].box == BOX


@pytest.mark.parametrize(
    ("total", "cash", "account", "read", "restored", "printed_apart"),
    [
        # "医保统筹基金支付140463": 1,404.63 read without its point; other digits are an altered figure.
        ("3100.00", "118.77", "1576.60", "140463", "1404.63", "140563"),
        # "43408" for 43408.88: the cents lost; printed with its cents, a figure that disagrees stays as read.
        ("50000.00", "6591.12", "0.00", "43408", "43408.88", "43408.00"),
    ],
)
def test_a_figure_whose_point_or_cents_were_lost_is_restored(
    total: str, cash: str, account: str, read: str, restored: str, printed_apart: str
) -> None:
    fields = _fields(total_amount=total, personal_cash_paid=cash)
    fields["insurance_fund_paid"] = ExtractedField(f"{float(read):.2f}", 0.85, 1, BOX, read)
    assert restore_settlement(fields, Decimal(account)) == ["insurance_fund_paid"]
    assert fields["insurance_fund_paid"].value == restored
    fields["insurance_fund_paid"] = ExtractedField(f"{float(printed_apart):.2f}", 0.85, 1, BOX, printed_apart)
    assert restore_settlement(fields, Decimal(account)) == []


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


def _invoice(**changed: str) -> dict[str, ExtractedField]:
    # 38,518.37 = fund 24,476.66 + account 1,540.00 + cash 12,501.71; self pay 5,607.48 + self expense 8,434.23.
    figures = {
        "total_amount": "38518.37",
        "insurance_fund_paid": "24476.66",
        "personal_cash_paid": "12501.71",
        "self_pay_category": "5607.48",
        "self_expense": "8434.23",
    }
    return _fields(**{**figures, **changed})


def test_a_part_read_with_a_digit_too_many_is_cut_back_not_matched() -> None:
    # "个人现金支付912501.71": the label's last stroke read as 9. Restoring the total (938,518.37) and self pay
    # (905,607.48) would make one identity each hold; cutting the 9 makes both hold.
    fields = _invoice(personal_cash_paid="912501.71")
    assert restore_settlement(fields, Decimal("1540.00")) == ["personal_cash_paid"]
    assert fields["personal_cash_paid"].value == "12501.71" and fields["total_amount"].value == "38518.37"
    # The same on the personal account, which is no field: nothing else is changed to match it.
    fields = _invoice()
    assert restore_settlement(fields, Decimal("51540.00")) == []
    assert fields["total_amount"].value == "38518.37" and fields["self_pay_category"].value == "5607.48"


def test_two_figures_that_lost_the_same_digit_are_restored_together() -> None:
    # Cash 55,826.51 and self expense 55,826.51 read as 5826.51 each: restoring cash alone breaks the second
    # identity (it held with both wrong), which restoring self expense then mends.
    fields = _fields(
        total_amount="70000.00",
        insurance_fund_paid="14173.49",
        personal_cash_paid="5826.51",
        self_pay_category="0.00",
        self_expense="5826.51",
    )
    assert restore_settlement(fields, Decimal("0.00")) == ["personal_cash_paid", "self_expense"]
    assert fields["personal_cash_paid"].value == fields["self_expense"].value == "55826.51"


def test_a_part_takes_the_other_reading_of_its_cell_that_the_identities_give() -> None:
    from claims_ai.extract.rules import Candidate

    # "医保统筹基金支付247.56" and "24867.56" both read for the fund: the identity picks the second.
    fields = _invoice(insurance_fund_paid="247.56")
    readings = [Candidate("insurance_fund_paid", v, v, c, BOX) for v, c in (("247.56", 0.81), ("24476.66", 0.8))]
    assert restore_settlement(fields, Decimal("1540.00"), candidates={"insurance_fund_paid": readings}) == [
        "insurance_fund_paid"
    ]
    assert fields["insurance_fund_paid"].value == "24476.66"
    # Never the total: the amount in words arbitrates it.
    fields = _invoice(total_amount="3851.37")
    readings = [Candidate("total_amount", v, v, 0.8, BOX) for v in ("3851.37", "38518.37")]
    assert restore_settlement(fields, Decimal("1540.00"), candidates={"total_amount": readings}) == []


def test_a_figure_whose_last_cents_digit_was_lost_is_restored() -> None:
    fields = _invoice(total_amount="38518.30")
    fields["total_amount"] = ExtractedField("38518.30", 0.85, 1, BOX, "(小写)￥38,518.3")
    assert restore_settlement(fields, Decimal("1540.00")) == ["total_amount"]
    assert fields["total_amount"].value == "38518.37"
    # A figure read with both cents that merely disagrees stays as read.
    fields["total_amount"] = ExtractedField("38518.30", 0.85, 1, BOX, "(小写)￥38,518.30")
    assert restore_settlement(fields, Decimal("1540.00")) == []


def test_a_misread_part_is_not_explained_away_by_changing_two_others() -> None:
    # The fund "10423.78" misread (40423.78): adding 30000 to the personal account and to self expense would make
    # both identities hold, but the account, read whole, never "lost" digits.
    fields = _fields(
        total_amount="53503.08",
        insurance_fund_paid="10423.78",
        personal_cash_paid="12067.30",
        self_pay_category="12134.30",
        self_expense="945.00",
    )
    assert restore_settlement(fields, Decimal("1012.00")) == []
    assert fields["self_expense"].value == "945.00"


def test_a_total_is_never_cut_back_and_one_the_words_confirm_is_never_restored() -> None:
    # A total with a digit more than its parts is an altered total (or a misread): never cut back. (The fund
    # solved from it ends in the fund's digits read, so the fund counts as one that lost its leading digits.)
    fields = _invoice(total_amount="938518.37")
    assert "total_amount" not in restore_settlement(fields, Decimal("1540.00"))
    assert fields["total_amount"].value == "938518.37"
    # A total with its leading digit lost is restored, unless the amount in words says it is what was read.
    fields = _invoice(total_amount="8518.37")
    assert restore_settlement(fields, Decimal("1540.00")) == ["total_amount"]
    assert fields["total_amount"].value == "38518.37"
    fields = _invoice(total_amount="8518.37")
    assert restore_settlement(fields, Decimal("1540.00"), words_total="8518.37") == []


def test_a_figure_no_rule_read_is_taken_from_the_page_when_the_identity_prints_it() -> None:
    # A grid invoice: 个人现金支付's label was lost, its figure stands alone in its cell; the tagger guessed 728.00.
    lines = [_line("51,600.17"), _line("医保统筹基金支付38235.04"), _line("728.00"), _line("12637.13")]
    fields = _fields(total_amount="51600.17", insurance_fund_paid="38235.04")
    fields["personal_cash_paid"] = ExtractedField("728.00", 0.28, 1, BOX, "728.00", "model")
    assert restore_settlement(fields, Decimal("728.00"), printed_figures(lines)) == ["personal_cash_paid"]
    assert fields["personal_cash_paid"].value == "12637.13" and fields["personal_cash_paid"].source == "rules"
    assert fields["personal_cash_paid"].box == lines[3].box
    # Missing altogether: the same.
    del fields["personal_cash_paid"]
    assert restore_settlement(fields, Decimal("728.00"), printed_figures(lines)) == ["personal_cash_paid"]
    # Not printed on the page: nothing to take.
    del fields["personal_cash_paid"]
    assert restore_settlement(fields, Decimal("728.00"), printed_figures(lines[:3])) == []
    # A figure a rule read is not overwritten, even where the page prints the identity's answer.
    fields["personal_cash_paid"] = ExtractedField("12637.18", 0.85, 1, BOX, "12637.18", "rules")
    assert restore_settlement(fields, Decimal("728.00"), printed_figures(lines)) == []


def test_printed_figures_are_amounts_with_cents_ending_a_line() -> None:
    lines = [_line("个人现金支使35159.80"), _line("1,064.00"), _line("住院号 2274154"), _line("No 3412296863")]
    assert set(printed_figures(lines)) == {"35159.80", "1064.00"}
    assert printed_figures(lines)["35159.80"].text == "35159.80"


def _line(text: str) -> TextLine:
    return TextLine(text, 0.99, ((0.0, 0.0), (20.0 * len(text), 0.0), (20.0 * len(text), 20.0), (0.0, 20.0)))
