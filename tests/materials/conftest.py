"""Helpers for the materials tests: documents with fields, claims of each type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from claims_ai.config import ClaimType
from claims_ai.medical.evidence import ClaimantRelationship, ClaimEvidence, DocType, DocumentEvidence, FieldValue
from claims_ai.types import ClaimFacts


def make_doc(
    doc_type: str,
    doc_id: str | None = None,
    *,
    usable: bool = True,
    problems: tuple[str, ...] = (),
    text: str = "",
    line_items: tuple[tuple[str, str], ...] = (),
    **fields: str,
) -> DocumentEvidence:
    return DocumentEvidence(
        DocType(doc_type),
        doc_id or doc_type,
        fields={k: FieldValue(v, 0.95, 1, ((0, 0), (10, 0), (10, 10), (0, 10))) for k, v in fields.items()},
        text=text,
        line_items=line_items,
        usable=usable,
        problems=problems,
    )


def make_claim(
    claim_type: ClaimType | None,
    *docs: DocumentEvidence,
    claimant: ClaimantRelationship | None = None,
    policy_start: str | None = None,
    waiting: int | None = None,
) -> ClaimEvidence:
    facts = ClaimFacts(
        claim_type=claim_type,
        member_age=40,
        policy_start_date=dt.date.fromisoformat(policy_start) if policy_start else None,
        waiting_period_days=waiting,
    )
    return ClaimEvidence(tuple(docs), facts, claimant)


@pytest.fixture
def doc() -> Callable[..., DocumentEvidence]:
    return make_doc


@pytest.fixture
def claim() -> Callable[..., ClaimEvidence]:
    return make_claim
