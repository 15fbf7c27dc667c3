"""The entity tags of the field tagger (BIO over characters) and which normaliser each field uses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ENTITIES", "LIST_ENTITIES", "SCALAR_FIELDS", "TAGS", "ValueKind", "kind_of", "tag_id"]


class ValueKind(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"
    DATE = "date"
    AGE = "age"
    GENDER = "gender"
    TNM = "tnm"
    NAME = "name"
    HOSPITAL = "hospital"


SCALAR_FIELDS: dict[str, ValueKind] = {
    "patient_name": ValueKind.NAME,
    "patient_gender": ValueKind.GENDER,
    "patient_age": ValueKind.AGE,
    "hospital_name": ValueKind.HOSPITAL,
    "department": ValueKind.TEXT,
    "invoice_number": ValueKind.TEXT,
    "issue_date": ValueKind.DATE,
    "admission_date": ValueKind.DATE,
    "discharge_date": ValueKind.DATE,
    "total_amount": ValueKind.AMOUNT,
    "insurance_fund_paid": ValueKind.AMOUNT,
    "personal_cash_paid": ValueKind.AMOUNT,
    "self_pay_category": ValueKind.AMOUNT,
    "self_expense": ValueKind.AMOUNT,
    "tnm_stage": ValueKind.TNM,
    "pathology_diagnosis": ValueKind.TEXT,
}
# Entities that occur many times on a page: diagnoses, and the two halves of a charge line.
LIST_ENTITIES = ("diagnosis", "item_name", "item_amount")
ENTITIES = (*SCALAR_FIELDS, *LIST_ENTITIES)
TAGS = ("O", *(f"{prefix}-{entity}" for entity in ENTITIES for prefix in ("B", "I")))
_TAG_ID = {tag: index for index, tag in enumerate(TAGS)}


def tag_id(tag: str) -> int:
    return _TAG_ID[tag]


def kind_of(entity: str) -> ValueKind:
    if entity == "item_amount":
        return ValueKind.AMOUNT
    return SCALAR_FIELDS.get(entity, ValueKind.TEXT)
