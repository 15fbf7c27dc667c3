import csv
from pathlib import Path

import pytest

from claims_datasets.content import (
    bank_card_number,
    diagnosis_table,
    id_number,
    make_claim_content,
    severity_tier,
    with_total_scaled,
)

ICD_TABLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "icd10" / "icd10_yibao_v2.csv"


def _id_valid(number: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17]


def _luhn_valid(number: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def test_same_seed_same_content_and_different_seeds_differ() -> None:
    assert make_claim_content(42) == make_claim_content(42)
    assert make_claim_content(42) != make_claim_content(43)


@pytest.mark.parametrize("seed", range(40))
def test_charges_and_settlement_add_up(seed: int) -> None:
    content = make_claim_content(seed, inpatient=seed % 4 != 0)
    stay = content.stay
    s = stay.settlement
    assert sum(i.amount_cents for i in stay.items) == s.total
    assert sum(c for _, c in stay.category_totals()) == s.total
    assert s.fund_paid + s.account_paid + s.cash_paid == s.total
    assert s.self_pay_category + s.self_expense == s.account_paid + s.cash_paid
    assert min(s.fund_paid, s.account_paid, s.cash_paid, s.self_pay_category, s.self_expense) >= 0
    assert stay.admission_date <= stay.discharge_date <= stay.issue_date
    person = content.person
    assert _id_valid(person.id_number)
    assert person.id_number[6:14] == person.birth_date.strftime("%Y%m%d")
    assert int(person.id_number[16]) % 2 == (1 if person.gender == "男" else 0)
    assert _luhn_valid(content.bank_card)
    assert 18 <= person.age_on(stay.admission_date) <= 73


def test_fictitious_numbers_have_valid_checksums() -> None:
    import datetime as dt
    import random

    rng = random.Random(0)
    for _ in range(200):
        assert _id_valid(id_number(rng, dt.date(1980, 5, 17), "女"))
        assert _luhn_valid(bank_card_number(rng, "622202"))


def test_scaling_keeps_sums() -> None:
    content = make_claim_content(5)
    big = with_total_scaled(content, 4.0)
    assert big.stay.settlement.total > 2.5 * content.stay.settlement.total
    assert sum(i.amount_cents for i in big.stay.items) == big.stay.settlement.total


@pytest.mark.skipif(not ICD_TABLE.is_file(), reason="shared ICD-10 table not present")
def test_diagnosis_codes_and_names_are_verbatim_from_the_icd_table() -> None:
    with ICD_TABLE.open(encoding="utf-8") as f:
        names = {r["疾病编码"]: r["疾病名称"] for r in csv.DictReader(f)}
    for row in diagnosis_table():
        assert names[row.code] == row.name


def test_thyroid_and_prostate_staging_rules() -> None:
    rows = {r.group: r for r in diagnosis_table()}
    thyroid, prostate = rows["thyroid_cancer"], rows["prostate_cancer"]
    assert severity_tier(thyroid, "T3a", "N1b", "M0", 40) == ("mild", "I")  # under 55: stage I unless M1
    assert severity_tier(thyroid, "T1b", "N0", "M0", 60) == ("mild", "I")
    assert severity_tier(thyroid, "T3a", "N0", "M0", 60)[0] == "severe"
    assert severity_tier(thyroid, "T1a", "N0", "M1", 40) == ("severe", "II")
    assert severity_tier(prostate, "T1c", "N0", "M0", 66)[0] == "mild"
    assert severity_tier(prostate, "T2a", "N0", "M0", 66)[0] == "severe"
    tiers = {make_claim_content(s, groups=("thyroid_cancer", "prostate_cancer")).primary.severity for s in range(60)}
    assert tiers == {"mild", "severe"}
