"""Retention: claims unchanged for ``retention_days`` are deleted with their files (PIPL: medical data is
sensitive personal information, kept no longer than needed). The audit log keeps that it happened."""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import select

from claims_ai.errors import NotFoundError
from claims_ai.service.claims import ClaimService
from claims_ai.service.db import Database
from claims_ai.service.filestore import FileStore
from claims_ai.service.models import Blob, Claim, utcnow

__all__ = ["expired_claims", "purge_expired", "remove_orphan_files"]

log = logging.getLogger("claims_ai.service.retention")

_ORPHAN_AGE_SECONDS = 3600


def expired_claims(db: Database, retention_days: int, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """(claim id, tenant) of claims last changed more than ``retention_days`` ago."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    with db.tx() as s:
        rows = s.execute(select(Claim.id, Claim.tenant).where(Claim.updated_at < cutoff).order_by(Claim.updated_at))
        return [(r[0], r[1]) for r in rows]


def purge_expired(
    db: Database, claims: ClaimService, retention_days: int, *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[str]:
    """Delete expired claims (one transaction each); returns their ids."""
    expired = expired_claims(db, retention_days, now)
    if dry_run:
        return [claim_id for claim_id, _ in expired]
    purged = []
    for claim_id, tenant in expired:
        try:
            claims.delete_claim(None, claim_id, tenant=tenant)
        except NotFoundError:
            continue  # deleted meanwhile
        purged.append(claim_id)
    if purged:
        log.info("retention: deleted %d claim(s) older than %d days", len(purged), retention_days)
    return purged


def remove_orphan_files(db: Database, files: FileStore, min_age_seconds: float = _ORPHAN_AGE_SECONDS) -> int:
    """Delete stored files no document uses (left by a crash between writing a file and recording it)."""
    removed = 0
    cutoff = time.time() - min_age_seconds
    for temp in files.root.glob("??/??/.upload-*"):
        if temp.stat().st_mtime < cutoff:
            temp.unlink(missing_ok=True)
            removed += 1
    on_disk = files.all_digests()
    with db.tx() as s:
        known = set(s.scalars(select(Blob.sha256)))
    for digest in on_disk:
        path = files.path_of(digest)
        if digest not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
