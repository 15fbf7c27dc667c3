"""Benchmark: duplicate lookups against 1k, 10k and 100k stored claims (memory, SQLite, PostgreSQL).

Each stored claim holds one bill page (random 64-bit region and page hashes) and two invoice keys. A planted claim
(stored first) is re-submitted by every "hit" probe, its page hash with 3 bits flipped; "miss" probes are fresh
random claims. One lookup = ``find(claim_id, [page hash], [2 invoice keys])``, timed per call; per size: median and
p95 ms, how many candidate pages the band probes fetched, and whether every planted duplicate was caught
(3 flipped bits: found at ``--probe-radius 0``, the default, and 1).

    .venv/bin/python scripts/bench_fraud_duplicates.py [--sizes 1000,10000,100000] [--postgres URL] [--out FILE]

PostgreSQL (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) gets a fresh database, dropped after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, insert, text

from claims_ai.config import ServiceSettings
from claims_ai.fraud.duplicates import InvoiceKey, MemoryDuplicateIndex, PageHash, band_keys, probe_band_keys
from claims_ai.fraud.types import DuplicateKind
from claims_ai.service.db import Database, create_db_engine, migrate
from claims_ai.service.duplicates import SqlDuplicateIndex, to_signed
from claims_ai.service.models import FraudInvoiceKey, FraudPageBand, FraudPageHash, utcnow

QUERIES = 200


def _claim(rng: random.Random, n: int) -> tuple[str, PageHash, list[InvoiceKey]]:
    claim_id = f"B{n:08d}"
    page = PageHash(f"{claim_id}-D03", None, 1, rng.getrandbits(64), rng.getrandbits(64))
    keys = [
        InvoiceKey(kind, hashlib.sha1(f"{kind}{n}{rng.random()}".encode()).hexdigest(), page.document_id, "")
        for kind in (DuplicateKind.INVOICE, DuplicateKind.INVOICE_DAY)
    ]
    return claim_id, page, keys


def _bulk_fill(db: Database, claims: list[tuple[str, PageHash, list[InvoiceKey]]], first_id: int) -> None:
    """Core inserts in batches (the ORM ``add`` path is for one claim at a time, not for 100k)."""
    now = utcnow()
    for start in range(0, len(claims), 5000):
        batch = claims[start : start + 5000]
        hashes, bands, keys = [], [], []
        for i, (claim_id, page, invoice_keys) in enumerate(batch):
            row_id = first_id + start + i
            hashes.append(
                {
                    "id": row_id,
                    "tenant": "bench",
                    "claim_id": claim_id,
                    "member_id": None,
                    "document_id": page.document_id,
                    "file": None,
                    "page": 1,
                    "region_hash": to_signed(page.value),
                    "page_hash": to_signed(page.page_value),
                    "created_at": now,
                }
            )
            bands += [{"page_hash_id": row_id, "band_key": k, "tenant": "bench"} for k in band_keys(page.value)]
            keys += [
                {
                    "tenant": "bench",
                    "claim_id": claim_id,
                    "member_id": None,
                    "document_id": k.document_id,
                    "kind": k.kind.value,
                    "digest": k.digest,
                    "created_at": now,
                }
                for k in invoice_keys
            ]
        with db.tx() as s:
            s.execute(insert(FraudPageHash), hashes)
            s.execute(insert(FraudPageBand), bands)
            s.execute(insert(FraudInvoiceKey), keys)
    raw = db.engine.raw_connection()  # outside a transaction: fold the bulk load into the file, refresh stats
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)" if db.dialect == "sqlite" else "ANALYZE")
        cursor.close()
        raw.commit()
    finally:
        raw.close()


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for b in rng.sample(range(64), bits):
        value ^= 1 << b
    return value


def _measure(index: Any, planted: tuple[str, PageHash, list[InvoiceKey]], rng: random.Random, stored: int) -> dict:
    times, caught = [], 0
    for q in range(QUERIES):
        if q % 2 == 0:  # re-submission of the planted claim's bill by another claim
            _, page, keys = planted
            probe = PageHash("probe", None, 1, _flip(page.value, 3, rng), _flip(page.page_value, 3, rng))
            start = time.perf_counter()
            hits = index.find(f"Q{q}", [probe], keys)
            times.append((time.perf_counter() - start) * 1000)
            kinds = {h.kind for h in hits if h.other_claim_id == planted[0]}
            caught += {DuplicateKind.PAGE_IMAGE, DuplicateKind.INVOICE} <= kinds
        else:
            _, probe, keys = _claim(rng, 10**9 + q)
            start = time.perf_counter()
            index.find(f"Q{q}", [probe], keys)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "stored_claims": stored,
        "lookups": QUERIES,
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 3),
        "planted_duplicates_caught": f"{caught}/{QUERIES // 2}",
    }


def _candidates(db: Database, value: int, radius: int) -> int:
    """Band rows a probe of ``value`` touches (what the index lookup reads before the distance check)."""
    sql = text("SELECT count(*) FROM fraud_page_bands WHERE tenant = 'bench' AND band_key IN :keys").bindparams(
        bindparam("keys", expanding=True)
    )
    with db.engine.connect() as conn:
        return int(conn.execute(sql, {"keys": list(probe_band_keys(value, radius))}).scalar() or 0)


def run(sizes: list[int], postgres: str | None, radius: int = 0) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        backends: list[tuple[str, Database | None]] = [("memory", None)]
        sqlite = Database(create_db_engine(ServiceSettings(data_dir=Path(tmp))))
        migrate(sqlite.engine)
        backends.append(("sqlite", sqlite))
        pg_name = None
        if postgres:
            pg_name = f"fraud_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
            pg = Database(create_db_engine(ServiceSettings(database_url=postgres.rsplit("/", 1)[0] + f"/{pg_name}")))
            migrate(pg.engine)
            backends.append(("postgresql", pg))
        try:
            for name, db in backends:
                rng = random.Random(7)
                planted = _claim(rng, 0)
                index: Any = (
                    MemoryDuplicateIndex(probe_radius=radius)
                    if db is None
                    else SqlDuplicateIndex(db, tenant="bench", probe_radius=radius)
                )
                index.add(planted[0], [planted[1]], planted[2])
                stored, rows = 1, []
                for size in sizes:
                    batch = [_claim(rng, n) for n in range(stored, size)]
                    if db is None:
                        for claim_id, page, keys in batch:
                            index.add(claim_id, [page], keys)
                    else:
                        _bulk_fill(db, batch, first_id=stored + 1_000_000)
                    stored = size
                    row = _measure(index, planted, random.Random(size), stored)
                    if db is not None:
                        row["candidate_band_rows_per_probe"] = _candidates(db, planted[1].value, radius)
                    rows.append(row)
                    print(name, json.dumps(row), flush=True)
                results[name] = rows
        finally:
            for _, db in backends:
                if db is not None:
                    db.dispose()
            if pg_name:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
                admin.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--probe-radius", type=int, default=0, choices=(0, 1))
    parser.add_argument("--out", type=Path, default=Path("out/fraud/bench_duplicates.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = run(sizes, None if args.no_postgres else args.postgres, args.probe_radius)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
