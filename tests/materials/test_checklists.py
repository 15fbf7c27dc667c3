"""Required materials per claim type, conditional requirements, unusable pages, member messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims_ai.config import ClaimType
from claims_ai.errors import ConfigError
from claims_ai.materials.checklists import load_checklists
from claims_ai.materials.missing import MaterialsChecker, MissingReason
from claims_ai.medical.evidence import ClaimantRelationship
from claims_ai.medical.rules import DiseaseGroup

BASE = ("id_card", "bank_card", "claim_form")
EXPECTED = {
    ClaimType.CRITICAL_ILLNESS: (*BASE, "diagnosis_certificate", "discharge_summary"),
    ClaimType.INPATIENT: (*BASE, "medical_invoice_inpatient", "itemized_bill", "discharge_summary"),
    ClaimType.OUTPATIENT: (*BASE, "medical_invoice_outpatient", "diagnosis_certificate"),
    ClaimType.ACCIDENT: (
        *BASE,
        "medical_invoice_inpatient",
        "itemized_bill",
        "discharge_summary",
        "diagnosis_certificate",
    ),
    ClaimType.DEATH: (*BASE, "death_certificate", "discharge_summary"),
}


@pytest.fixture(scope="module")
def checker() -> MaterialsChecker:
    return MaterialsChecker()


@pytest.mark.parametrize("claim_type", list(ClaimType))
def test_nothing_sent_lists_every_required_document(checker, claim, claim_type: ClaimType) -> None:
    result = checker.check(claim(claim_type))
    assert tuple(m.doc_type.value for m in result.missing) == EXPECTED[claim_type]
    assert all(m.reason is MissingReason.ABSENT for m in result.missing)
    assert all(m.message_zh and m.message_en for m in result.missing)
    assert not result.complete


@pytest.mark.parametrize("claim_type", list(ClaimType))
def test_complete_claim(checker, claim, doc, claim_type: ClaimType) -> None:
    result = checker.check(claim(claim_type, *(doc(t, f"D{i}") for i, t in enumerate(EXPECTED[claim_type]))))
    assert result.complete
    assert len(result.present) == len(EXPECTED[claim_type])


def test_exactly_what_is_missing(checker, claim, doc) -> None:
    result = checker.check(
        claim(
            ClaimType.INPATIENT,
            doc("id_card"),
            doc("claim_form"),
            doc("itemized_bill"),
            doc("discharge_summary"),
            doc("lab_report"),
        )
    )
    assert [m.item for m in result.missing] == ["bank_card", "inpatient_invoice"]
    assert "住院发票" in result.missing[1].message_zh
    assert "inpatient invoice" in result.missing[1].message_en


def test_cancer_needs_a_pathology_report(checker, claim, doc) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.CRITICAL_ILLNESS])]
    result = checker.check(claim(ClaimType.CRITICAL_ILLNESS, *docs), {DiseaseGroup.CANCER})
    assert [(m.item, m.required_because) for m in result.missing] == [("pathology_report", "disease_group:cancer")]
    assert "病理报告" in result.missing[0].message_zh
    with_report = checker.check(
        claim(ClaimType.CRITICAL_ILLNESS, *docs, doc("pathology_report")), {DiseaseGroup.CANCER}
    )
    assert with_report.complete


def test_surgery_needs_an_operation_record(checker, claim, doc) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.CRITICAL_ILLNESS])]
    result = checker.check(claim(ClaimType.CRITICAL_ILLNESS, *docs), {DiseaseGroup.SURGERY})
    assert [m.item for m in result.missing] == ["operation_record"]
    assert result.missing[0].doc_type.value == "medical_record_front_page"


def test_pathology_is_not_required_for_an_inpatient_reimbursement(checker, claim, doc) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.INPATIENT])]
    assert checker.check(claim(ClaimType.INPATIENT, *docs), {DiseaseGroup.CANCER}).complete


def test_relative_needs_proof_of_relationship(checker, claim, doc) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.DEATH])]
    by_child = checker.check(claim(ClaimType.DEATH, *docs, claimant=ClaimantRelationship.CHILD))
    assert [(m.item, m.required_because) for m in by_child.missing] == [
        ("relationship_proof", "condition:filed_by_relative")
    ]
    proof = doc("other", "P", text="居民户口簿 户主 与户主关系：子")
    assert checker.check(claim(ClaimType.DEATH, *docs, proof, claimant=ClaimantRelationship.CHILD)).complete
    unrelated = doc("other", "X", text="超市购物小票")
    assert not checker.check(claim(ClaimType.DEATH, *docs, unrelated, claimant=ClaimantRelationship.CHILD)).complete
    assert checker.check(claim(ClaimType.DEATH, *docs, claimant=ClaimantRelationship.SELF)).complete


@pytest.mark.parametrize(
    ("problems", "zh", "en"),
    [
        (("quality_failed",), "不够清晰", "not clear enough"),
        (("cut_off",), "页面不完整", "cut off"),
        (("unreadable:total_amount",), "“金额”无法辨认", "'total amount' on the inpatient invoice cannot be read"),
    ],
)
def test_unusable_page_counts_as_missing_with_its_own_hint(checker, claim, doc, problems, zh, en) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.INPATIENT]) if t != "medical_invoice_inpatient"]
    bad = doc("medical_invoice_inpatient", "BAD", usable=False, problems=problems)
    result = checker.check(claim(ClaimType.INPATIENT, *docs, bad))
    assert len(result.missing) == 1
    missing = result.missing[0]
    assert missing.reason is MissingReason.UNUSABLE
    assert missing.documents == ("BAD",) and missing.problems == problems
    assert zh in missing.message_zh and en in missing.message_en
    assert missing.message_zh != load_checklists().items["inpatient_invoice"].message_zh


def test_a_usable_copy_makes_an_unusable_one_harmless(checker, claim, doc) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.INPATIENT])]
    bad = doc("medical_invoice_inpatient", "BAD", usable=False, problems=("quality_failed",))
    assert checker.check(claim(ClaimType.INPATIENT, *docs, bad)).complete


def test_recommended_items_are_not_missing(checker, claim, doc) -> None:
    docs = [doc(t, f"D{i}") for i, t in enumerate(EXPECTED[ClaimType.CRITICAL_ILLNESS])]
    result = checker.check(claim(ClaimType.CRITICAL_ILLNESS, *docs), {DiseaseGroup.CEREBROVASCULAR})
    assert result.complete and result.recommended == ("imaging_report",)


def test_unknown_claim_type_asks_for_the_common_documents(checker, claim) -> None:
    result = checker.check(claim(None))
    assert [m.item for m in result.missing] == list(BASE)


def test_checklists_are_validated_on_load(tmp_path: Path) -> None:
    source = Path(__file__).parents[2] / "claims_ai/materials/data/checklists.yaml"
    text = source.read_text(encoding="utf-8")
    for broken in (
        text.replace("required: [id_card, bank_card, claim_form, death_certificate", "required: [id_card, passport"),
        text.replace("doc_types: [death_certificate]", "doc_types: [death_note]"),
        text.replace("  death:\n", "  funeral:\n"),
    ):
        assert broken != text
        path = tmp_path / "checklists.yaml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ConfigError):
            load_checklists(path)
