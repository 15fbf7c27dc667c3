"""Claims, their documents, timeline, decisions and deletion: the logic behind ``/v1/claims``.

Every method takes the calling ``Principal`` and only ever sees rows of its tenant; another tenant's claim is
"not found", never "forbidden", so its existence is not revealed. Uploaded bytes are fsynced into the file
store before the transaction that records them commits, and the job that assesses them is recorded in that
same transaction: once the API answered 202, the documents and the work they need survive any crash.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims_ai.config import Settings
from claims_ai.errors import (
    ClaimClosedError,
    EmptyFileError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    InputError,
    NotFoundError,
    StaleAssessmentError,
    TooLargeError,
    TooManyFilesError,
    UnsupportedFormatError,
)
from claims_ai.ingest.decode import decode_file, sniff_format
from claims_ai.service import metrics
from claims_ai.service.audit import audit_entries, record
from claims_ai.service.auth import Permission, Principal
from claims_ai.service.db import Database
from claims_ai.service.filestore import FileStore, StagedFile
from claims_ai.service.masking import mask_bank_card, mask_id_number, mask_name, mask_phone, mask_text
from claims_ai.service.models import (
    Assessment,
    Blob,
    Claim,
    ClaimStatus,
    Decision,
    DecisionOutcome,
    Document,
    IdempotencyRecord,
    Job,
    JobStatus,
    TimelineEvent,
    new_id,
    utcnow,
)
from claims_ai.service.schemas import ClaimCreate, ClaimFilters, DecisionCreate
from claims_ai.service.webhooks import EventType, emit

__all__ = ["STATUS_LABELS", "ClaimService", "Reply", "Upload", "set_status"]

log = logging.getLogger("claims_ai.service.claims")

STATUS_LABELS: dict[ClaimStatus, tuple[str, str]] = {
    ClaimStatus.RECEIVED: ("已受理", "Received"),
    ClaimStatus.CHECKING_MATERIALS: ("材料核对中", "Checking materials"),
    ClaimStatus.ASSESSING: ("智能审核中", "Assessing"),
    ClaimStatus.AWAITING_MATERIALS: ("待补充材料", "Awaiting materials"),
    ClaimStatus.IN_REVIEW: ("人工审核中", "In review"),
    ClaimStatus.UNDER_INVESTIGATION: ("调查中", "Under investigation"),
    ClaimStatus.DECIDED: ("已结案", "Decided"),
}
# Set by an adjuster; a re-assessment after new documents does not move the claim out of it.
STICKY_STATUSES = frozenset({ClaimStatus.UNDER_INVESTIGATION, ClaimStatus.DECIDED})
_DECISION_STATUS = {
    DecisionOutcome.APPROVE: ClaimStatus.DECIDED,
    DecisionOutcome.REJECT: ClaimStatus.DECIDED,
    DecisionOutcome.REQUEST_MATERIALS: ClaimStatus.AWAITING_MATERIALS,
    DecisionOutcome.INVESTIGATE: ClaimStatus.UNDER_INVESTIGATION,
}


@dataclass(frozen=True)
class Upload:
    name: str  # as the user called it; shown back, never used as a path
    data: bytes


@dataclass(frozen=True)
class Reply:
    """A JSON body and its HTTP status; ``replayed`` when it is the stored answer to an idempotent retry."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def set_status(session: Session, claim: Claim, status: ClaimStatus, detail: dict[str, Any] | None = None) -> bool:
    """Move ``claim`` to ``status`` and record it on the timeline (and for webhooks) if it changed."""
    if claim.status == status.value:
        return False
    previous = claim.status
    now = utcnow()
    claim.status = status.value
    claim.updated_at = now
    session.add(TimelineEvent(claim_id=claim.id, status=status.value, detail=detail or {}, at=now))
    emit(
        session,
        claim.tenant,
        EventType.STATUS_CHANGED,
        claim.id,
        {"status": status.value, "previous_status": previous, "at": now.isoformat(), **(detail or {})},
    )
    return True


def insert_ignore(session: Session, model: type, **values: Any) -> None:
    """``INSERT … ON CONFLICT DO NOTHING`` on the primary key (PostgreSQL and SQLite)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


class ClaimService:
    def __init__(
        self,
        db: Database,
        files: FileStore,
        settings: Settings,
        enqueue: Callable[[str], None] | None = None,
        on_event: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._files = files
        self._settings = settings
        self._enqueue = enqueue or (lambda job_id: None)
        self._on_event = on_event or (lambda: None)

    # ------------------------------------------------------------------ create

    def create_claim(self, principal: Principal, data: ClaimCreate, idempotency_key: str | None = None) -> Reply:
        principal.require(Permission.CLAIMS_WRITE)
        fingerprint = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
        scope = "claims"
        if idempotency_key:
            replay = self._replay(principal, scope, idempotency_key, fingerprint)
            if replay is not None:
                return replay
        now = utcnow()
        claim = Claim(
            id=new_id("clm"),
            tenant=principal.tenant,
            external_ref=data.external_ref,
            claim_type=data.claim_type.value if data.claim_type else None,
            member_age=data.member_age,
            plan=data.plan,
            policy_start_date=data.policy_start_date,
            waiting_period_days=data.waiting_period_days,
            claimant=data.claimant.value if data.claimant else None,
            member_ref=data.member.ref,
            member_name=data.member.name,
            member_id_number=data.member.id_number,
            member_phone=data.member.phone,
            member_bank_card=data.member.bank_card,
            status=ClaimStatus.RECEIVED.value,
            revision=0,
            assessed_revision=0,
            created_at=now,
            updated_at=now,
        )
        try:
            with self._db.tx() as s:
                if idempotency_key:
                    replay = self._replay_in(s, principal, scope, idempotency_key, fingerprint)
                    if replay is not None:
                        return replay
                s.add(claim)
                s.add(TimelineEvent(claim_id=claim.id, status=ClaimStatus.RECEIVED.value, detail={}, at=now))
                s.flush()
                body = self._claim_view(s, principal, claim, audit=False)
                if idempotency_key:
                    self._remember(s, principal, scope, idempotency_key, fingerprint, claim.id, 201, body)
                record(s, principal, "claim.create", claim_id=claim.id)
                emit(
                    s,
                    claim.tenant,
                    EventType.STATUS_CHANGED,
                    claim.id,
                    {"status": ClaimStatus.RECEIVED.value, "previous_status": None, "at": now.isoformat()},
                )
        except IntegrityError:
            if idempotency_key:  # the same key committed by a concurrent request
                replay = self._replay(principal, scope, idempotency_key, fingerprint)
                if replay is not None:
                    return replay
            raise
        self._on_event()
        return Reply(201, body)

    # ------------------------------------------------------------------ upload

    def upload_documents(
        self, principal: Principal, claim_id: str, uploads: Sequence[Upload], idempotency_key: str | None = None
    ) -> Reply:
        principal.require(Permission.CLAIMS_WRITE)
        if not uploads:
            raise InputError("Send at least one file as multipart `files`.")
        limits = self._settings.limits
        if len(uploads) > limits.max_files_per_request:
            raise TooManyFilesError(
                f"{len(uploads)} files were sent; at most {limits.max_files_per_request} are accepted at once."
            )
        formats = [self._check_upload(u) for u in uploads]
        digests = [hashlib.sha256(u.data).hexdigest() for u in uploads]
        fingerprint = hashlib.sha256(
            json.dumps([claim_id, [[u.name, d] for u, d in zip(uploads, digests, strict=True)]]).encode()
        ).hexdigest()
        scope = f"documents:{claim_id}"
        if idempotency_key:
            replay = self._replay(principal, scope, idempotency_key, fingerprint)
            if replay is not None:
                return replay
        with self._db.tx() as s:
            self._claim_for(s, principal, claim_id)  # 404 before writing anything
        staged: list[StagedFile] = []
        try:
            staged = [self._files.stage(u.data) for u in uploads]
            try:
                reply, job_id = self._record_upload(
                    principal, claim_id, uploads, formats, staged, scope, idempotency_key, fingerprint
                )
            except IntegrityError:
                if idempotency_key:
                    replay = self._replay(principal, scope, idempotency_key, fingerprint)
                    if replay is not None:
                        return replay
                raise
        finally:
            for item in staged:
                item.discard()
        if job_id is not None:
            metrics.DOCUMENTS_UPLOADED.inc(len(uploads))
            self._enqueue(job_id)
            self._on_event()
        return reply

    def _record_upload(
        self,
        principal: Principal,
        claim_id: str,
        uploads: Sequence[Upload],
        formats: list[str],
        staged: list[StagedFile],
        scope: str,
        idempotency_key: str | None,
        fingerprint: str,
    ) -> tuple[Reply, str | None]:
        limits = self._settings.limits
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id, lock=True)
            if idempotency_key:
                replay = self._replay_in(s, principal, scope, idempotency_key, fingerprint)
                if replay is not None:
                    return replay, None
            if claim.status == ClaimStatus.DECIDED.value:
                raise ClaimClosedError("This claim is decided; it takes no more documents. Open a new claim.")
            existing = s.scalar(select(func.count()).select_from(Document).where(Document.claim_id == claim.id)) or 0
            if existing + len(uploads) > limits.max_files_per_request:
                raise TooManyFilesError(
                    f"A claim holds at most {limits.max_files_per_request} files; this one has {existing} and "
                    f"{len(uploads)} more were sent."
                )
            claim.revision += 1
            now = utcnow()
            docs = []
            for index, (upload, fmt, item) in enumerate(zip(uploads, formats, staged, strict=True)):
                # Lock the content's row, then move the file into place: a concurrent deletion of the same
                # content either finished before (and we put the file back) or waits and sees our reference.
                insert_ignore(s, Blob, sha256=item.sha256, size_bytes=item.size, created_at=now)
                s.execute(select(Blob).where(Blob.sha256 == item.sha256).with_for_update())
                self._files.commit(item)
                doc = Document(
                    id=new_id("doc"),
                    claim_id=claim.id,
                    tenant=claim.tenant,
                    sha256=item.sha256,
                    filename=(upload.name or f"file-{index + 1}")[:255],
                    size_bytes=item.size,
                    format=fmt,
                    revision=claim.revision,
                    position=existing + index,
                    created_at=now,
                )
                s.add(doc)
                docs.append(doc)
            job = Job(
                id=new_id("job"),
                claim_id=claim.id,
                tenant=claim.tenant,
                revision=claim.revision,
                status=JobStatus.QUEUED.value,
                stage="queued",
                created_at=now,
                updated_at=now,
            )
            s.add(job)
            claim.updated_at = now
            if ClaimStatus(claim.status) not in STICKY_STATUSES:
                set_status(s, claim, ClaimStatus.CHECKING_MATERIALS, {"documents_received": len(docs)})
            body = {
                "claim_id": claim.id,
                "revision": claim.revision,
                "job_id": job.id,
                "status": claim.status,
                "documents": [_document_view(d, masked_names=None) for d in docs],
            }
            if idempotency_key:
                self._remember(s, principal, scope, idempotency_key, fingerprint, claim.id, 202, body)
            record(
                s,
                principal,
                "document.upload",
                claim_id=claim.id,
                detail={"documents": [d.id for d in docs], "revision": claim.revision},
            )
        return Reply(202, body), job.id

    def _check_upload(self, upload: Upload) -> str:
        """Cheap checks before anything is stored; decoding problems are reported by the assessment."""
        if not upload.data:
            raise EmptyFileError("The file is empty (0 bytes). Please upload the file again.", file=upload.name)
        limit = self._settings.limits.max_file_bytes
        if len(upload.data) > limit:
            raise TooLargeError(
                f"The file is larger than the {limit / 1e6:.0f} MB limit. Please upload a smaller photo or split "
                "the PDF.",
                file=upload.name,
            )
        fmt = sniff_format(upload.data)
        if fmt is None:
            raise UnsupportedFormatError(
                "This file is not an image or PDF we can read. Please upload a photo (JPEG, PNG, HEIC, WebP, BMP, "
                "TIFF) or a PDF.",
                file=upload.name,
            )
        return fmt

    # ------------------------------------------------------------------ read

    def get_claim(self, principal: Principal, claim_id: str) -> dict[str, Any]:
        principal.require(Permission.CLAIMS_READ)
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id)
            return self._claim_view(s, principal, claim, audit=True)

    def list_claims(
        self, principal: Principal, filters: ClaimFilters, cursor: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        principal.require(Permission.CLAIMS_READ)
        query = select(Claim).where(Claim.tenant == principal.tenant)
        if filters.status:
            query = query.where(Claim.status.in_([s.value for s in filters.status]))
        if filters.route:
            query = query.where(Claim.route.in_(filters.route))
        if filters.fraud_band:
            query = query.where(Claim.fraud_band.in_(filters.fraud_band))
        if filters.claim_type:
            query = query.where(Claim.claim_type.in_([t.value for t in filters.claim_type]))
        now = utcnow()
        if filters.created_after:
            query = query.where(Claim.created_at >= _aware(filters.created_after))
        if filters.created_before:
            query = query.where(Claim.created_at < _aware(filters.created_before))
        if filters.min_age_hours is not None:
            query = query.where(Claim.created_at <= now - dt.timedelta(hours=filters.min_age_hours))
        if filters.max_age_hours is not None:
            query = query.where(Claim.created_at >= now - dt.timedelta(hours=filters.max_age_hours))
        if cursor:
            at, last_id = _decode_cursor(cursor)
            query = query.where(or_(Claim.created_at < at, and_(Claim.created_at == at, Claim.id < last_id)))
        query = query.order_by(Claim.created_at.desc(), Claim.id.desc()).limit(limit + 1)
        with self._db.tx() as s:
            rows = list(s.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        items = [_claim_summary(c) for c in rows]
        next_cursor = _encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
        return {"items": items, "next_cursor": next_cursor}

    def timeline(self, principal: Principal, claim_id: str) -> dict[str, Any]:
        principal.require(Permission.CLAIMS_READ)
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id)
            events = s.scalars(
                select(TimelineEvent).where(TimelineEvent.claim_id == claim.id).order_by(TimelineEvent.id)
            ).all()
            reached: dict[str, dt.datetime] = {}
            for e in events:
                reached.setdefault(e.status, e.at)
            return {
                "claim_id": claim.id,
                "status": claim.status,
                "label": _label(claim.status),
                "states": [
                    {
                        "status": st.value,
                        "label": _label(st.value),
                        "reached_at": reached[st.value].isoformat() if st.value in reached else None,
                        "current": claim.status == st.value,
                    }
                    for st in ClaimStatus
                ],
                "events": [
                    {"status": e.status, "label": _label(e.status), "at": e.at.isoformat(), "detail": e.detail}
                    for e in events
                ],
            }

    def assessments(self, principal: Principal, claim_id: str) -> list[dict[str, Any]]:
        """Every assessment of the claim, newest first (the current one is marked)."""
        principal.require(Permission.CLAIMS_READ)
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id)
            rows = s.scalars(
                select(Assessment).where(Assessment.claim_id == claim.id).order_by(Assessment.revision.desc())
            ).all()
            names = self._mask_names(principal, claim)
            if names is None:
                record(s, principal, "claim.read_personal", claim_id=claim.id, detail={"view": "assessments"})
            return [_assessment_view(a, names) for a in rows]

    def audit_trail(self, principal: Principal, claim_id: str) -> list[dict[str, Any]]:
        principal.require(Permission.AUDIT_READ)
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id)
            return audit_entries(s, principal.tenant, claim.id)

    def document_content(self, principal: Principal, claim_id: str, document_id: str) -> tuple[bytes, Document]:
        """The file as uploaded (personal data: needs the right, and is audited)."""
        principal.require(Permission.CLAIMS_READ)
        if not principal.can(Permission.PERSONAL_DATA):
            raise ForbiddenError("Uploaded files hold personal data; this key's roles may not read them.")
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id)
            doc = s.scalar(select(Document).where(Document.id == document_id, Document.claim_id == claim.id))
            if doc is None:
                raise NotFoundError(f"Claim {claim_id} has no document {document_id}.")
            record(s, principal, "document.read", claim_id=claim.id, target=doc.id)
        return self._files.get(doc.sha256), doc

    def page_image(
        self, principal: Principal, claim_id: str, document_id: str, page: int, max_side: int = 2000
    ) -> bytes:
        """One page of a document as PNG, as the models saw it (upright), scaled to at most ``max_side``."""
        from PIL import Image

        data, doc = self.document_content(principal, claim_id, document_id)
        pages = decode_file(data, doc.filename, 0, self._settings.limits)
        if not 1 <= page <= len(pages):
            raise NotFoundError(f"Document {document_id} has {len(pages)} page(s); there is no page {page}.")
        image = Image.fromarray(pages[page - 1].image)
        image.thumbnail((max_side, max_side))
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()

    # ------------------------------------------------------------------ decide / delete

    def decide(self, principal: Principal, claim_id: str, data: DecisionCreate) -> dict[str, Any]:
        principal.require(Permission.DECIDE)
        with self._db.tx() as s:
            claim = self._claim_for(s, principal, claim_id, lock=True)
            if claim.status == ClaimStatus.DECIDED.value:
                raise ClaimClosedError("This claim is already decided.")
            current = s.scalar(
                select(Assessment.id).where(Assessment.claim_id == claim.id, Assessment.is_current.is_(True))
            )
            if data.assessment_id is not None and data.assessment_id != current:
                raise StaleAssessmentError(
                    "The claim was re-assessed after you opened it (new documents arrived). Reload and decide again."
                )
            now = utcnow()
            decision = Decision(
                id=new_id("dec"),
                claim_id=claim.id,
                tenant=claim.tenant,
                actor=principal.key_id,
                outcome=data.outcome.value,
                reason_codes=list(data.reason_codes),
                comment=data.comment,
                assessment_id=current,
                created_at=now,
            )
            s.add(decision)
            claim.decision_outcome = data.outcome.value
            claim.updated_at = now
            if data.outcome in (DecisionOutcome.APPROVE, DecisionOutcome.REJECT):
                claim.decided_at = now
            set_status(s, claim, _DECISION_STATUS[data.outcome], {"decision": data.outcome.value})
            record(
                s,
                principal,
                "decision.record",
                claim_id=claim.id,
                target=decision.id,
                detail={"outcome": data.outcome.value, "reason_codes": list(data.reason_codes), "assessment": current},
            )
            emit(
                s,
                claim.tenant,
                EventType.DECIDED,
                claim.id,
                {"decision_id": decision.id, "outcome": data.outcome.value, "reason_codes": list(data.reason_codes)},
            )
            view = _decision_view(decision)
        self._on_event()
        return view

    def delete_claim(self, principal: Principal | None, claim_id: str, *, tenant: str | None = None) -> int:
        """Remove the claim, its rows and the files no other claim uses. Returns the number of files removed."""
        if principal is not None:
            principal.require(Permission.CLAIMS_DELETE)
        with self._db.tx() as s:
            if principal is not None:
                claim = self._claim_for(s, principal, claim_id, lock=True)
            else:
                found = s.get(Claim, claim_id, with_for_update=True)
                if found is None or found.tenant != tenant:
                    raise NotFoundError(f"There is no claim {claim_id}.")
                claim = found
            digests = sorted(set(s.scalars(select(Document.sha256).where(Document.claim_id == claim.id))))
            n_docs = s.scalar(select(func.count()).select_from(Document).where(Document.claim_id == claim.id)) or 0
            s.execute(delete(Claim).where(Claim.id == claim.id))
            removed = 0
            for digest in digests:
                # Under the content's row lock: an upload of the same bytes either committed (we see it and
                # keep the file) or waits for us and puts the file back.
                s.execute(select(Blob).where(Blob.sha256 == digest).with_for_update())
                in_use = s.scalar(select(func.count()).select_from(Document).where(Document.sha256 == digest))
                if not in_use:
                    s.execute(delete(Blob).where(Blob.sha256 == digest))
                    self._files.delete(digest)
                    removed += 1
            action = "claim.delete" if principal is not None else "claim.purge"
            record(s, principal, action, tenant=claim.tenant, claim_id=claim.id, detail={"documents": n_docs})
            emit(s, claim.tenant, EventType.DELETED, claim.id, {"documents": n_docs})
        self._on_event()
        return removed

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _claim_for(s: Session, principal: Principal, claim_id: str, *, lock: bool = False) -> Claim:
        claim = s.get(Claim, claim_id, with_for_update=lock) if len(claim_id) <= 40 else None
        if claim is None or claim.tenant != principal.tenant:
            raise NotFoundError(f"There is no claim {claim_id}.")
        return claim

    @staticmethod
    def _mask_names(principal: Principal, claim: Claim) -> list[str | None] | None:
        """None when the caller may see personal data; else the names to mask in free text."""
        if principal.can(Permission.PERSONAL_DATA):
            return None
        return [claim.member_name]

    def _claim_view(self, s: Session, principal: Principal, claim: Claim, *, audit: bool) -> dict[str, Any]:
        names = self._mask_names(principal, claim)
        masked = names is not None
        docs = s.scalars(select(Document).where(Document.claim_id == claim.id).order_by(Document.position)).all()
        current = s.scalar(select(Assessment).where(Assessment.claim_id == claim.id, Assessment.is_current.is_(True)))
        decision = s.scalar(
            select(Decision).where(Decision.claim_id == claim.id).order_by(Decision.created_at.desc()).limit(1)
        )
        job = s.scalar(select(Job).where(Job.claim_id == claim.id).order_by(Job.revision.desc()).limit(1))
        if audit and not masked:
            record(s, principal, "claim.read_personal", claim_id=claim.id)
        member = {
            "ref": claim.member_ref,
            "name": mask_name(claim.member_name) if masked else claim.member_name,
            "id_number": mask_id_number(claim.member_id_number) if masked else claim.member_id_number,
            "phone": mask_phone(claim.member_phone) if masked else claim.member_phone,
            "bank_card": mask_bank_card(claim.member_bank_card) if masked else claim.member_bank_card,
        }
        return {
            "id": claim.id,
            "external_ref": claim.external_ref,
            "status": claim.status,
            "label": _label(claim.status),
            "claim_type": claim.claim_type,
            "member_age": claim.member_age,
            "plan": claim.plan,
            "policy_start_date": claim.policy_start_date.isoformat() if claim.policy_start_date else None,
            "waiting_period_days": claim.waiting_period_days,
            "claimant": claim.claimant,
            "member": member,
            "personal_data_masked": masked,
            "route": claim.route,
            "fraud_band": claim.fraud_band,
            "revision": claim.revision,
            "assessed_revision": claim.assessed_revision,
            "assessment_pending": claim.assessed_revision < claim.revision,
            "documents": [_document_view(d, names) for d in docs],
            "job": _job_view(job) if job else None,
            "assessment": _assessment_view(current, names) if current else None,
            "decision": _decision_view(decision) if decision else None,
            "created_at": claim.created_at.isoformat(),
            "updated_at": claim.updated_at.isoformat(),
            "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        }

    def _replay(self, principal: Principal, scope: str, key: str, fingerprint: str) -> Reply | None:
        with self._db.tx() as s:
            return self._replay_in(s, principal, scope, key, fingerprint)

    @staticmethod
    def _replay_in(s: Session, principal: Principal, scope: str, key: str, fingerprint: str) -> Reply | None:
        _check_idempotency_key(key)
        row = s.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.tenant == principal.tenant,
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.key == key,
            )
        )
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(
                "This Idempotency-Key was already used for a different request. Use a new key for a new request."
            )
        return Reply(row.status_code, row.response, replayed=True)

    @staticmethod
    def _remember(
        s: Session,
        principal: Principal,
        scope: str,
        key: str,
        fingerprint: str,
        claim_id: str,
        status: int,
        body: dict[str, Any],
    ) -> None:
        s.add(
            IdempotencyRecord(
                tenant=principal.tenant,
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                claim_id=claim_id,
                status_code=status,
                response=body,
            )
        )
        s.flush()


def mark_superseded(s: Session, claim_id: str, revision: int) -> None:
    s.execute(
        update(Job)
        .where(Job.claim_id == claim_id, Job.revision < revision, Job.status == JobStatus.QUEUED.value)
        .values(status=JobStatus.SUPERSEDED.value, stage="superseded", finished_at=utcnow())
    )


def _check_idempotency_key(key: str) -> None:
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise InputError("The Idempotency-Key header must be 1-200 printable characters.")


def _label(status: str) -> dict[str, str]:
    zh, en = STATUS_LABELS.get(ClaimStatus(status), (status, status))
    return {"zh": zh, "en": en}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _encode_cursor(at: dt.datetime, claim_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), claim_id]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, claim_id = json.loads(raw)
        return _aware(dt.datetime.fromisoformat(at)), str(claim_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InputError("The cursor is not valid; use the next_cursor of a previous page.") from exc


def _claim_summary(c: Claim) -> dict[str, Any]:
    return {
        "id": c.id,
        "external_ref": c.external_ref,
        "status": c.status,
        "label": _label(c.status),
        "claim_type": c.claim_type,
        "member_name": mask_name(c.member_name),  # lists never carry personal data unmasked
        "route": c.route,
        "fraud_band": c.fraud_band,
        "assessment_pending": c.assessed_revision < c.revision,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
    }


def _document_view(d: Document, masked_names: list[str | None] | None) -> dict[str, Any]:
    return {
        "id": d.id,
        "filename": mask_text(d.filename, masked_names) if masked_names is not None else d.filename,
        "sha256": d.sha256,
        "size_bytes": d.size_bytes,
        "format": d.format,
        "pages": d.pages,
        "status": d.status,
        "error": {"code": d.error_code, "message": d.error_message} if d.error_code else None,
        "revision": d.revision,
        "created_at": d.created_at.isoformat(),
    }


def _job_view(j: Job) -> dict[str, Any]:
    return {
        "id": j.id,
        "revision": j.revision,
        "status": j.status,
        "stage": j.stage,
        "attempts": j.attempts,
        "pages_done": j.pages_done,
        "pages_total": j.pages_total,
        "error": {"code": j.error_code, "message": j.error_message} if j.error_code else None,
        "updated_at": j.updated_at.isoformat(),
    }


def _assessment_view(a: Assessment, masked_names: list[str | None] | None) -> dict[str, Any]:
    body = a.body if masked_names is None else _mask_body(a.body, masked_names)
    return {
        "id": a.id,
        "revision": a.revision,
        "current": a.is_current,
        "document_ids": a.document_ids,
        "route": a.route,
        "fraud_band": a.fraud_band,
        "created_at": a.created_at.isoformat(),
        "result": body,
    }


_NOT_PERSONAL = frozenset({"sha256", "code", "format", "doc_type", "name", "model_versions", "timings_ms"})


def _mask_body(value: Any, names: list[str | None]) -> Any:
    """Every string in the assessment JSON with personal data masked (OCR text, file names, field values)."""
    if isinstance(value, str):
        return mask_text(value, names)
    if isinstance(value, dict):
        out = {k: v if k in _NOT_PERSONAL else _mask_body(v, names) for k, v in value.items()}
        named = value.get("patient_name")  # a name field holds a bare name: no label or known name to match
        if isinstance(named, dict) and isinstance(named.get("value"), str):
            out["patient_name"] = {**out["patient_name"], "value": mask_name(named["value"])}
            corrected = named.get("corrected")
            if isinstance(corrected, dict) and isinstance(corrected.get("machine_value"), str):
                out["patient_name"]["corrected"] = {**corrected, "machine_value": mask_name(corrected["machine_value"])}
        return out
    if isinstance(value, list):
        return [_mask_body(v, names) for v in value]
    return value


def _decision_view(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id,
        "outcome": d.outcome,
        "reason_codes": d.reason_codes,
        "comment": d.comment,
        "assessment_id": d.assessment_id,
        "actor": d.actor,
        "created_at": d.created_at.isoformat(),
    }
