"""The claim as the medical, materials and fraud stages read it: assessment pages → :class:`ClaimEvidence`.

Built from the assessment JSON's ``documents[]`` (not from the in-memory pages), so that a fresh assessment and
one re-derived after an adjuster's corrections go through exactly the same code. Pages sharing a ``group`` form
one document. A document is unusable — and so counts as missing for the materials checklist — when its key field
was not read; the problem names why (the quality check that failed, else the unreadable field).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claims_ai.extract.normalize import parse_id_number
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, EvidenceSpan, FieldValue
from claims_ai.types import ClaimFacts

__all__ = ["KEY_FIELDS", "DocumentPlace", "build_claim_evidence", "span_to_dict"]

# The field without which a document cannot serve its purpose in the claim.
KEY_FIELDS: Mapping[DocType, str] = {
    DocType.MEDICAL_INVOICE_INPATIENT: "total_amount",
    DocType.MEDICAL_INVOICE_OUTPATIENT: "total_amount",
    DocType.ITEMIZED_BILL: "total_amount",
    DocType.DISCHARGE_SUMMARY: "diagnoses",
    DocType.DIAGNOSIS_CERTIFICATE: "diagnoses",
    DocType.PATHOLOGY_REPORT: "pathology_diagnosis",
}


@dataclass(frozen=True)
class DocumentPlace:
    """Where a logical document lies in the request: its file and the indexes of its pages in ``documents[]``."""

    file: str
    file_index: int
    pages: tuple[int, ...]  # page numbers inside the file
    entries: tuple[int, ...]  # indexes into the assessment's documents[]


def build_claim_evidence(
    pages: Sequence[Mapping[str, Any]], facts: ClaimFacts | None
) -> tuple[ClaimEvidence, dict[str, DocumentPlace]]:
    """One :class:`DocumentEvidence` per page group (pages without a type are left out: no classifier ran)."""
    grouped: dict[int, list[int]] = {}
    for index, page in enumerate(pages):
        if page.get("doc_type") is None:
            continue
        group = page.get("group")
        grouped.setdefault(group if isinstance(group, int) else -1 - index, []).append(index)
    documents: list[DocumentEvidence] = []
    places: dict[str, DocumentPlace] = {}
    for number, indexes in enumerate(grouped.values(), start=1):
        members = [pages[i] for i in indexes]
        document_id = f"doc{number}"
        documents.append(_document(document_id, members))
        first = members[0]
        places[document_id] = DocumentPlace(
            str(first.get("file", "")),
            int(first.get("file_index", 0)),
            tuple(int(p.get("page", 1)) for p in members),
            tuple(indexes),
        )
    facts = facts or ClaimFacts()
    return ClaimEvidence(tuple(documents), facts, facts.claimant), places


def _document(document_id: str, pages: Sequence[Mapping[str, Any]]) -> DocumentEvidence:
    doc_type = DocType(pages[0]["doc_type"])
    fields: dict[str, FieldValue] = {}
    line_items: list[tuple[str, str]] = []
    for page in pages:
        for name, raw in (page.get("fields") or {}).items():
            if not isinstance(raw, Mapping) or name in fields:
                continue
            value = raw.get("value")
            if name == "line_items":
                line_items += [(str(i.get("name", "")), str(i.get("amount", ""))) for i in value or [] if i]
                continue
            text = "##".join(str(v) for v in value) if isinstance(value, list | tuple) else value
            if text:
                box = raw.get("box")
                fields[name] = FieldValue(
                    str(text),
                    float(raw.get("confidence") or 0.0),
                    raw.get("page") or page.get("page"),
                    tuple(tuple(p) for p in box) if box else None,  # type: ignore[arg-type]
                )
    text = "\n".join(str(line.get("text", "")) for page in pages for line in page.get("text_lines") or [])
    problems = _problems(doc_type, fields, pages, text)
    return DocumentEvidence(
        doc_type=doc_type,
        document_id=document_id,
        pages=tuple(int(p.get("page", 1)) for p in pages),
        file=str(pages[0].get("file", "")),
        fields=fields,
        text=text,
        line_items=tuple(line_items),
        usable=not problems,
        problems=problems,
    )


def _card_number_read(doc_type: DocType, text: str) -> bool | None:
    """Whether a card's number was read (ID: 18 characters, partly masked allowed; bank: 16–19 digits passing
    Luhn); None for other documents."""
    if doc_type is DocType.ID_CARD:
        # Members often black out their ID number; the platform holds it, so a card whose labels were read
        # (front: 公民身份号码, back: 签发机关/有效期限) is the card they were asked for.
        return parse_id_number(text) is not None or (
            len(text.splitlines()) >= 3 and any(label in text for label in _ID_CARD_LABELS)
        )
    if doc_type is DocType.BANK_CARD:
        for run in re.findall(r"(?<!\d)\d[ \d]{14,22}\d(?!\d)", text):
            digits = run.replace(" ", "")
            if 16 <= len(digits) <= 19 and _luhn(digits):
                return True
        return False
    return None


_ID_CARD_LABELS = ("公民身份号码", "签发机关", "有效期限")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# A page without a key field still serves when this many lines were read, whatever the quality checks say.
_READ_ENOUGH_LINES = 8


def _problems(
    doc_type: DocType, fields: Mapping[str, FieldValue], pages: Sequence[Mapping[str, Any]], text: str
) -> tuple[str, ...]:
    """Why the document cannot serve, or () when it can. What was read decides; the quality checks only say
    why something could not be read (a photo slightly skewed but fully read serves)."""
    key = KEY_FIELDS.get(doc_type)
    card = _card_number_read(doc_type, text)
    if card is not None:
        key, read = ("card_number" if doc_type is DocType.BANK_CARD else "id_number"), card
    elif key is not None:
        read = key in fields
    else:
        read = sum(len(page.get("text_lines") or []) for page in pages) >= _READ_ENOUGH_LINES
    if read:
        return ()
    failed = [
        str(check.get("name"))
        for page in pages
        for check in ((page.get("quality") or {}).get("checks") or [])
        if check.get("passed") is False
    ]
    if "cut_off" in failed:
        return ("cut_off",)
    if failed:
        return ("quality_failed",)
    return (f"unreadable:{key}",) if key else ()


def span_to_dict(span: EvidenceSpan, places: Mapping[str, DocumentPlace]) -> dict[str, Any]:
    """An evidence span as the assessment JSON shows it: with the file index so a client can find the page."""
    place = places.get(span.document_id or "")
    out: dict[str, Any] = {
        "document_id": span.document_id,
        "doc_type": span.doc_type.value if span.doc_type else None,
        "field": span.field,
        "value": span.value,
        "page": span.page,
        "box": [list(p) for p in span.box] if span.box else None,
    }
    if place is not None:
        out["file_index"] = place.file_index
        out["file"] = place.file
    return out
