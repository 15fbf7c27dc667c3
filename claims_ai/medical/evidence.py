"""What the medical and materials stages read: the claim's documents as plain inputs, and evidence spans.

The classifier and field extractor (issue 4) produce, per page, a document type and fields; the pipeline turns them
into :class:`DocumentEvidence` (one per logical document) and a :class:`ClaimEvidence`. Nothing here runs a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from claims_ai.config import ClaimantRelationship
from claims_ai.types import ClaimFacts, DocType, Quad

__all__ = [
    "ClaimEvidence",
    "ClaimantRelationship",
    "DocType",
    "DocumentEvidence",
    "EvidenceSpan",
    "FieldValue",
]


@dataclass(frozen=True)
class FieldValue:
    """One extracted field: the contract's normalised string (lists joined by ``##``), confidence, where it is."""

    value: str
    confidence: float = 1.0
    page: int | None = None
    box: Quad | None = None


@dataclass(frozen=True)
class DocumentEvidence:
    """One logical document (pages of one ``group``) with its type and fields.

    ``usable`` is False when the document is present but cannot serve: every page failed the quality gate, a key
    field is unreadable, or the page is cut off; ``problems`` says which (``quality_failed``, ``cut_off``,
    ``unreadable:<field>``). ``text`` is the page text (OCR lines joined), searched for clinical findings.
    """

    doc_type: DocType
    document_id: str
    pages: tuple[int, ...] = (1,)
    file: str = ""
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    text: str = ""
    line_items: tuple[tuple[str, str], ...] = ()  # (name, amount "123.45") charge lines or bill rows
    usable: bool = True
    problems: tuple[str, ...] = ()

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found is not None and found.value else None


@dataclass(frozen=True)
class ClaimEvidence:
    documents: tuple[DocumentEvidence, ...] = ()
    facts: ClaimFacts = field(default_factory=ClaimFacts)
    claimant: ClaimantRelationship | None = None  # who files the claim; None when not stated

    def of_type(self, *doc_types: DocType, usable_only: bool = True) -> tuple[DocumentEvidence, ...]:
        return tuple(d for d in self.documents if d.doc_type in doc_types and (d.usable or not usable_only))


@dataclass(frozen=True)
class EvidenceSpan:
    """A piece of evidence a decision used: which document, field and value, and where on the page."""

    doc_type: DocType | None
    document_id: str | None
    field: str
    value: str
    page: int | None = None
    box: Quad | None = None
