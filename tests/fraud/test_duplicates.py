"""Duplicate index: band arithmetic, page and invoice lookups, in memory, on SQLite, and on PostgreSQL when CI=true."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from fraud_helpers import PAGE_BOXES, claim, page_image, with_document

from claims_ai.config import ServiceSettings
from claims_ai.fraud.duplicates import (
    BANDS,
    InvoiceKey,
    MemoryDuplicateIndex,
    PageHash,
    band_keys,
    hamming,
    invoice_keys,
    page_hash,
    probe_band_keys,
)
from claims_ai.fraud.types import DuplicateKind
from claims_ai.service.db import Database, create_db_engine, migrate
from claims_ai.service.duplicates import SqlDuplicateIndex, from_signed, to_signed

POSTGRES = os.environ.get("CI") == "true" or os.environ.get("CLAIMS_AI_TEST_POSTGRES") == "1"
POSTGRES_ADMIN_URL = os.environ.get("CLAIMS_AI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _flip(value: int, *bits: int) -> int:
    for b in bits:
        value ^= 1 << b
    return value


def test_band_keys_split_the_hash_into_four_indexed_sixteen_bit_keys() -> None:
    value = 0x0123_4567_89AB_CDEF
    keys = band_keys(value)
    assert len(keys) == BANDS == 4
    assert [k & 0xFFFF for k in keys] == [0xCDEF, 0x89AB, 0x4567, 0x0123]
    assert len(set(k >> 16 for k in keys)) == 4  # the band number is part of the key
    assert len(probe_band_keys(value, 0)) == 4 and len(probe_band_keys(value, 1)) == 4 * 17


def test_any_hash_within_seven_bits_shares_a_probed_band() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        value = int(rng.integers(0, 2**63)) * 2 + int(rng.integers(0, 2))
        near = _flip(value, *rng.choice(64, size=7, replace=False).tolist())
        assert hamming(value, near) == 7
        assert set(band_keys(near)) & set(probe_band_keys(value, 1))


def test_signed_storage_round_trips_the_top_bit() -> None:
    for value in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        assert -(2**63) <= to_signed(value) < 2**63 and from_signed(to_signed(value)) == value


def test_page_hash_survives_a_light_edit_but_not_other_content() -> None:
    page = page_image(7)
    h = page_hash(page, PAGE_BOXES)
    assert h is not None
    edited = cv2.convertScaleAbs(page[3:-2, 2:-3], alpha=1.05, beta=6)  # cropped, brighter
    shifted = {k: tuple((x - 2, y - 3) for x, y in q) for k, q in PAGE_BOXES.items()}  # boxes follow the crop
    again = page_hash(np.ascontiguousarray(edited), shifted)
    other_page = page_image(7)
    cv2.rectangle(other_page, (525, 385), (755, 415), (246, 244, 238), -1)
    cv2.putText(other_page, "7,003.10", (530, 410), cv2.FONT_HERSHEY_COMPLEX, 0.9, (110, 110, 120), 1, cv2.LINE_AA)
    other = page_hash(other_page, PAGE_BOXES)
    assert again is not None and other is not None
    assert hamming(h.value, again.value) <= 6 and hamming(h.page_value, again.page_value) <= 12
    assert hamming(h.value, other.value) > 6
    assert page_hash(page, {}) is None  # no amount box: not hashed


def test_invoice_keys_need_hospital_and_amount() -> None:
    keys = invoice_keys(claim())
    assert {k.kind for k in keys} == {DuplicateKind.INVOICE, DuplicateKind.INVOICE_DAY}
    assert all(k.document_id == "D-invoice" and len(k.digest) == 40 for k in keys)
    spaced = with_document(claim(), "D-invoice", fields={**claim().documents[0].fields})
    assert [k.digest for k in invoice_keys(spaced)] == [k.digest for k in keys]
    other_amount = claim(total="24189.66")
    assert not {k.digest for k in invoice_keys(other_amount)} & {k.digest for k in keys}


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "memory":
        yield MemoryDuplicateIndex()
        return
    if request.param == "sqlite":
        db = Database(create_db_engine(ServiceSettings(data_dir=tmp_path)))
        migrate(db.engine)
        yield SqlDuplicateIndex(db, tenant="t1")
        db.dispose()
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL tests are off: set CLAIMS_AI_TEST_POSTGRES=1 (or CI=true)")
    from sqlalchemy import create_engine, text

    name = f"claims_ai_fraud_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{POSTGRES_ADMIN_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(create_db_engine(ServiceSettings(database_url=f"{POSTGRES_ADMIN_URL}/{name}")))
    try:
        migrate(db.engine)
        yield SqlDuplicateIndex(db, tenant="t1")
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _page(value: int, page_value: int, doc: str = "D-invoice") -> PageHash:
    return PageHash(doc, "invoice.jpg", 1, value, page_value)


def test_a_near_duplicate_page_is_found_by_index_lookup(index) -> None:  # type: ignore[no-untyped-def]
    stored = 0xF0F0_1234_ABCD_8765
    index.add("C-1", [_page(stored, 2**64 - 5, "C-1-D03")], [], member_id="M-1")
    index.add("C-2", [_page(0x0F0F_0000_1111_2222, 7)], [])
    hits = index.find("C-9", [_page(_flip(stored, 1, 20, 40), _flip(2**64 - 5, 3, 9))], [])
    assert [(h.kind, h.other_claim_id, h.other_document_id, h.distance) for h in hits] == [
        (DuplicateKind.PAGE_IMAGE, "C-1", "C-1-D03", 3)
    ]
    assert hits[0].document_id == "D-invoice" and hits[0].other_member_id == "M-1"
    assert index.find("C-9", [_page(_flip(stored, 1, 2, 3, 20, 21, 22, 40, 41, 42), 2**64 - 5)], []) == ()
    assert index.find("C-9", [_page(stored, 12345)], []) == ()  # region alike, page unlike: not the same image
    assert index.find("C-1", [_page(stored, 2**64 - 5)], []) == ()  # a claim never matches itself


def test_probe_radius_one_reaches_hashes_that_differ_in_every_band() -> None:
    stored = 0xF0F0_1234_ABCD_8765
    probe = _page(_flip(stored, 1, 20, 40, 63), 0)
    exact, wide = MemoryDuplicateIndex(probe_radius=0), MemoryDuplicateIndex(probe_radius=1)
    for index in (exact, wide):
        index.add("C-1", [_page(stored, 0)], [])
    assert exact.find("C-9", [probe], []) == ()  # no band in common: not a candidate at radius 0
    assert [h.distance for h in wide.find("C-9", [probe], [])] == [4]


def test_a_reused_invoice_is_found_and_readding_a_claim_replaces_it(index) -> None:  # type: ignore[no-untyped-def]
    keys = invoice_keys(claim())
    index.add("C-1", [], keys)
    index.add("C-1", [], keys)  # re-assessed: no duplicate rows
    hits = index.find("C-2", [], keys)
    assert sorted(h.kind.value for h in hits) == ["invoice", "invoice_day"]
    assert {h.other_claim_id for h in hits} == {"C-1"}
    unknown = [InvoiceKey(DuplicateKind.INVOICE, "0" * 40, "D-x", "")]
    assert index.find("C-2", [], unknown) == ()


def test_sql_index_keeps_tenants_apart(tmp_path: Path) -> None:
    db = Database(create_db_engine(ServiceSettings(data_dir=tmp_path)))
    migrate(db.engine)
    a, b = SqlDuplicateIndex(db, tenant="a"), SqlDuplicateIndex(db, tenant="b")
    keys = invoice_keys(claim())
    a.add("C-1", [_page(99, 99)], keys)
    assert a.find("C-2", [_page(99, 99)], keys) and b.find("C-2", [_page(99, 99)], keys) == ()
    a.forget("C-1")
    assert a.find("C-2", [_page(99, 99)], keys) == ()
    db.dispose()
