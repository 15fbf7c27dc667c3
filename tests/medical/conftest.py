"""Helpers for the medical tests: build claim evidence from (doc_type, text) pairs and judge one diagnosis."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from claims_ai.config import ClaimType
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, FieldValue
from claims_ai.medical.severity import DiagnosisInput, SeverityAssessor, SeverityResult
from claims_ai.medical.text import DiagnosisStatus
from claims_ai.types import ClaimFacts

Docs = tuple[tuple[str, str], ...]


def make_evidence(docs: Docs = (), *, age: int | None = 40, plan: str | None = None) -> ClaimEvidence:
    documents = []
    for i, (doc_type, text) in enumerate(docs):
        fields = {"pathology_diagnosis": FieldValue(text, 0.9, 1)} if doc_type == "pathology_report" else {}
        documents.append(DocumentEvidence(DocType(doc_type), f"D{i}", fields=fields, text=text))
    return ClaimEvidence(tuple(documents), ClaimFacts(claim_type=ClaimType.CRITICAL_ILLNESS, member_age=age, plan=plan))


@pytest.fixture
def evidence_of() -> Callable[..., ClaimEvidence]:
    return make_evidence


@pytest.fixture(scope="session")
def assessor() -> SeverityAssessor:
    return SeverityAssessor()


@pytest.fixture
def judge(assessor: SeverityAssessor) -> Callable[..., SeverityResult]:
    def run(
        written: str,
        code: str = "",
        docs: Docs = (),
        *,
        age: int | None = 40,
        status: DiagnosisStatus = DiagnosisStatus.CURRENT,
        plan: str | None = None,
    ) -> SeverityResult:
        diagnosis = DiagnosisInput(written, code, "", status)
        return assessor.assess([diagnosis], make_evidence(docs, age=age, plan=plan))

    return run
