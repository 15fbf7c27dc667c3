"""Frozen, serialisable results shared by every stage.

Boxes are quadrilaterals in the pixels of the page as the member sees it (after EXIF orientation), four
``(x, y)`` points starting at the text's own top-left corner and going clockwise in reading direction.
``to_dict`` turns any of these into the JSON the CLI prints and the API returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

import numpy as np

from claims_ai.config import ClaimantRelationship, ClaimType

__all__ = [
    "Assessment",
    "Check",
    "CheckStatus",
    "ClaimFacts",
    "DocType",
    "DocumentPage",
    "ExtractedField",
    "FileReport",
    "LineItem",
    "OcrResult",
    "PageImage",
    "Point",
    "Quad",
    "QualityCheck",
    "QualityCheckName",
    "QualityReport",
    "TextLine",
    "to_dict",
]

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]

# Fields marked with this metadata are left out of the JSON (large arrays, internal handles).
_INTERNAL = {"serialize": False}
# Optional sections marked with this are left out of the JSON when they are None.
_OMIT_NONE = {"omit_none": True}


class DocType(StrEnum):
    """What a page is (DESIGN contract)."""

    MEDICAL_INVOICE_INPATIENT = "medical_invoice_inpatient"  # 住院收费票据
    MEDICAL_INVOICE_OUTPATIENT = "medical_invoice_outpatient"  # 门诊收费票据
    ITEMIZED_BILL = "itemized_bill"  # 费用明细清单
    DISCHARGE_SUMMARY = "discharge_summary"  # 出院小结 / 出院记录
    DIAGNOSIS_CERTIFICATE = "diagnosis_certificate"  # 诊断证明书
    PATHOLOGY_REPORT = "pathology_report"  # 病理报告
    LAB_REPORT = "lab_report"  # 检验报告
    IMAGING_REPORT = "imaging_report"  # CT/MRI/超声等检查报告
    ADMISSION_RECORD = "admission_record"  # 入院记录
    MEDICAL_RECORD_FRONT_PAGE = "medical_record_front_page"  # 病案首页
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    DEATH_CERTIFICATE = "death_certificate"
    CLAIM_FORM = "claim_form"  # 理赔申请书
    OTHER = "other"  # not claim material


@dataclass(frozen=True)
class LineItem:
    name: str
    amount: str
    box: Quad | None = None


@dataclass(frozen=True)
class ExtractedField:
    """A key field: ``value`` normalised (dates ISO, amounts ``"24189.65"``; a list for line items and
    diagnoses), ``text`` as read, ``confidence`` 0–1, where it is, and which layer found it."""

    value: str | tuple[str, ...] | tuple[LineItem, ...]
    confidence: float
    page: int
    box: Quad | None
    text: str = ""
    source: str = "rules"  # "rules", "model" or "rules+model"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"  # the values it needs were not found


@dataclass(frozen=True)
class Check:
    """A consistency check: stable ``id``, outcome, and the values it compared (with where they are)."""

    id: str
    status: CheckStatus
    message: str
    evidence: tuple[Mapping[str, Any], ...] = ()
    message_zh: str | None = field(default=None, metadata=_OMIT_NONE)


@dataclass(frozen=True)
class PageImage:
    """One page as decoded by ingest: an RGB ``uint8`` array of shape (height, width, 3)."""

    source: str
    file_index: int
    page: int  # 1-based inside its file
    source_format: str
    image: np.ndarray = field(repr=False, compare=False, metadata=_INTERNAL)
    dpi: float | None = None

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float
    box: Quad


@dataclass(frozen=True)
class OcrResult:
    """Lines in reading order. ``orientation`` is how far the page was turned clockwise (0/90/180/270)."""

    lines: tuple[TextLine, ...]
    orientation: int


class QualityCheckName(StrEnum):
    BLUR = "blur"
    DARK = "too_dark"
    WASHED_OUT = "washed_out"
    GLARE = "glare"
    NO_TEXT = "no_text"
    TEXT_TOO_SMALL = "text_too_small"
    SKEW = "skew"
    PERSPECTIVE = "perspective"
    CUT_OFF = "cut_off"


@dataclass(frozen=True)
class QualityCheck:
    """``passed`` is None when the check could not be evaluated (e.g. text size on a page without text)."""

    name: QualityCheckName
    score: float | None
    threshold: float
    passed: bool | None
    hint_zh: str | None = None
    hint_en: str | None = None


@dataclass(frozen=True)
class QualityReport:
    passed: bool
    checks: tuple[QualityCheck, ...]

    @property
    def failed(self) -> tuple[QualityCheck, ...]:
        return tuple(c for c in self.checks if c.passed is False)


@dataclass(frozen=True)
class DocumentPage:
    """One entry of ``documents[]``: a page with what each finished stage found on it."""

    file: str
    file_index: int
    page: int
    width: int
    height: int
    orientation: int
    quality: QualityReport
    text_lines: tuple[TextLine, ...]
    doc_type: DocType | None = field(default=None, metadata=_OMIT_NONE)
    doc_type_confidence: float | None = field(default=None, metadata=_OMIT_NONE)
    group: int | None = field(default=None, metadata=_OMIT_NONE)  # pages of one logical document share it
    fields: Mapping[str, ExtractedField] | None = field(default=None, metadata=_OMIT_NONE)


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file; ``error`` holds ``code``/``message`` when it was rejected."""

    file: str
    size_bytes: int
    sha256: str
    format: str | None = None
    pages: int = 0
    error: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ClaimFacts:
    claim_type: ClaimType | None = None
    member_age: int | None = None
    plan: str | None = None
    policy_start_date: dt.date | None = None
    waiting_period_days: int | None = None
    # Who files it; a relative must send proof of relationship. Omitted when not stated.
    claimant: ClaimantRelationship | None = field(default=None, metadata=_OMIT_NONE)


@dataclass(frozen=True)
class Assessment:
    files: tuple[FileReport, ...]
    documents: tuple[DocumentPage, ...]
    model_versions: Mapping[str, str]
    timings_ms: Mapping[str, float]
    claim: ClaimFacts | None = field(default=None, metadata=_OMIT_NONE)
    checks: tuple[Check, ...] | None = field(default=None, metadata=_OMIT_NONE)
    # Claim-level sections (DESIGN §2), already JSON-shaped: they are re-derived from the JSON after corrections.
    diagnoses: tuple[Mapping[str, Any], ...] | None = field(default=None, metadata=_OMIT_NONE)
    severity: Mapping[str, Any] | None = field(default=None, metadata=_OMIT_NONE)
    materials: Mapping[str, Any] | None = field(default=None, metadata=_OMIT_NONE)
    fraud: Mapping[str, Any] | None = field(default=None, metadata=_OMIT_NONE)
    decision: Mapping[str, Any] | None = field(default=None, metadata=_OMIT_NONE)

    @property
    def rejected_files(self) -> tuple[FileReport, ...]:
        return tuple(f for f in self.files if f.error is not None)


def to_dict(value: Any) -> Any:
    """Plain JSON-ready data from results: dataclasses, enums, dates, tuples, numpy scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.metadata.get("serialize") is False:
                continue
            item = getattr(value, f.name)
            if item is None and f.metadata.get("omit_none"):
                continue
            out[f.name] = to_dict(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_dict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dict(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value
