"""One diagnosis string judged on its own: the standard diagnoses it holds and the tier and payout they would get.

Used by ``claims-ai diagnose``. With ``confirmed`` (the default) the string is taken as written on a pathology report,
a diagnosis certificate and a discharge record, so the staging and findings it states count as evidence; without it
only the words are judged and the missing evidence is listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from claims_ai.config import ClaimType
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, EvidenceSpan, FieldValue
from claims_ai.medical.normalizer import DiagnosisNormalizer, NormalizedDiagnosis
from claims_ai.medical.severity import DiagnosisInput, SeverityAssessor, SeverityResult
from claims_ai.medical.text import clean_text
from claims_ai.types import ClaimFacts

__all__ = ["TextJudgement", "judge_text"]

_AS_WRITTEN_ON = (DocType.PATHOLOGY_REPORT, DocType.DIAGNOSIS_CERTIFICATE, DocType.DISCHARGE_SUMMARY)


@dataclass(frozen=True)
class TextJudgement:
    text: str
    normalized: tuple[NormalizedDiagnosis, ...]
    severity: SeverityResult


def judge_text(
    normalizer: DiagnosisNormalizer,
    assessor: SeverityAssessor,
    text: str,
    *,
    age: int | None = None,
    plan: str | None = None,
    confirmed: bool = True,
) -> TextJudgement:
    result = normalizer.normalize(text)
    cleaned = clean_text(text)  # the evidence is read with the same OCR repairs as the diagnosis
    documents = tuple(
        DocumentEvidence(doc_type, f"input-{doc_type.value}", fields={"diagnoses": FieldValue(cleaned)}, text=cleaned)
        for doc_type in (_AS_WRITTEN_ON if confirmed else ())
    )
    evidence = ClaimEvidence(documents, ClaimFacts(claim_type=ClaimType.CRITICAL_ILLNESS, member_age=age, plan=plan))
    source = EvidenceSpan(DocType.DIAGNOSIS_CERTIFICATE if confirmed else None, None, "diagnoses", text)
    inputs = [DiagnosisInput.from_normalized(d, source) for d in result.normalized]
    return TextJudgement(text, result.normalized, assessor.assess(inputs, evidence))
