"""The claim-level stage: pages of an assessment → diagnoses, severity, materials and cross-document checks."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from claims_ai.config import ClaimantRelationship, ClaimType, Settings
from claims_ai.judgement import ClaimJudge
from claims_ai.medical.normalizer import DiagnosisNormalizer
from claims_ai.pipeline import Pipeline
from claims_ai.types import ClaimFacts

BOX = [[100.0, 200.0], [400.0, 200.0], [400.0, 240.0], [100.0, 240.0]]
CI = ClaimFacts(
    ClaimType.CRITICAL_ILLNESS, member_age=35, policy_start_date=dt.date(2020, 1, 1), waiting_period_days=90
)


@pytest.fixture(scope="module")
def judge(settings: Settings) -> ClaimJudge:
    return ClaimJudge(DiagnosisNormalizer.from_models_dir(settings.models_dir))


def page(
    file_index: int, doc_type: str, fields: dict[str, Any] | None = None, *, quality_ok: bool = True, **extra: Any
) -> dict[str, Any]:
    failed = [] if quality_ok else [{"name": "blur", "passed": False}]
    return {
        "file": f"f{file_index}.jpg",
        "file_index": file_index,
        "page": 1,
        "doc_type": doc_type,
        "group": file_index,
        "quality": {"passed": quality_ok, "checks": failed},
        "fields": {k: {"value": v, "confidence": 0.9, "page": 1, "box": BOX} for k, v in (fields or {}).items()},
        "text_lines": [{"text": t, "confidence": 0.9, "box": BOX} for t in extra.get("lines", [])],
    }


def thyroid_claim(stage: str = "pT1aN0M0", name: str = "张三") -> list[dict[str, Any]]:
    person = {"patient_name": name, "hospital_name": "贵州省人民医院"}
    return [
        page(0, "id_card", lines=["姓名 张三", "公民身份号码 11010519491231002X"]),
        page(1, "bank_card", lines=["中国工商银行", "6222 0276 5450 7061 296"]),
        page(2, "claim_form", {"patient_name": name}, lines=[f"理赔申请书 第{i}行" for i in range(10)]),
        page(3, "diagnosis_certificate", person | {"diagnoses": ["甲状腺乳头状癌"]}),
        page(
            4,
            "discharge_summary",
            person | {"diagnoses": ["甲状腺乳头状癌"], "admission_date": "2021-03-01", "discharge_date": "2021-03-08"},
        ),
        page(
            5,
            "pathology_report",
            person | {"pathology_diagnosis": f"(右侧)甲状腺乳头状癌 {stage}", "tnm_stage": stage},
            lines=[f"病理诊断：(右侧)甲状腺乳头状癌 {stage}", "ICD-O: 8260/3"],
        ),
    ]


def test_a_complete_thyroid_claim_is_mild_with_its_payout_and_evidence(judge: ClaimJudge) -> None:
    j = judge.judge(thyroid_claim(), CI)
    codes = {d["icd10"] for d in j.sections["diagnoses"]}
    assert "C73" in codes
    severity = j.sections["severity"]
    assert severity["tier"] == "mild"
    assert severity["payout"]["amount"] == "50000.00"
    located = [e for e in severity["evidence"] if e.get("file_index") is not None]
    assert located, "evidence spans must say which file they came from"
    assert j.sections["materials"]["missing"] == [] and j.sections["materials"]["complete"] is True
    statuses = {c.id: c.status.value for c in j.check_entries}
    assert statuses["same_patient"] == "passed"
    assert statuses["waiting_period"] == "passed"


def test_thyroid_stage_depends_on_age_at_the_mild_line(judge: ClaimJudge) -> None:
    # AJCC 8: under 55 any T, any N, M0 is stage I (mild); at 55 or over T3 N1b is stage II (severe).
    assert judge.judge(thyroid_claim("pT3N1bM0"), CI).sections["severity"]["tier"] == "mild"
    older = ClaimFacts(ClaimType.CRITICAL_ILLNESS, member_age=60)
    assert judge.judge(thyroid_claim("pT3N1bM0"), older).sections["severity"]["tier"] == "severe"


def test_a_cancer_without_pathology_report_lists_it_as_missing_in_both_languages(judge: ClaimJudge) -> None:
    pages = [p for p in thyroid_claim() if p["doc_type"] != "pathology_report"]
    missing = judge.judge(pages, CI).sections["materials"]["missing"]
    assert [m["doc_type"] for m in missing] == ["pathology_report"]
    assert missing[0]["reason"] == "absent" and missing[0]["message_zh"] and missing[0]["message_en"]


def test_an_unreadable_certificate_counts_as_missing_with_its_own_hint(judge: ClaimJudge) -> None:
    pages = thyroid_claim()
    pages[3] = page(3, "diagnosis_certificate", {"patient_name": "张三"}, quality_ok=False)
    missing = judge.judge(pages, CI).sections["materials"]["missing"]
    assert [(m["doc_type"], m["reason"], m["problems"]) for m in missing] == [
        ("diagnosis_certificate", "unusable", ["quality_failed"])
    ]


def test_a_sharp_page_whose_key_field_is_unread_names_the_field(judge: ClaimJudge) -> None:
    pages = thyroid_claim()
    pages[3] = page(3, "diagnosis_certificate", {"patient_name": "张三"})
    missing = judge.judge(pages, CI).sections["materials"]["missing"]
    assert missing[0]["problems"] == ["unreadable:diagnoses"]


def test_a_relative_filing_must_prove_the_relationship(judge: ClaimJudge) -> None:
    facts = ClaimFacts(ClaimType.CRITICAL_ILLNESS, member_age=35, claimant=ClaimantRelationship.SPOUSE)
    missing = judge.judge(thyroid_claim(), facts).sections["materials"]["missing"]
    assert "relationship_proof" in [m["item"] for m in missing]


def test_a_name_mismatch_fails_the_same_patient_check_pointing_at_both_files(judge: ClaimJudge) -> None:
    pages = thyroid_claim()
    pages[4]["fields"]["patient_name"]["value"] = "李四"
    check = next(c for c in judge.judge(pages, CI).check_entries if c.id == "same_patient")
    assert check.status.value == "failed"
    where = {e["file_index"] for e in check.evidence}
    assert 4 in where and len(where) >= 2
    assert check.message_zh


def test_admission_inside_the_waiting_period_fails(judge: ClaimJudge) -> None:
    facts = ClaimFacts(ClaimType.CRITICAL_ILLNESS, 35, None, dt.date(2021, 1, 15), 90)
    statuses = {c.id: c.status.value for c in judge.judge(thyroid_claim(), facts).check_entries}
    assert statuses["waiting_period"] == "failed"


def test_title_words_are_not_diagnoses(judge: ClaimJudge) -> None:
    pages = thyroid_claim()
    pages[3]["fields"]["diagnoses"]["value"] = ["证明书", "甲状腺乳头状癌"]
    written = {d["written"] for d in judge.judge(pages, CI).sections["diagnoses"]}
    assert "证明书" not in written


@pytest.fixture(scope="module")
def judging_pipeline(settings: Settings) -> Iterator[Pipeline]:
    built = Pipeline.from_settings(settings)
    yield built
    built.close()


def test_rederive_keeps_an_adjusters_diagnosis_correction_and_regroups_pages(judging_pipeline: Pipeline) -> None:
    body: dict[str, Any] = {"documents": thyroid_claim(), "checks": [{"id": "words_total_matches", "status": "passed"}]}
    body = judging_pipeline.rederive(body, CI)
    first = copy.deepcopy(body)
    thyroid = next(d for d in body["diagnoses"] if d["icd10"] == "C73")
    thyroid.update(icd10="C34.9", name=None, corrected={"machine_icd10": "C73", "by": "adjuster"})
    body["documents"][5]["doc_type"] = "lab_report"  # the adjuster says the pathology page is a lab report
    body["fraud"] = {"score": 0.02, "band": "low", "reasons": []}
    body["decision"] = {"route": "auto_approve", "reasons": ["all_clear"]}
    again = judging_pipeline.rederive(body, CI)
    assert again["decision"]["route"] == "request_materials"  # the route follows the corrected materials
    assert "materials_missing:pathology_report" in again["decision"]["reasons"]
    fixed = next(d for d in again["diagnoses"] if d.get("corrected"))
    assert fixed["icd10"] == "C34.9" and fixed["name"]  # the name comes from the ICD table
    assert "pathology_report" in [m["doc_type"] for m in again["materials"]["missing"]]
    assert first["materials"]["missing"] == []
    ids = [c["id"] for c in again["checks"]]
    assert ids.count("words_total_matches") == 1 and ids.count("same_patient") == 1


def test_a_card_is_judged_by_whether_its_number_was_read_not_by_the_photo(judge: ClaimJudge) -> None:
    pages = thyroid_claim()
    pages[1] = page(1, "bank_card", quality_ok=False, lines=["中国工商银行", "6222 0276 5450 7061 296"])
    assert judge.judge(pages, CI).sections["materials"]["missing"] == []  # skewed, but every digit was read
    pages[1] = page(1, "bank_card", quality_ok=False, lines=["中国工商银行", "6222 0276 5450 7061 297"])
    missing = judge.judge(pages, CI).sections["materials"]["missing"]
    assert [(m["doc_type"], m["problems"]) for m in missing] == [("bank_card", ["quality_failed"])]
    pages[1] = page(1, "bank_card", lines=["中国工商银行"])
    missing = judge.judge(pages, CI).sections["materials"]["missing"]
    assert missing[0]["problems"] == ["unreadable:card_number"] and missing[0]["message_zh"]


def test_an_id_card_with_its_number_blacked_out_still_counts(judge: ClaimJudge) -> None:
    pages = thyroid_claim()
    pages[0] = page(0, "id_card", lines=["姓名 张三", "性别 男 民族 汉", "住址 贵州省贵阳市", "公民身份号码"])
    assert judge.judge(pages, CI).sections["materials"]["missing"] == []
    pages[0] = page(0, "id_card", lines=["张三"])
    missing = judge.judge(pages, CI).sections["materials"]["missing"]
    assert missing[0]["problems"] == ["unreadable:id_number"]
