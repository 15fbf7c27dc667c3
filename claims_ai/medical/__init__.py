"""Medical judgement: ICD-10 tables, diagnosis normalisation, severity tiers and payouts (rules and plans as data).

Stages (built once, pure per call):

- :class:`DiagnosisNormalizer` — diagnosis string → standard diagnoses (ICD-10 code, name, confidence, qualifiers).
- :class:`SeverityAssessor` — diagnoses + claim evidence → tier, rule, evidence, payout, missing evidence.
"""

from claims_ai.medical.evidence import (
    ClaimantRelationship,
    ClaimEvidence,
    DocType,
    DocumentEvidence,
    EvidenceSpan,
    FieldValue,
)
from claims_ai.medical.icd10 import Edition, Icd10Entry, Icd10Tables
from claims_ai.medical.normalizer import DiagnosisNormalizer, DiagnosisResult, NormalizedDiagnosis
from claims_ai.medical.rules import DiseaseGroup, Tier, load_plans, load_rules
from claims_ai.medical.severity import (
    DiagnosisInput,
    DiagnosisTier,
    MissingEvidence,
    Payout,
    SeverityAssessor,
    SeverityResult,
)
from claims_ai.medical.text import DiagnosisStatus, Laterality

__all__ = [
    "ClaimEvidence",
    "ClaimantRelationship",
    "DiagnosisInput",
    "DiagnosisNormalizer",
    "DiagnosisResult",
    "DiagnosisStatus",
    "DiagnosisTier",
    "DiseaseGroup",
    "DocType",
    "DocumentEvidence",
    "Edition",
    "EvidenceSpan",
    "FieldValue",
    "Icd10Entry",
    "Icd10Tables",
    "Laterality",
    "MissingEvidence",
    "NormalizedDiagnosis",
    "Payout",
    "SeverityAssessor",
    "SeverityResult",
    "Tier",
    "load_plans",
    "load_rules",
]
