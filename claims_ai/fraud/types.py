"""Frozen results of the fraud stage: evidence, signals, forensic findings, duplicate hits, reasons, the result.

Every signal and reason points at where it came from (document, field, page, box in page pixels), so an adjuster
— or a member in a public review of a disputed claim — can see the thing the machine saw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from claims_ai.types import Quad

__all__ = [
    "DuplicateHit",
    "DuplicateKind",
    "Evidence",
    "ForensicCheck",
    "ForensicFinding",
    "FraudBand",
    "FraudReason",
    "FraudResult",
    "MemberHistory",
    "PageForensics",
    "ReasonKind",
    "Signal",
]


def _box(box: Quad | None) -> list[list[float]] | None:
    return [[round(float(x), 1), round(float(y), 1)] for x, y in box] if box is not None else None


@dataclass(frozen=True)
class Evidence:
    """Where a signal was read: the document (id and type), the file and page, the field and its box."""

    document_id: str | None = None
    doc_type: str | None = None
    file: str | None = None
    page: int | None = None
    field: str | None = None
    box: Quad | None = None
    value: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "document_id": self.document_id,
            "doc_type": self.doc_type,
            "file": self.file,
            "page": self.page,
            "field": self.field,
            "box": _box(self.box),
            "value": self.value,
            "note": self.note,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Signal:
    """One named feature. ``value`` is NaN when the claim does not let it be computed (never a silent 0);
    ``fired`` is True when it also crosses its rule threshold (a rule that fires is always reported)."""

    name: str
    value: float
    evidence: tuple[Evidence, ...] = ()
    fired: bool = False

    @property
    def known(self) -> bool:
        return not math.isnan(self.value)


class ForensicCheck(StrEnum):
    ELA = "ela"  # JPEG error-level / double-compression inconsistency of a region against the page
    NOISE = "noise"  # noise level of a region against the page
    COPY_MOVE = "copy_move"  # blocks of an amount region copied from elsewhere on the page
    FONT = "font"  # ink darkness, stroke width and colour of an amount against the page's other printed values
    BACKGROUND = "background"  # paper behind an amount differs from the paper around it (a pasted patch)
    MOIRE = "moire"  # periodic interference: a photo of a screen


@dataclass(frozen=True)
class ForensicFinding:
    """``score`` is 0 for an ordinary page and grows with the anomaly (robust z-scores or ratios, see
    ``forensics``); ``field`` and ``box`` name the region examined (None: the whole page)."""

    check: ForensicCheck
    score: float
    field: str | None = None
    box: Quad | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.value,
            "score": round(self.score, 3),
            "field": self.field,
            "box": _box(self.box),
            "note": self.note,
        }


@dataclass(frozen=True)
class PageForensics:
    """Findings on one page; ``file`` and ``page`` match ``DocumentEvidence.file`` / ``.pages``."""

    file: str
    page: int
    findings: tuple[ForensicFinding, ...]
    milliseconds: float = 0.0

    def worst(self, check: ForensicCheck, fields: tuple[str, ...] | None = None) -> ForensicFinding | None:
        found = [f for f in self.findings if f.check is check and (fields is None or f.field in fields)]
        return max(found, key=lambda f: f.score) if found else None


class DuplicateKind(StrEnum):
    PAGE_IMAGE = "page_image"  # a near-identical page image (perceptual hash) in another claim
    INVOICE = "invoice"  # the same invoice number + hospital + amount in another claim
    INVOICE_DAY = "invoice_day"  # the same hospital + amount + date in another claim


@dataclass(frozen=True)
class DuplicateHit:
    kind: DuplicateKind
    other_claim_id: str
    other_document_id: str | None
    document_id: str | None  # this claim's document that matched
    file: str | None = None
    page: int | None = None
    distance: int | None = None  # Hamming distance of page hashes
    other_member_id: str | None = None


@dataclass(frozen=True)
class MemberHistory:
    """What the caller knows about the member's earlier claims (all optional)."""

    claims_last_12_months: int | None = None
    days_since_last_claim: int | None = None
    earlier_icd10: tuple[str, ...] = ()  # codes of earlier claims
    rejected_claims: int | None = None


class FraudBand(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReasonKind(StrEnum):
    FEATURE = "feature"  # a feature that moved the model's score
    RULE = "rule"  # a rule that fired (failed check, duplicate, forensic finding over its threshold)


@dataclass(frozen=True)
class FraudReason:
    code: str  # stable: altered_amount, invoice_reused, image_reused, name_mismatch, …
    kind: ReasonKind
    weight: float  # how far this reason moved the probability (≥ 0); rules that did not move it get 0
    message_zh: str
    message_en: str
    evidence: tuple[Evidence, ...] = ()
    signals: tuple[str, ...] = ()  # the features / rules behind it

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind.value,
            "weight": round(self.weight, 4),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "signals": list(self.signals),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class FraudResult:
    score: float  # calibrated probability that the claim is fraudulent
    band: FraudBand
    reasons: tuple[FraudReason, ...]
    model_version: str
    signals: Mapping[str, Signal] = field(default_factory=dict)

    def rules_fired(self) -> tuple[FraudReason, ...]:
        return tuple(r for r in self.reasons if r.kind is ReasonKind.RULE)

    @classmethod
    def from_dict(cls, section: Any) -> FraudResult | None:
        """An assessment's ``fraud`` section back as what routing reads (score, band, reasons' codes and kinds);
        None when it is not one. Messages, evidence and signals are not restored."""
        if not isinstance(section, Mapping) or section.get("band") not in {b.value for b in FraudBand}:
            return None
        kinds = {k.value for k in ReasonKind}
        reasons = tuple(
            FraudReason(str(r.get("code")), ReasonKind(r["kind"]), float(r.get("weight") or 0.0), "", "")
            for r in section.get("reasons") or []
            if isinstance(r, Mapping) and r.get("kind") in kinds
        )
        return cls(float(section.get("score") or 0.0), FraudBand(section["band"]), reasons, "")

    def to_dict(self) -> dict[str, Any]:
        """The assessment's ``fraud`` section (DESIGN §2): score, band, reasons with evidence, plus signals."""
        return {
            "score": round(self.score, 4),
            "band": self.band.value,
            "model_version": self.model_version,
            "reasons": [r.to_dict() for r in self.reasons],
            "signals": {
                name: {"value": None if not s.known else round(s.value, 4), "fired": s.fired}
                for name, s in self.signals.items()
            },
        }
