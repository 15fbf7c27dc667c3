"""The fraud duplicate index over the service database (tables from migration 0003), per tenant.

Same contract as :class:`claims_ai.fraud.duplicates.MemoryDuplicateIndex`: a page lookup is one indexed
``band_key IN (…)`` query (4 band keys, or 4 × 17 at ``probe_radius=1``) joined to the few candidate hashes, whose
Hamming distances are checked in Python; an invoice lookup is one indexed ``digest IN (…)`` query. Neither touches
rows that share no key with the probe, so lookup time does not grow with the number of stored claims
(``scripts/bench_fraud_duplicates.py``).
``add`` replaces what the index held for the claim (a re-assessed claim does not pile up rows).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from claims_ai.fraud.duplicates import InvoiceKey, PageHash, band_keys, hamming, probe_band_keys
from claims_ai.fraud.types import DuplicateHit, DuplicateKind
from claims_ai.service.db import Database
from claims_ai.service.models import FraudInvoiceKey, FraudPageBand, FraudPageHash

__all__ = ["SqlDuplicateIndex", "from_signed", "to_signed"]

_TOP = 1 << 63


def to_signed(value: int) -> int:
    """Unsigned 64-bit hash → BIGINT (two's complement)."""
    return value - (1 << 64) if value >= _TOP else value


def from_signed(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


class SqlDuplicateIndex:
    def __init__(
        self,
        db: Database,
        *,
        tenant: str = "default",
        max_distance: int = 6,
        max_page_distance: int = 12,
        probe_radius: int = 0,
    ) -> None:
        self.db = db
        self.tenant = tenant
        self.max_distance = max_distance
        self.max_page_distance = max_page_distance
        self.probe_radius = probe_radius

    def add(
        self,
        claim_id: str,
        pages: Sequence[PageHash],
        invoices: Sequence[InvoiceKey],
        *,
        member_id: str | None = None,
    ) -> None:
        with self.db.tx() as s:
            self._forget(s, claim_id)
            rows = [
                FraudPageHash(
                    tenant=self.tenant,
                    claim_id=claim_id,
                    member_id=member_id,
                    document_id=p.document_id,
                    file=p.file,
                    page=p.page,
                    region_hash=to_signed(p.value),
                    page_hash=to_signed(p.page_value),
                )
                for p in pages
            ]
            s.add_all(rows)
            s.flush()  # ids for the band rows
            s.add_all(
                FraudPageBand(page_hash_id=row.id, band_key=key, tenant=self.tenant)
                for row, p in zip(rows, pages, strict=True)
                for key in band_keys(p.value)
            )
            s.add_all(
                FraudInvoiceKey(
                    tenant=self.tenant,
                    claim_id=claim_id,
                    member_id=member_id,
                    document_id=k.document_id,
                    kind=k.kind.value,
                    digest=k.digest,
                )
                for k in invoices
            )

    def forget(self, claim_id: str) -> None:
        """Remove a claim from the index (retention, or a claim withdrawn)."""
        with self.db.tx() as s:
            self._forget(s, claim_id)

    def _forget(self, s: Session, claim_id: str) -> None:
        ids = select(FraudPageHash.id).where(FraudPageHash.tenant == self.tenant, FraudPageHash.claim_id == claim_id)
        s.execute(delete(FraudPageBand).where(FraudPageBand.page_hash_id.in_(ids)))
        s.execute(delete(FraudPageHash).where(FraudPageHash.tenant == self.tenant, FraudPageHash.claim_id == claim_id))
        s.execute(
            delete(FraudInvoiceKey).where(FraudInvoiceKey.tenant == self.tenant, FraudInvoiceKey.claim_id == claim_id)
        )

    def find(
        self, claim_id: str, pages: Sequence[PageHash], invoices: Sequence[InvoiceKey]
    ) -> tuple[DuplicateHit, ...]:
        hits: list[DuplicateHit] = []
        with self.db.tx() as s:
            for p in pages:
                query = (
                    select(
                        FraudPageHash.claim_id,
                        FraudPageHash.document_id,
                        FraudPageHash.member_id,
                        FraudPageHash.region_hash,
                        FraudPageHash.page_hash,
                    )
                    .join(FraudPageBand, FraudPageBand.page_hash_id == FraudPageHash.id)
                    .where(
                        FraudPageBand.tenant == self.tenant,
                        FraudPageBand.band_key.in_(probe_band_keys(p.value, self.probe_radius)),
                        FraudPageHash.claim_id != claim_id,
                    )
                    .distinct()
                )
                for other, document, member, region, whole in s.execute(query):
                    distance = hamming(from_signed(region), p.value)
                    if (
                        distance <= self.max_distance
                        and hamming(from_signed(whole), p.page_value) <= self.max_page_distance
                    ):
                        hits.append(
                            DuplicateHit(
                                DuplicateKind.PAGE_IMAGE,
                                other,
                                document,
                                p.document_id,
                                p.file,
                                p.page,
                                distance,
                                member,
                            )
                        )
            if invoices:
                by_digest = {k.digest: k for k in invoices}
                by_key = select(FraudInvoiceKey).where(
                    FraudInvoiceKey.tenant == self.tenant,
                    FraudInvoiceKey.digest.in_(list(by_digest)),
                    FraudInvoiceKey.claim_id != claim_id,
                )
                for key_row in s.scalars(by_key):
                    mine = by_digest[key_row.digest]
                    hits.append(
                        DuplicateHit(
                            DuplicateKind(key_row.kind),
                            key_row.claim_id,
                            key_row.document_id,
                            mine.document_id,
                            other_member_id=key_row.member_id,
                        )
                    )
        return tuple(hits)
