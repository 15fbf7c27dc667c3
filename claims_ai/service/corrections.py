"""Adjusters' corrections of what the machine read, and the re-derivation of everything downstream of them.

An adjuster corrects a field value on a page, the document type of a page, or the ICD-10 code of a diagnosis.
A correction is stored with who, when, why and what the machine had said (``corrections`` table), applied to the
current assessment (the corrected value overrides the machine's and carries a ``corrected`` marker naming who
and when), and then the stages downstream of the corrected data are derived again:

- when the pipeline offers ``rederive(body, facts) -> body`` (the hook the real classify/extract/medical/
  materials/fraud/decision stages implement to re-run from corrected fields), it does all of it;
- otherwise the service re-derives what it can without models: the materials checklist (present/missing
  from the corrected document types, for a ``materials`` section that lists ``required``) and the route's
  request-materials part; the stages it could not re-run are named in ``rederived.not_rerun``.

Corrections are kept for the life of the claim: a later assessment (new documents) gets them applied again
(``reapply``) before it is stored, so an adjuster never corrects the same value twice.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from claims_ai.errors import ClaimClosedError, InputError, NotFoundError, StaleAssessmentError
from claims_ai.extract.normalize import parse_amount, parse_date
from claims_ai.service.audit import record
from claims_ai.service.auth import Permission, Principal
from claims_ai.service.claims import STICKY_STATUSES, set_status
from claims_ai.service.db import Database
from claims_ai.service.masking import mask_name, mask_text
from claims_ai.service.models import (
    Assessment,
    Claim,
    ClaimStatus,
    Correction,
    CorrectionKind,
    new_id,
    utcnow,
)
from claims_ai.service.webhooks import EventType, emit
from claims_ai.types import ClaimFacts

__all__ = [
    "AMOUNT_FIELDS",
    "DATE_FIELDS",
    "DOC_TYPES",
    "FIELD_NAMES",
    "LIST_FIELDS",
    "CorrectionCreate",
    "CorrectionService",
    "Rederive",
    "apply_correction",
    "derive",
    "queue_columns",
    "reapply",
]

log = logging.getLogger("claims_ai.service.corrections")

# The DESIGN contract (section 2). Kept here as plain strings: claims_ai does not import datasets/.
DOC_TYPES: tuple[str, ...] = (
    "medical_invoice_inpatient",
    "medical_invoice_outpatient",
    "itemized_bill",
    "discharge_summary",
    "diagnosis_certificate",
    "pathology_report",
    "lab_report",
    "imaging_report",
    "admission_record",
    "medical_record_front_page",
    "id_card",
    "bank_card",
    "death_certificate",
    "claim_form",
    "other",
)
FIELD_NAMES: tuple[str, ...] = (
    "patient_name",
    "patient_gender",
    "patient_age",
    "hospital_name",
    "department",
    "invoice_number",
    "issue_date",
    "admission_date",
    "discharge_date",
    "total_amount",
    "insurance_fund_paid",
    "personal_cash_paid",
    "self_pay_category",
    "self_expense",
    "line_items",
    "diagnoses",
    "tnm_stage",
    "pathology_diagnosis",
)
AMOUNT_FIELDS = frozenset(
    {"total_amount", "insurance_fund_paid", "personal_cash_paid", "self_pay_category", "self_expense"}
)
DATE_FIELDS = frozenset({"issue_date", "admission_date", "discharge_date"})
LIST_FIELDS = frozenset({"line_items", "diagnoses"})  # lists: not corrected one value at a time (yet)
PERSONAL_FIELDS = frozenset({"patient_name"})

# Names for the materials message the service writes when a correction makes a required document missing.
_DOC_NAMES: dict[str, tuple[str, str]] = {
    "medical_invoice_inpatient": ("住院收费票据", "inpatient invoice"),
    "medical_invoice_outpatient": ("门诊收费票据", "outpatient invoice"),
    "itemized_bill": ("费用明细清单", "itemised bill"),
    "discharge_summary": ("出院小结或出院记录", "discharge summary"),
    "diagnosis_certificate": ("诊断证明书", "diagnosis certificate"),
    "pathology_report": ("病理报告", "pathology report"),
    "lab_report": ("检验报告", "lab report"),
    "imaging_report": ("检查报告", "imaging report"),
    "admission_record": ("入院记录", "admission record"),
    "medical_record_front_page": ("病案首页", "medical record front page"),
    "id_card": ("身份证", "ID card"),
    "bank_card": ("银行卡", "bank card"),
    "death_certificate": ("死亡证明", "death certificate"),
    "claim_form": ("理赔申请书", "claim form"),
    "other": ("其他材料", "other document"),
}


class Rederive(Protocol):
    """What a pipeline offers to re-run its downstream stages from a (corrected) assessment JSON."""

    def __call__(self, body: dict[str, Any], facts: ClaimFacts | None) -> dict[str, Any]: ...


class CorrectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: CorrectionKind
    target: str = Field(
        min_length=1, max_length=60, description="Field name (kind=field), 'doc_type', or diagnosis index"
    )
    value: str = Field(min_length=1, max_length=500)
    document_id: str | None = Field(default=None, max_length=40)
    page: int | None = Field(default=None, ge=1, le=10_000)
    reason: str | None = Field(default=None, max_length=2000)
    assessment_id: str | None = Field(default=None, max_length=40)


# --------------------------------------------------------------------------- applying to the assessment JSON


def _page_index(body: dict[str, Any], document_ids: Sequence[str], document_id: str | None, page: int | None) -> int:
    """Index in ``documents[]`` of the page, or -1."""
    for i, doc in enumerate(body.get("documents") or []):
        index = doc.get("file_index")
        if (
            isinstance(index, int)
            and 0 <= index < len(document_ids)
            and document_ids[index] == document_id
            and doc.get("page") == page
        ):
            return i
    return -1


def _marker(c: Correction, machine: dict[str, Any]) -> dict[str, Any]:
    return {
        "correction_id": c.id,
        "by": c.actor,
        "at": c.created_at.isoformat(),
        "reason": c.reason,
        **machine,
    }


def apply_correction(body: dict[str, Any], document_ids: Sequence[str], c: Correction) -> bool:
    """Apply one correction to ``body`` in place. False when its page or diagnosis is not in this assessment."""
    if c.kind == CorrectionKind.DIAGNOSIS.value:
        diagnoses = body.get("diagnoses")
        if not isinstance(diagnoses, list):
            return False
        index = _diagnosis_index(diagnoses, c)
        if index < 0:
            return False
        item = diagnoses[index]
        previous = item.get("corrected") or {}
        machine = {
            "machine_icd10": previous.get("machine_icd10", item.get("icd10")),
            "machine_name": previous.get("machine_name", item.get("name")),
            "machine_confidence": previous.get("machine_confidence", item.get("confidence")),
        }
        item["icd10"] = c.value
        # The name belongs to the machine's code; the ICD table (medical stage) names the corrected one.
        item["name"] = None if c.value != machine["machine_icd10"] else machine["machine_name"]
        item["confidence"] = 1.0
        item["corrected"] = _marker(c, machine)
        return True
    i = _page_index(body, document_ids, c.document_id, c.page)
    if i < 0:
        return False
    page = body["documents"][i]
    if c.kind == CorrectionKind.DOC_TYPE.value:
        previous = page.get("doc_type_corrected") or {}
        machine = {
            "machine_value": previous.get("machine_value", page.get("doc_type")),
            "machine_confidence": previous.get("machine_confidence", page.get("doc_type_confidence")),
        }
        page["doc_type"] = c.value
        page["doc_type_confidence"] = 1.0
        page["doc_type_corrected"] = _marker(c, machine)
        return True
    fields = page.get("fields")
    if not isinstance(fields, dict):
        fields = {}
        page["fields"] = fields
    field = fields.get(c.target)
    if not isinstance(field, dict):
        field = {"value": None, "confidence": None, "page": c.page, "box": None}
    previous = field.get("corrected") or {}
    machine = {
        "machine_value": previous.get("machine_value", field.get("value")),
        "machine_confidence": previous.get("machine_confidence", field.get("confidence")),
    }
    fields[c.target] = {**field, "value": c.value, "confidence": 1.0, "corrected": _marker(c, machine)}
    return True


def _diagnosis_index(diagnoses: list[Any], c: Correction) -> int:
    """The diagnosis the correction was made on: same written text first (order may change), else same index."""
    text = (c.machine_value or {}).get("text")
    if text:
        for i, d in enumerate(diagnoses):
            if isinstance(d, dict) and d.get("text") == text:
                return i
    try:
        index = int(c.target)
    except ValueError:
        return -1
    if 0 <= index < len(diagnoses) and isinstance(diagnoses[index], dict) and not text:
        return index
    return -1


def _required_types(materials: dict[str, Any]) -> list[str]:
    out = []
    for item in materials.get("required") or []:
        doc_type = item if isinstance(item, str) else item.get("doc_type") if isinstance(item, dict) else None
        if isinstance(doc_type, str):
            out.append(doc_type)
    return out


def _derive_builtin(body: dict[str, Any]) -> dict[str, Any]:
    """What the service can re-derive without the models: the materials checklist and the route's part of it."""
    rerun: list[str] = []
    materials = body.get("materials")
    if isinstance(materials, dict) and materials.get("required") is not None:
        present_types = {d.get("doc_type") for d in body.get("documents") or [] if d.get("doc_type")}
        required = _required_types(materials)
        old_missing = [m for m in materials.get("missing") or [] if isinstance(m, dict)]
        missing = [m for m in old_missing if m.get("doc_type") not in present_types]
        listed = {m.get("doc_type") for m in missing}
        for doc_type in required:
            if doc_type not in present_types and doc_type not in listed:
                zh, en = _DOC_NAMES.get(doc_type, (doc_type, doc_type.replace("_", " ")))
                missing.append(
                    {
                        "doc_type": doc_type,
                        "reason": "not_present_after_correction",
                        "message_zh": f"请补充{zh}。",
                        "message_en": f"Please send the {en}.",
                    }
                )
                listed.add(doc_type)
        materials["present"] = [t for t in required if t in present_types]
        materials["missing"] = missing
        rerun.append("materials")
        decision = body.get("decision")
        if isinstance(decision, dict) and isinstance(decision.get("route"), str):
            route = decision["route"]
            reasons = list(decision.get("reasons") or [])
            if route == "request_materials" and not missing:
                decision["route"] = "adjuster_review"
                reasons.append("materials_complete_after_correction")
            elif route in ("auto_approve", "adjuster_review") and missing:
                decision["route"] = "request_materials"
                reasons.append("materials_missing_after_correction")
            decision["reasons"] = reasons
            rerun.append("decision")
    not_rerun = [k for k in ("diagnoses", "severity", "checks", "fraud") if body.get(k) is not None]
    if "decision" not in rerun and body.get("decision") is not None:
        not_rerun.append("decision")
    body["rederived"] = {"by": "service", "stages": rerun, "not_rerun": not_rerun, "at": utcnow().isoformat()}
    return body


def derive(body: dict[str, Any], facts: ClaimFacts | None, hook: Rederive | None) -> dict[str, Any]:
    """Re-derive the downstream sections of a corrected assessment (the pipeline's hook when it has one)."""
    if hook is None:
        return _derive_builtin(body)
    derived = hook(copy.deepcopy(body), facts)
    derived["rederived"] = {"by": "pipeline", "stages": ["all"], "not_rerun": [], "at": utcnow().isoformat()}
    return derived


def queue_columns(body: dict[str, Any]) -> dict[str, Any]:
    """The claim columns the review queue filters and sorts on, from an assessment JSON."""
    decision, fraud, severity = body.get("decision"), body.get("fraud"), body.get("severity")
    score = fraud.get("score") if isinstance(fraud, dict) else None
    return {
        "route": decision.get("route") if isinstance(decision, dict) else None,
        "fraud_band": fraud.get("band") if isinstance(fraud, dict) else None,
        "fraud_score": float(score) if isinstance(score, int | float) else None,
        "severity_tier": severity.get("tier") if isinstance(severity, dict) else None,
    }


def _latest_per_target(rows: Iterable[Correction]) -> list[Correction]:
    """Corrections in the order made, keeping only the last one per target."""
    last: dict[tuple[str, str | None, int | None, str], Correction] = {}
    for c in rows:
        key = (c.kind, c.document_id, c.page, c.target)
        last.pop(key, None)
        last[key] = c
    return list(last.values())


def reapply(
    s: Session,
    claim_id: str,
    document_ids: Sequence[str],
    body: dict[str, Any],
    facts: ClaimFacts | None,
    hook: Rederive | None,
) -> dict[str, Any]:
    """A new machine assessment with the claim's earlier corrections applied and the downstream re-derived."""
    rows = s.scalars(
        select(Correction).where(Correction.claim_id == claim_id).order_by(Correction.created_at, Correction.id)
    ).all()
    if not rows:
        return body
    applied = sum(apply_correction(body, document_ids, c) for c in _latest_per_target(rows))
    if not applied:
        return body
    return derive(body, facts, hook)


# --------------------------------------------------------------------------- the service


class CorrectionService:
    def __init__(
        self,
        db: Database,
        rederive: Rederive | None = None,
        facts_of: Callable[[Claim], ClaimFacts | None] | None = None,
        on_event: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._rederive = rederive
        self._facts_of = facts_of or (lambda claim: None)
        self._on_event = on_event or (lambda: None)

    def correct(self, principal: Principal, claim_id: str, data: CorrectionCreate) -> dict[str, Any]:
        """Store the correction, apply it to the current assessment, re-derive downstream, audit it."""
        principal.require(Permission.DECIDE)
        with self._db.tx() as s:
            claim = _claim_for(s, principal, claim_id)
            if claim.status == ClaimStatus.DECIDED.value:
                raise ClaimClosedError("This claim is decided; its assessment can no longer be corrected.")
            current = s.scalar(
                select(Assessment)
                .where(Assessment.claim_id == claim.id, Assessment.is_current.is_(True))
                .with_for_update()
            )
            if current is None:
                raise NotFoundError("This claim has no assessment yet; wait until its documents are read.")
            if data.assessment_id is not None and data.assessment_id != current.id:
                raise StaleAssessmentError(
                    "The claim was re-assessed after you opened it (new documents arrived). Reload and correct again."
                )
            body = copy.deepcopy(current.body)
            value, machine = _validate(body, list(current.document_ids), data)
            now = utcnow()
            correction = Correction(
                id=new_id("cor"),
                claim_id=claim.id,
                tenant=claim.tenant,
                kind=data.kind.value,
                document_id=data.document_id if data.kind != CorrectionKind.DIAGNOSIS else None,
                page=data.page if data.kind != CorrectionKind.DIAGNOSIS else None,
                target=data.target if data.kind != CorrectionKind.DOC_TYPE else "doc_type",
                machine_value=machine,
                value=value,
                reason=data.reason or None,
                actor=principal.key_id,
                assessment_id=current.id,
                created_at=now,
            )
            s.add(correction)
            s.flush()
            apply_correction(body, list(current.document_ids), correction)
            body = derive(body, self._facts_of(claim), self._rederive)
            current.body = body
            columns = queue_columns(body)
            current.route, current.fraud_band = columns["route"], columns["fraud_band"]
            claim.route, claim.fraud_band = columns["route"], columns["fraud_band"]
            claim.fraud_score, claim.severity_tier = columns["fraud_score"], columns["severity_tier"]
            claim.updated_at = now
            if ClaimStatus(claim.status) not in STICKY_STATUSES:
                status, detail = _status_after_correction(body)
                set_status(s, claim, status, detail)
            record(
                s,
                principal,
                "correction.record",
                claim_id=claim.id,
                target=correction.id,
                detail={
                    "kind": correction.kind,
                    "target": correction.target,
                    "document_id": correction.document_id,
                    "page": correction.page,
                    "assessment": current.id,
                },
            )
            emit(
                s,
                claim.tenant,
                EventType.ASSESSED,
                claim.id,
                {"assessment_id": current.id, "revision": current.revision, "corrected": True, **columns},
            )
            view = _correction_view(correction, None)
        self._on_event()
        return view

    def list(self, principal: Principal, claim_id: str) -> list[dict[str, Any]]:
        """The claim's corrections, oldest first (values masked for roles without the personal-data right)."""
        principal.require(Permission.CLAIMS_READ)
        with self._db.tx() as s:
            claim = _claim_for(s, principal, claim_id)
            names = None if principal.can(Permission.PERSONAL_DATA) else [claim.member_name]
            rows = s.scalars(
                select(Correction).where(Correction.claim_id == claim.id).order_by(Correction.created_at, Correction.id)
            ).all()
            return [_correction_view(c, names) for c in rows]


def _status_after_correction(body: dict[str, Any]) -> tuple[ClaimStatus, dict[str, Any]]:
    from claims_ai.service.processing import claim_status_for

    status, detail = claim_status_for(body)
    if status == ClaimStatus.DECIDED:  # an adjuster is working the claim: the machine does not close it now
        status, detail = ClaimStatus.IN_REVIEW, {}
    return status, {**detail, "after": "correction"}


def _claim_for(s: Session, principal: Principal, claim_id: str) -> Claim:
    claim = s.get(Claim, claim_id, with_for_update=True) if len(claim_id) <= 40 else None
    if claim is None or claim.tenant != principal.tenant:
        raise NotFoundError(f"There is no claim {claim_id}.")
    return claim


def _validate(body: dict[str, Any], document_ids: list[str], data: CorrectionCreate) -> tuple[str, dict[str, Any]]:
    """The normalised value and what the machine had said; InputError when the target does not exist."""
    if data.kind == CorrectionKind.DIAGNOSIS:
        diagnoses = body.get("diagnoses")
        try:
            index = int(data.target)
        except ValueError:
            raise InputError("A diagnosis correction names the diagnosis by its index (0, 1, …).") from None
        if not isinstance(diagnoses, list) or not 0 <= index < len(diagnoses):
            raise InputError(f"The assessment has no diagnosis {data.target}.")
        code = data.value.upper().replace(" ", "")
        if not _looks_like_icd10(code):
            raise InputError(f"{data.value!r} is not an ICD-10 code (a letter, two digits, then optional detail).")
        item = diagnoses[index] if isinstance(diagnoses[index], dict) else {}
        machine = item.get("corrected") or {}
        return code, {
            "text": item.get("text"),
            "icd10": machine.get("machine_icd10", item.get("icd10")),
            "name": machine.get("machine_name", item.get("name")),
            "confidence": machine.get("machine_confidence", item.get("confidence")),
        }
    if data.document_id is None or data.page is None:
        raise InputError("Give the document and page of the value you correct.")
    i = _page_index(body, document_ids, data.document_id, data.page)
    if i < 0:
        raise InputError(f"The assessment has no page {data.page} of document {data.document_id}.")
    page = body["documents"][i]
    if data.kind == CorrectionKind.DOC_TYPE:
        if data.value not in DOC_TYPES:
            raise InputError(f"{data.value!r} is not a document type; use one of: {', '.join(DOC_TYPES)}.")
        marker = page.get("doc_type_corrected") or {}
        return data.value, {
            "value": marker.get("machine_value", page.get("doc_type")),
            "confidence": marker.get("machine_confidence", page.get("doc_type_confidence")),
        }
    if data.target not in FIELD_NAMES:
        raise InputError(f"{data.target!r} is not a field; fields are: {', '.join(FIELD_NAMES)}.")
    if data.target in LIST_FIELDS:
        raise InputError(f"{data.target} is a list; correct its entries where they are used (diagnosis codes).")
    value = _normalise(data.target, data.value)
    field = (page.get("fields") or {}).get(data.target)
    field = field if isinstance(field, dict) else {}
    marker = field.get("corrected") or {}
    return value, {
        "value": marker.get("machine_value", field.get("value")),
        "confidence": marker.get("machine_confidence", field.get("confidence")),
        "box": field.get("box"),
    }


def _normalise(name: str, value: str) -> str:
    if name in AMOUNT_FIELDS:
        amount = parse_amount(value)
        if amount is None:
            raise InputError(f"{value!r} is not an amount; write it like 24189.65.")
        return amount
    if name in DATE_FIELDS:
        date = parse_date(value)
        if date is None:
            raise InputError(f"{value!r} is not a date; write it like 2020-12-23.")
        return date
    return value


def _looks_like_icd10(code: str) -> bool:
    return (
        3 <= len(code) <= 12
        and code[0].isalpha()
        and code[0].isascii()
        and code[1:3].isdigit()
        and all(ch.isalnum() or ch in ".+*x" for ch in code[3:])
    )


def _correction_view(c: Correction, masked_names: list[str | None] | None) -> dict[str, Any]:
    value: str | None = c.value
    machine: dict[str, Any] = dict(c.machine_value or {})
    if masked_names is not None:
        if c.target in PERSONAL_FIELDS:
            value = mask_name(value)
            if isinstance(machine.get("value"), str):
                machine["value"] = mask_name(machine["value"])
        else:
            value = mask_text(value or "", masked_names)
            machine = {k: mask_text(v, masked_names) if isinstance(v, str) else v for k, v in machine.items()}
    return {
        "id": c.id,
        "kind": c.kind,
        "document_id": c.document_id,
        "page": c.page,
        "target": c.target,
        "value": value,
        "machine": machine,
        "reason": mask_text(c.reason, masked_names) if (c.reason and masked_names is not None) else c.reason,
        "actor": c.actor,
        "assessment_id": c.assessment_id,
        "created_at": c.created_at.isoformat(),
    }
