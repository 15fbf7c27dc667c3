"""Duplicates across claims: near-identical page images and re-used invoices, found by index lookups.

Pages: two 64-bit perceptual hashes (pHash, ``imagehash``) per bill page — one of the region around the total
amount (indexed) and one of the whole page (checked on candidates). A whole-page hash alone mostly sees the
layout: clean pages of one template (e-invoices, scans of one form) sit at distance 0 from each other, measured on
synthetic claims; the amount region differs between bills and stays put when an image is cropped by a few pixels,
re-encoded or brightened. Both must be near for a hit, so a re-photographed invoice (same content, new capture)
is left to the invoice index. Pages without an amount box are not hashed.

Near duplicates are found by multi-index hashing: the region hash is cut into four 16-bit bands and each band is
indexed; a stored page is a candidate when one of its bands equals one of the probe's bands (``probe_radius=0``,
the default) or differs from it in one bit (``probe_radius=1``). By the pigeonhole principle every stored hash within
Hamming distance 4·(radius+1)−1 shares such a band: 3 bits at radius 0 (re-used synthetic bill images measured 0–2),
7 at radius 1. A lookup is 4 (or 4 × 17) index probes and a distance check on the candidates — about
4·N/65,536 of N stored pages at radius 0 (6 at 100,000), 17 times more at radius 1 — never a scan of the store.

Invoices: exact keys — invoice number + normalised hospital + amount, and hospital + amount + date (catches a
re-typed or re-numbered copy of the same bill) — hashed to fixed-size digests and looked up in an index.

:class:`DuplicateIndex` is what the fraud stage needs; :class:`MemoryDuplicateIndex` serves the CLI and tests,
``claims_ai.service.duplicates.SqlDuplicateIndex`` the service (tables from migration 0003).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

import imagehash
import numpy as np
from PIL import Image

from claims_ai.extract.normalize import hospital_key
from claims_ai.fraud.types import DuplicateHit, DuplicateKind
from claims_ai.medical.evidence import ClaimEvidence, DocType
from claims_ai.types import Quad

__all__ = [
    "BANDS",
    "DuplicateIndex",
    "InvoiceKey",
    "MemoryDuplicateIndex",
    "PageHash",
    "band_keys",
    "hamming",
    "invoice_keys",
    "page_hash",
    "probe_band_keys",
]

BANDS = 4
_BAND_BITS = 16
_INVOICE_TYPES = (DocType.MEDICAL_INVOICE_INPATIENT, DocType.MEDICAL_INVOICE_OUTPATIENT, DocType.ITEMIZED_BILL)


@dataclass(frozen=True)
class PageHash:
    """Perceptual hashes of one page (unsigned 64-bit): ``value`` of the amount region (indexed),
    ``page_value`` of the whole page."""

    document_id: str | None
    file: str | None
    page: int | None
    value: int
    page_value: int


@dataclass(frozen=True)
class InvoiceKey:
    """``digest`` identifies the key (sha1 of its normalised parts); ``kind`` says which parts."""

    kind: DuplicateKind
    digest: str
    document_id: str | None
    description: str  # the parts, for people: "No 1266211901 · 苏州市中医院 · 42468.99"


def _phash(image: np.ndarray) -> int:
    bits = imagehash.phash(Image.fromarray(image).convert("L"), hash_size=8).hash.flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def page_hash(
    image: np.ndarray,
    field_boxes: Mapping[str, Quad],
    *,
    document_id: str | None = None,
    file: str | None = None,
    page: int | None = None,
    field: str = "total_amount",
) -> PageHash | None:
    """Hashes of an RGB page with a ``field`` box (None without one): region = the box grown by half its height
    and a quarter of its width on each side."""
    box = field_boxes.get(field)
    if box is None:
        return None
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    y0, y1 = max(0, int(min(ys) - 0.5 * h)), min(image.shape[0], int(max(ys) + 0.5 * h) + 1)
    x0, x1 = max(0, int(min(xs) - 0.25 * w)), min(image.shape[1], int(max(xs) + 0.25 * w) + 1)
    if y1 - y0 < 4 or x1 - x0 < 4:
        return None
    return PageHash(document_id, file, page, _phash(image[y0:y1, x0:x1]), _phash(image))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def band_keys(value: int) -> tuple[int, ...]:
    """The four indexed keys of a hash: ``band << 16 | bits`` (one integer per band, unique across bands)."""
    mask = (1 << _BAND_BITS) - 1
    return tuple((band << _BAND_BITS) | ((value >> (band * _BAND_BITS)) & mask) for band in range(BANDS))


def probe_band_keys(value: int, radius: int = 1) -> tuple[int, ...]:
    """Keys to probe: each band as is and, with ``radius=1``, with each of its 16 bits flipped."""
    keys = list(band_keys(value))
    if radius >= 1:
        keys += [key ^ (1 << bit) for key in band_keys(value) for bit in range(_BAND_BITS)]
    return tuple(keys)


def _amount_key(value: str) -> str | None:
    try:
        return f"{Decimal(value):.2f}"
    except InvalidOperation:
        return None


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()


def invoice_keys(evidence: ClaimEvidence) -> tuple[InvoiceKey, ...]:
    """Keys of every invoice and itemized bill that shows a hospital and an amount."""
    keys: list[InvoiceKey] = []
    for doc in evidence.of_type(*_INVOICE_TYPES, usable_only=False):
        hospital, amount = doc.value("hospital_name"), _amount_key(doc.value("total_amount") or "")
        if not hospital or amount is None:
            continue
        hospital = hospital_key(hospital)
        number = re.sub(r"\s", "", doc.value("invoice_number") or "")
        if number:
            keys.append(
                InvoiceKey(
                    DuplicateKind.INVOICE,
                    _digest("no", number, hospital, amount),
                    doc.document_id,
                    f"No {number} · {hospital} · {amount}",
                )
            )
        day = doc.value("issue_date") or doc.value("discharge_date")
        if day:
            keys.append(
                InvoiceKey(
                    DuplicateKind.INVOICE_DAY,
                    _digest("day", doc.doc_type.value, hospital, amount, day),
                    doc.document_id,
                    f"{hospital} · {amount} · {day}",
                )
            )
    return tuple(keys)


class DuplicateIndex(Protocol):
    """Where earlier claims' page hashes and invoice keys are kept. Lookups exclude the asking claim itself."""

    def find(
        self, claim_id: str, pages: Sequence[PageHash], invoices: Sequence[InvoiceKey]
    ) -> tuple[DuplicateHit, ...]: ...

    def add(
        self,
        claim_id: str,
        pages: Sequence[PageHash],
        invoices: Sequence[InvoiceKey],
        *,
        member_id: str | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class _StoredPage:
    claim_id: str
    member_id: str | None
    document_id: str | None
    value: int
    page_value: int


@dataclass(frozen=True)
class _StoredInvoice:
    claim_id: str
    member_id: str | None
    document_id: str | None


class MemoryDuplicateIndex:
    """Dictionaries keyed by band key and invoice digest; thread-safe. ``add`` replaces what the index held for
    the claim."""

    def __init__(self, *, max_distance: int = 6, max_page_distance: int = 12, probe_radius: int = 0) -> None:
        self.max_distance = max_distance
        self.max_page_distance = max_page_distance
        self.probe_radius = probe_radius
        self._pages: dict[int, _StoredPage] = {}
        self._bands: dict[int, set[int]] = defaultdict(set)
        self._invoices: dict[str, list[_StoredInvoice]] = defaultdict(list)
        self._by_claim: dict[str, tuple[list[int], list[str]]] = {}
        self._next = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def add(
        self,
        claim_id: str,
        pages: Sequence[PageHash],
        invoices: Sequence[InvoiceKey],
        *,
        member_id: str | None = None,
    ) -> None:
        with self._lock:
            self._forget(claim_id)
            page_ids: list[int] = []
            for p in pages:
                self._next += 1
                self._pages[self._next] = _StoredPage(claim_id, member_id, p.document_id, p.value, p.page_value)
                for key in band_keys(p.value):
                    self._bands[key].add(self._next)
                page_ids.append(self._next)
            for k in invoices:
                self._invoices[k.digest].append(_StoredInvoice(claim_id, member_id, k.document_id))
            self._by_claim[claim_id] = (page_ids, [k.digest for k in invoices])

    def forget(self, claim_id: str) -> None:
        with self._lock:
            self._forget(claim_id)

    def _forget(self, claim_id: str) -> None:
        page_ids, digests = self._by_claim.pop(claim_id, ([], []))
        for i in page_ids:
            stored = self._pages.pop(i)
            for key in band_keys(stored.value):
                self._bands[key].discard(i)
        for digest in digests:
            self._invoices[digest] = [s for s in self._invoices[digest] if s.claim_id != claim_id]

    def find(
        self, claim_id: str, pages: Sequence[PageHash], invoices: Sequence[InvoiceKey]
    ) -> tuple[DuplicateHit, ...]:
        hits: list[DuplicateHit] = []
        with self._lock:
            for p in pages:
                candidates = {
                    i for key in probe_band_keys(p.value, self.probe_radius) for i in self._bands.get(key, ())
                }
                hits.extend(self._page_hits(claim_id, p, (self._pages[i] for i in sorted(candidates))))
            for k in invoices:
                for stored in self._invoices.get(k.digest, ()):
                    if stored.claim_id != claim_id:
                        hits.append(
                            DuplicateHit(
                                k.kind,
                                stored.claim_id,
                                stored.document_id,
                                k.document_id,
                                other_member_id=stored.member_id,
                            )
                        )
        return tuple(hits)

    def _page_hits(self, claim_id: str, probe: PageHash, stored: Iterable[_StoredPage]) -> list[DuplicateHit]:
        out = []
        for s in stored:
            distance = hamming(s.value, probe.value)
            near = distance <= self.max_distance and hamming(s.page_value, probe.page_value) <= self.max_page_distance
            if s.claim_id != claim_id and near:
                out.append(
                    DuplicateHit(
                        DuplicateKind.PAGE_IMAGE,
                        s.claim_id,
                        s.document_id,
                        probe.document_id,
                        probe.file,
                        probe.page,
                        distance,
                        s.member_id,
                    )
                )
        return out
