"""Names shared with the runtime (document types, field names) and the ground-truth records written per page.

The string values of ``DocType`` and ``FieldName`` are those of the DESIGN contract (section 2); they must stay
identical to ``claims_ai.types.DocType`` once that exists. Seed ranges per split are fixed here so evaluation
never sees a training seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "SEED_RANGES",
    "CaptureMode",
    "DocType",
    "FieldName",
    "FieldTruth",
    "FraudPattern",
    "LineItemTruth",
    "PageTruth",
    "Point",
    "Quad",
    "Split",
    "StampTruth",
    "TextLineTruth",
    "check_seed_range",
    "to_json",
]

SCHEMA_VERSION = 1

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]


class Split(StrEnum):
    TRAIN = "train"
    VALIDATION = "validation"
    TEST = "test"


# Item i of a run uses seed ``--seed + i``; every item seed must lie in its split's range.
SEED_RANGES: dict[Split, range] = {
    Split.TRAIN: range(0, 100_000_000),
    Split.VALIDATION: range(100_000_000, 110_000_000),
    Split.TEST: range(110_000_000, 120_000_000),
}


def check_seed_range(split: Split, first_seed: int, count: int) -> None:
    """Raise ValueError when seeds ``first_seed .. first_seed+count-1`` leave the split's range."""
    allowed = SEED_RANGES[split]
    last = first_seed + max(count, 1) - 1
    if first_seed not in allowed or last not in allowed:
        raise ValueError(
            f"seeds {first_seed}..{last} are outside the {split.value} range {allowed.start}..{allowed.stop - 1}"
        )


class DocType(StrEnum):
    MEDICAL_INVOICE_INPATIENT = "medical_invoice_inpatient"
    MEDICAL_INVOICE_OUTPATIENT = "medical_invoice_outpatient"
    ITEMIZED_BILL = "itemized_bill"
    DISCHARGE_SUMMARY = "discharge_summary"
    DIAGNOSIS_CERTIFICATE = "diagnosis_certificate"
    PATHOLOGY_REPORT = "pathology_report"
    LAB_REPORT = "lab_report"
    IMAGING_REPORT = "imaging_report"
    ADMISSION_RECORD = "admission_record"
    MEDICAL_RECORD_FRONT_PAGE = "medical_record_front_page"
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    DEATH_CERTIFICATE = "death_certificate"
    CLAIM_FORM = "claim_form"
    OTHER = "other"


class FieldName(StrEnum):
    PATIENT_NAME = "patient_name"
    PATIENT_GENDER = "patient_gender"
    PATIENT_AGE = "patient_age"
    HOSPITAL_NAME = "hospital_name"
    DEPARTMENT = "department"
    INVOICE_NUMBER = "invoice_number"
    ISSUE_DATE = "issue_date"
    ADMISSION_DATE = "admission_date"
    DISCHARGE_DATE = "discharge_date"
    TOTAL_AMOUNT = "total_amount"
    INSURANCE_FUND_PAID = "insurance_fund_paid"
    PERSONAL_CASH_PAID = "personal_cash_paid"
    SELF_PAY_CATEGORY = "self_pay_category"
    SELF_EXPENSE = "self_expense"
    LINE_ITEMS = "line_items"
    DIAGNOSES = "diagnoses"
    TNM_STAGE = "tnm_stage"
    PATHOLOGY_DIAGNOSIS = "pathology_diagnosis"


class CaptureMode(StrEnum):
    ELECTRONIC = "electronic"  # born-digital page (e-invoice PDF, hospital app export), rasterised
    SCAN = "scan"  # flatbed or copier scan: grey or colour, noise, small skew
    PHOTO = "photo"  # phone photo: background, perspective, shadow, blur, curl, JPEG, rotations, other slips


class FraudPattern(StrEnum):
    ALTERED_AMOUNT = "altered_amount"  # total re-rendered locally over the original print
    INVOICE_REUSED = "invoice_reused"  # the same invoice (number, content) submitted in another claim
    IMAGE_REUSED = "image_reused"  # the same photo/scan, lightly edited, submitted in another claim
    BEFORE_POLICY_START = "before_policy_start"  # diagnosis/admission before the policy began
    IN_WAITING_PERIOD = "in_waiting_period"  # diagnosis/admission inside the waiting period
    ITEMS_DONT_ADD_UP = "items_dont_add_up"  # charge lines do not sum to the printed total
    WORDS_FIGURE_MISMATCH = "words_figure_mismatch"  # 大写 amount differs from the figure
    NAME_MISMATCH = "name_mismatch"  # patient name differs between documents of one claim
    HOSPITAL_MISMATCH = "hospital_mismatch"  # hospital differs between documents of one claim
    INFLATED_AMOUNT = "inflated_amount"  # total far above what the diagnosis usually costs


@dataclass(frozen=True)
class FieldTruth:
    """A contract field as printed: ``value`` normalised, ``text`` as it appears, ``box`` in image pixels.

    ``masked`` is True when a solid box covers it (the value is true but not readable on the image).
    """

    value: str
    text: str
    box: Quad
    masked: bool = False


@dataclass(frozen=True)
class LineItemTruth:
    name: str
    amount: str
    box: Quad  # covers the name and the amount of the row


@dataclass(frozen=True)
class TextLineTruth:
    """One printed line. ``kind``: form (pre-printed), print (values), hand (handwriting), mark (other).

    ``legible`` is False when masked out; ``slip`` is 0 for the page's own document, 1.. for other slips
    lying in the same photo.
    """

    text: str
    box: Quad
    kind: str = "form"
    legible: bool = True
    slip: int = 0


@dataclass(frozen=True)
class StampTruth:
    """A seal: its text (curved, not a text line) and its bounding quad in image pixels."""

    text: str
    box: Quad
    color: str = "red"


@dataclass(frozen=True)
class PageTruth:
    page_id: str
    image: str
    width: int
    height: int
    seed: int
    split: str
    doc_type: str
    layout: str
    fields: dict[str, FieldTruth]
    line_items: tuple[LineItemTruth, ...]
    diagnoses: tuple[FieldTruth, ...]
    text_lines: tuple[TextLineTruth, ...]
    stamps: tuple[StampTruth, ...]
    capture: dict[str, Any]
    extra_fields: dict[str, FieldTruth] = field(default_factory=dict)  # e.g. id_number, card_number
    claim_id: str | None = None
    document_id: str | None = None
    schema_version: int = SCHEMA_VERSION


def to_json(value: Any) -> Any:
    """JSON-ready data from the records above (tuples become lists, floats rounded to two decimals)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, float):
        return round(value, 2)
    if hasattr(value, "item"):  # numpy scalar
        return to_json(value.item())
    return value
