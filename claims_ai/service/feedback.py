"""Adjusters' corrections exported as labelled examples, in the synthetic ground truth's format.

``export_feedback`` writes, for every page an adjuster corrected (a field value or the document type), a record
with the keys of ``claims_datasets.schema.PageTruth`` (schema version 1) next to the page image, as
``claims-ai dataset generate`` lays them out:

    <out>/pages/<page_id>.json     PageTruth keys + "feedback" (what the adjuster verified, every correction)
    <out>/pages/<page_id>.png      the page as the models saw it (upright), in the pixels of the boxes
    <out>/claims/<claim_id>.json   claim record (facts, documents, labels.diagnoses) for diagnosis-code corrections
    <out>/manifest.json            counts, filters, schema version

Differences from synthetic truth, so training code can tell: ``layout`` and ``seed`` are null, ``capture`` is
``{"mode": "real", "source": "adjuster_feedback"}``, ``text_lines`` are the OCR's lines (``kind: "ocr"``, not
verified), and only the labels listed in ``feedback.verified`` were set by a person; other field values are the
machine's. Exports hold personal data (page images, names): keep them where the claims are kept.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from claims_ai.config import Settings
from claims_ai.ingest.decode import decode_file
from claims_ai.service.corrections import LIST_FIELDS
from claims_ai.service.db import Database
from claims_ai.service.filestore import FileStore
from claims_ai.service.models import Assessment, Claim, Correction, CorrectionKind, Document, utcnow

__all__ = ["FEEDBACK_SCHEMA_VERSION", "export_feedback"]

FEEDBACK_SCHEMA_VERSION = 1  # the PageTruth schema_version these records follow


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _correction_json(c: Correction) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind,
        "target": c.target,
        "machine": c.machine_value,
        "value": c.value,
        "by": c.actor,
        "at": c.created_at.isoformat(),
        "reason": c.reason,
    }


def _field_truth(field: dict[str, Any]) -> dict[str, Any]:
    value = field.get("value")
    return {"value": value, "text": value, "box": field.get("box"), "masked": False}


def _page_record(
    page: dict[str, Any], claim: Claim, document_id: str, page_id: str, split: str, image: str | None
) -> dict[str, Any]:
    fields: dict[str, Any] = page["fields"] if isinstance(page.get("fields"), dict) else {}
    scalar = {
        name: _field_truth(f)
        for name, f in fields.items()
        if isinstance(f, dict) and name not in LIST_FIELDS and isinstance(f.get("value"), str)
    }
    items = (fields.get("line_items") or {}).get("value") if isinstance(fields.get("line_items"), dict) else None
    line_items = [
        {"name": i.get("name"), "amount": i.get("amount"), "box": i.get("box")}
        for i in items or []
        if isinstance(i, dict)
    ]
    written = (fields.get("diagnoses") or {}).get("value") if isinstance(fields.get("diagnoses"), dict) else None
    diagnoses = [{"value": d, "text": d, "box": None, "masked": False} for d in written or [] if isinstance(d, str)]
    return {
        "page_id": page_id,
        "image": image,
        "width": page.get("width"),
        "height": page.get("height"),
        "seed": None,
        "split": split,
        "doc_type": page.get("doc_type"),
        "layout": None,
        "fields": scalar,
        "line_items": line_items,
        "diagnoses": diagnoses,
        "text_lines": [
            {"text": line.get("text"), "box": line.get("box"), "kind": "ocr", "legible": True, "slip": 0}
            for line in page.get("text_lines") or []
        ],
        "stamps": [],
        "capture": {"mode": "real", "source": "adjuster_feedback", "orientation": page.get("orientation")},
        "extra_fields": {},
        "claim_id": claim.id,
        "document_id": document_id,
        "schema_version": FEEDBACK_SCHEMA_VERSION,
    }


def export_feedback(
    db: Database,
    files: FileStore,
    settings: Settings,
    out: Path,
    *,
    tenant: str | None = None,
    since: dt.datetime | None = None,
    split: str = "train",
    images: bool = True,
) -> dict[str, Any]:
    """Write the corrected pages (and claims with corrected diagnoses) under ``out``; returns the manifest."""
    query = select(Correction).order_by(Correction.claim_id, Correction.created_at, Correction.id)
    if tenant:
        query = query.where(Correction.tenant == tenant)
    if since:
        query = query.where(Correction.created_at >= since)
    with db.tx() as s:
        rows = list(s.scalars(query))
    by_claim: dict[str, list[Correction]] = defaultdict(list)
    for c in rows:
        by_claim[c.claim_id].append(c)
    pages_dir, claims_dir = out / "pages", out / "claims"
    pages_dir.mkdir(parents=True, exist_ok=True)
    written_pages = written_claims = 0
    for claim_id, corrections in by_claim.items():
        with db.tx() as s:
            claim = s.get(Claim, claim_id)
            current = s.scalar(
                select(Assessment).where(Assessment.claim_id == claim_id, Assessment.is_current.is_(True))
            )
            docs = {d.id: d for d in s.scalars(select(Document).where(Document.claim_id == claim_id))}
        if claim is None or current is None:
            continue
        body, document_ids = current.body, list(current.document_ids)
        per_page: dict[tuple[str, int], list[Correction]] = defaultdict(list)
        for c in corrections:
            if c.kind in (CorrectionKind.FIELD.value, CorrectionKind.DOC_TYPE.value) and c.document_id and c.page:
                per_page[(c.document_id, c.page)].append(c)
        decoded: dict[str, list[Any]] = {}
        for (document_id, page_no), page_corrections in per_page.items():
            page = _find_page(body, document_ids, document_id, page_no)
            doc = docs.get(document_id)
            if page is None or doc is None:
                continue
            page_id = _safe(f"fb-{claim_id}-{document_id}-p{page_no}")
            image_name = None
            if images:
                if document_id not in decoded:
                    decoded[document_id] = decode_file(files.get(doc.sha256), doc.filename, 0, settings.limits)
                image_name = f"{page_id}.png"
                _write_png(decoded[document_id][page_no - 1].image, pages_dir / image_name)
            record = _page_record(page, claim, document_id, page_id, split, image_name)
            verified = sorted(
                {
                    "doc_type" if c.kind == CorrectionKind.DOC_TYPE.value else f"fields.{c.target}"
                    for c in page_corrections
                }
            )
            record["feedback"] = {
                "tenant": claim.tenant,
                "assessment_id": current.id,
                "page": page_no,
                "verified": verified,
                "corrections": [_correction_json(c) for c in page_corrections],
            }
            (pages_dir / f"{page_id}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
            written_pages += 1
        diagnosis_corrections = [c for c in corrections if c.kind == CorrectionKind.DIAGNOSIS.value]
        if diagnosis_corrections:
            claims_dir.mkdir(parents=True, exist_ok=True)
            record = _claim_record(claim, body, document_ids, split, diagnosis_corrections)
            (claims_dir / f"{_safe(claim_id)}.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=1), "utf-8"
            )
            written_claims += 1
    manifest = {
        "source": "adjuster_feedback",
        "schema_version": FEEDBACK_SCHEMA_VERSION,
        "exported_at": utcnow().isoformat(),
        "tenant": tenant,
        "since": since.isoformat() if since else None,
        "split": split,
        "pages": written_pages,
        "claims": written_claims,
        "corrections": len(rows),
        "images": images,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    return manifest


def _find_page(body: dict[str, Any], document_ids: list[str], document_id: str, page: int) -> dict[str, Any] | None:
    for p in body.get("documents") or []:
        index = p.get("file_index")
        in_range = isinstance(index, int) and 0 <= index < len(document_ids)
        if in_range and document_ids[index] == document_id and p.get("page") == page:
            return dict(p)
    return None


def _claim_record(
    claim: Claim, body: dict[str, Any], document_ids: list[str], split: str, corrections: list[Correction]
) -> dict[str, Any]:
    documents: dict[str, dict[str, Any]] = {}
    for p in body.get("documents") or []:
        index = p.get("file_index")
        if not isinstance(index, int) or not 0 <= index < len(document_ids):
            continue
        doc_id = document_ids[index]
        entry = documents.setdefault(doc_id, {"document_id": doc_id, "doc_type": p.get("doc_type"), "pages": []})
        entry["pages"].append(_safe(f"fb-{claim.id}-{doc_id}-p{p.get('page')}"))
    corrected = {c.target for c in corrections}
    diagnoses = [
        {
            "icd10": d.get("icd10"),
            "name": d.get("name"),
            "written": d.get("text"),
            "verified": str(i) in corrected or bool(d.get("corrected")),
        }
        for i, d in enumerate(body.get("diagnoses") or [])
        if isinstance(d, dict)
    ]
    return {
        "claim_id": claim.id,
        "seed": None,
        "split": split,
        "facts": {
            "claim_type": claim.claim_type,
            "member_age": claim.member_age,
            "plan": claim.plan,
            "policy_start_date": claim.policy_start_date.isoformat() if claim.policy_start_date else None,
            "waiting_period_days": claim.waiting_period_days,
            "claimant": claim.claimant,
        },
        "documents": list(documents.values()),
        "labels": {"diagnoses": diagnoses, "primary_diagnosis": diagnoses[0] if diagnoses else None},
        "feedback": {"tenant": claim.tenant, "corrections": [_correction_json(c) for c in corrections]},
    }


def _write_png(image: Any, path: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
