"""Cross-document checks: each passes on consistent documents, fails with evidence on inconsistent ones, and says
not_applicable when the data it needs is absent."""

from __future__ import annotations

import pytest

from claims_ai.config import ClaimType
from claims_ai.materials.checks import CHECK_IDS, CheckStatus, CrossDocumentChecker, names_compatible

CI = ClaimType.INPATIENT


@pytest.fixture(scope="module")
def checker() -> CrossDocumentChecker:
    return CrossDocumentChecker()


def _status(checker, evidence, check_id):
    found = {r.id: r for r in checker.check(evidence)}
    assert set(found) == set(CHECK_IDS)
    return found[check_id]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("张三明", "张三明", True),
        ("张*明", "张三明", True),
        ("张**", "张三明", True),
        ("张*", "张三明", True),  # a trailing mask hides any number of characters
        ("王某某", "王小红", True),
        ("张*明", "张*明", True),
        ("张×明", "李三明", False),
        ("张三明", "张山明", False),
        ("张三明", "张三", False),
    ],
)
def test_masked_names(a: str, b: str, same: bool) -> None:
    assert names_compatible(a, b) is same


def test_same_patient(checker, claim, doc) -> None:
    ok = claim(
        CI,
        doc("id_card", patient_name="张三明"),
        doc("discharge_summary", patient_name="张*明"),
        doc("medical_invoice_inpatient", patient_name="张三明"),
    )
    assert _status(checker, ok, "same_patient").status is CheckStatus.PASSED
    bad = claim(CI, doc("id_card", patient_name="张三明"), doc("discharge_summary", patient_name="李四"))
    result = _status(checker, bad, "same_patient")
    assert result.status is CheckStatus.FAILED
    assert {s.value for s in result.evidence} == {"张三明", "李四"}
    assert all(s.box is not None for s in result.evidence)
    assert _status(checker, claim(CI, doc("id_card", patient_name="张三明")), "same_patient").status is (
        CheckStatus.NOT_APPLICABLE
    )


def test_same_hospital(checker, claim, doc) -> None:
    ok = claim(
        CI,
        doc("discharge_summary", hospital_name="贵州省人民医院"),
        doc("medical_invoice_inpatient", hospital_name="贵州省人民医院（收费专用章）"),
    )
    assert _status(checker, ok, "same_hospital").status is CheckStatus.PASSED
    bad = claim(
        CI,
        doc("discharge_summary", hospital_name="贵州省人民医院"),
        doc("medical_invoice_inpatient", hospital_name="遵义市第一人民医院"),
    )
    result = _status(checker, bad, "same_hospital")
    assert result.status is CheckStatus.FAILED and len(result.evidence) == 2


@pytest.mark.parametrize(
    ("admission", "discharge", "issued", "status"),
    [
        ("2020-12-17", "2020-12-23", "2020-12-23", CheckStatus.PASSED),
        ("2020-12-24", "2020-12-23", "2020-12-23", CheckStatus.FAILED),
        ("2020-12-17", "2020-12-23", "2020-12-20", CheckStatus.FAILED),
        ("2020-12", "2020-12", "2020-12", CheckStatus.NOT_APPLICABLE),  # month only: not compared by day
    ],
)
def test_date_order(checker, claim, doc, admission, discharge, issued, status) -> None:
    evidence = claim(
        CI,
        doc("discharge_summary", admission_date=admission, discharge_date=discharge),
        doc("medical_invoice_inpatient", issue_date=issued),
    )
    assert _status(checker, evidence, "date_order").status is status


@pytest.mark.parametrize(
    ("admission", "policy", "waiting"),
    [
        ("2020-01-10", CheckStatus.FAILED, CheckStatus.NOT_APPLICABLE),  # before the policy started
        ("2020-03-10", CheckStatus.PASSED, CheckStatus.FAILED),  # in the 90-day waiting period
        ("2020-06-01", CheckStatus.PASSED, CheckStatus.PASSED),
    ],
)
def test_policy_start_and_waiting_period(checker, claim, doc, admission, policy, waiting) -> None:
    evidence = claim(CI, doc("discharge_summary", admission_date=admission), policy_start="2020-02-01", waiting=90)
    assert _status(checker, evidence, "policy_start").status is policy
    assert _status(checker, evidence, "waiting_period").status is waiting


def test_diagnosis_date_counts_for_the_waiting_period(checker, claim, doc) -> None:
    evidence = claim(
        ClaimType.CRITICAL_ILLNESS,
        doc("diagnosis_certificate", issue_date="2020-02-15"),
        doc("discharge_summary", admission_date="2020-09-01"),
        policy_start="2020-02-01",
        waiting=90,
    )
    result = _status(checker, evidence, "waiting_period")
    assert result.status is CheckStatus.FAILED
    assert result.evidence[0].doc_type.value == "diagnosis_certificate"


def test_policy_checks_need_the_facts(checker, claim, doc) -> None:
    evidence = claim(CI, doc("discharge_summary", admission_date="2020-06-01"))
    assert _status(checker, evidence, "policy_start").status is CheckStatus.NOT_APPLICABLE
    assert _status(checker, evidence, "waiting_period").status is CheckStatus.NOT_APPLICABLE


def test_invoice_against_itemized_bill(checker, claim, doc) -> None:
    ok = claim(
        CI, doc("medical_invoice_inpatient", total_amount="24189.65"), doc("itemized_bill", total_amount="24189.65")
    )
    assert _status(checker, ok, "invoice_vs_itemized").status is CheckStatus.PASSED
    rows = (("床位费", "1200.00"), ("西药费", "20000.00"), ("检查费", "2989.65"))
    by_rows = claim(
        CI, doc("medical_invoice_inpatient", total_amount="24189.65"), doc("itemized_bill", line_items=rows)
    )
    assert _status(checker, by_rows, "invoice_vs_itemized").status is CheckStatus.PASSED
    bad = claim(
        CI, doc("medical_invoice_inpatient", total_amount="34189.65"), doc("itemized_bill", total_amount="24189.65")
    )
    result = _status(checker, bad, "invoice_vs_itemized")
    assert result.status is CheckStatus.FAILED and "34189.65" in result.message_en
    assert _status(checker, claim(CI, doc("itemized_bill", total_amount="1.00")), "invoice_vs_itemized").status is (
        CheckStatus.NOT_APPLICABLE
    )


def test_invoice_lines_add_up(checker, claim, doc) -> None:
    lines = (("床位费", "100.00"), ("药费", "50.50"))
    ok = claim(CI, doc("medical_invoice_inpatient", total_amount="150.50", line_items=lines))
    assert _status(checker, ok, "invoice_items_sum").status is CheckStatus.PASSED
    bad = claim(CI, doc("medical_invoice_inpatient", total_amount="250.50", line_items=lines))
    assert _status(checker, bad, "invoice_items_sum").status is CheckStatus.FAILED
