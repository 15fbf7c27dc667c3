"""Fraud risk with reasons (issue 6).

- :class:`PageForensicsAnalyzer` — per page: ELA, noise, font/ink, background, copy-move in amount regions; moiré.
- :func:`page_hash`, :func:`invoice_keys`, :class:`DuplicateIndex` / :class:`MemoryDuplicateIndex` — duplicates
  across claims by index lookup (``claims_ai.service.duplicates.SqlDuplicateIndex`` over the service database).
- :class:`FeatureBuilder` — named signals with evidence; :class:`FraudScorer` — the ONNX model and its reasons.
- :class:`FraudAssessor` — the stage: ``assess(...) -> FraudResult`` (``to_dict()`` is the assessment's ``fraud``).
"""

from claims_ai.fraud.assessor import FraudAssessor
from claims_ai.fraud.costs import HospitalLevel, UsualCosts, hospital_level
from claims_ai.fraud.duplicates import (
    DuplicateIndex,
    InvoiceKey,
    MemoryDuplicateIndex,
    PageHash,
    invoice_keys,
    page_hash,
)
from claims_ai.fraud.features import MODEL_FEATURES, RULE_SIGNALS, ClaimFeatures, FeatureBuilder
from claims_ai.fraud.forensics import AMOUNT_FIELDS, PageForensicsAnalyzer, field_boxes
from claims_ai.fraud.scorer import Explanation, FraudScorer
from claims_ai.fraud.tabular import FeatureSpec
from claims_ai.fraud.types import (
    DuplicateHit,
    DuplicateKind,
    Evidence,
    ForensicCheck,
    ForensicFinding,
    FraudBand,
    FraudReason,
    FraudResult,
    MemberHistory,
    PageForensics,
    ReasonKind,
    Signal,
)

__all__ = [
    "AMOUNT_FIELDS",
    "MODEL_FEATURES",
    "RULE_SIGNALS",
    "ClaimFeatures",
    "DuplicateHit",
    "DuplicateIndex",
    "DuplicateKind",
    "Evidence",
    "Explanation",
    "FeatureBuilder",
    "FeatureSpec",
    "ForensicCheck",
    "ForensicFinding",
    "FraudAssessor",
    "FraudBand",
    "FraudReason",
    "FraudResult",
    "FraudScorer",
    "HospitalLevel",
    "InvoiceKey",
    "MemberHistory",
    "MemoryDuplicateIndex",
    "PageForensics",
    "PageForensicsAnalyzer",
    "PageHash",
    "ReasonKind",
    "Signal",
    "UsualCosts",
    "field_boxes",
    "hospital_level",
    "invoice_keys",
    "page_hash",
]
