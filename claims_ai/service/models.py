"""Tables of the claims service (SQLAlchemy 2 declarative models) and the enums stored in them.

Every row that belongs to a tenant carries ``tenant``; every query the service makes filters on it. Times are
stored as UTC. The audit log and webhook deliveries have no foreign key to ``claims`` so that they outlive a
deleted claim; they never hold personal data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiKey",
    "Assessment",
    "AuditEntry",
    "Base",
    "Blob",
    "Claim",
    "ClaimStatus",
    "Correction",
    "CorrectionKind",
    "Decision",
    "DecisionOutcome",
    "DeliveryStatus",
    "Document",
    "DocumentStatus",
    "FraudInvoiceKey",
    "FraudPageBand",
    "FraudPageHash",
    "IdempotencyRecord",
    "Job",
    "JobStatus",
    "TimelineEvent",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
    "new_id",
    "utcnow",
]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


class ClaimStatus(StrEnum):
    """Member-visible states, in the order a claim usually passes through them (shown like parcel tracking)."""

    RECEIVED = "received"  # the claim exists; no documents yet
    CHECKING_MATERIALS = "checking_materials"  # documents arrived and wait to be read
    ASSESSING = "assessing"  # a worker is reading and assessing the documents
    AWAITING_MATERIALS = "awaiting_materials"  # something is missing or unreadable: the member must send it
    IN_REVIEW = "in_review"  # an adjuster looks at the claim
    UNDER_INVESTIGATION = "under_investigation"  # sent to a field investigation
    DECIDED = "decided"  # approved or rejected; final


class DocumentStatus(StrEnum):
    RECEIVED = "received"  # stored, not read yet
    READ = "read"
    REJECTED = "rejected"  # could not be read (error_code says why)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    SUPERSEDED = "superseded"  # newer documents arrived; a later job assesses them all
    FAILED = "failed"


class DecisionOutcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_MATERIALS = "request_materials"
    INVESTIGATE = "investigate"


class CorrectionKind(StrEnum):
    FIELD = "field"  # a key field's value on one page
    DOC_TYPE = "doc_type"  # the document type of one page
    DIAGNOSIS = "diagnosis"  # the ICD-10 code of one claim-level diagnosis


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite keeps naive strings)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


_ID = String(40)
# Autoincrement ids: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)  # public part of the key, e.g. ``key_3f…``
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    roles: Mapped[list[Any]]
    name: Mapped[str | None] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(255))  # argon2id of the whole key
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_tenant_created", "tenant", "created_at", "id"),
        Index("ix_claims_tenant_status", "tenant", "status"),
        Index("ix_claims_updated", "updated_at"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    tenant: Mapped[str] = mapped_column(String(100))
    external_ref: Mapped[str | None] = mapped_column(String(200))
    claim_type: Mapped[str | None] = mapped_column(String(40))
    member_age: Mapped[int | None]
    plan: Mapped[str | None] = mapped_column(String(100))
    policy_start_date: Mapped[dt.date | None] = mapped_column(Date)
    waiting_period_days: Mapped[int | None]
    claimant: Mapped[str | None] = mapped_column(String(20))  # who files: self, or a relative who must prove it
    member_ref: Mapped[str | None] = mapped_column(String(100))  # the platform's own member id (pseudonymous)
    # Personal data: masked in responses for roles without the right, every unmasked read is audited.
    member_name: Mapped[str | None] = mapped_column(String(200))
    member_id_number: Mapped[str | None] = mapped_column(String(40))
    member_phone: Mapped[str | None] = mapped_column(String(40))
    member_bank_card: Mapped[str | None] = mapped_column(String(40))

    status: Mapped[str] = mapped_column(String(40), default=ClaimStatus.RECEIVED.value)
    route: Mapped[str | None] = mapped_column(String(40))
    fraud_band: Mapped[str | None] = mapped_column(String(20))
    # Copied from the current assessment (severity.tier, fraud.score) so the review queue filters and sorts in SQL.
    severity_tier: Mapped[str | None] = mapped_column(String(20))
    fraud_score: Mapped[float | None] = mapped_column(Float)
    decision_outcome: Mapped[str | None] = mapped_column(String(40))
    # Bumped by every upload; the assessment of the highest revision is the current one.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    assessed_revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]


class Blob(Base):
    """One stored file content (``<storage_root>/ab/cd/<sha256>``), shared by every document with that content."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_claim", "claim_id", "position"), Index("ix_documents_sha256", "sha256"))

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))  # shown back to people, never used as a path
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str | None] = mapped_column(String(20))
    pages: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.RECEIVED.value)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)  # the claim revision of the upload that brought it
    position: Mapped[int] = mapped_column(Integer)  # order inside the claim
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("claim_id", "revision", name="uq_assessments_claim_revision"),
        # The database itself guarantees at most one current assessment per claim.
        Index(
            "uq_assessments_current",
            "claim_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    body: Mapped[dict[str, Any]]  # the assessment JSON, as POST /v1/assessments returns it
    document_ids: Mapped[list[Any]]  # documents in the order of body["files"]
    route: Mapped[str | None] = mapped_column(String(40))
    fraud_band: Mapped[str | None] = mapped_column(String(20))
    job_id: Mapped[str | None] = mapped_column(_ID)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_updated", "status", "updated_at"), Index("ix_jobs_claim", "claim_id"))

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    stage: Mapped[str] = mapped_column(String(40), default="queued")  # queued, loading, reading, saving, …
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class TimelineEvent(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_claim", "claim_id", "id"),)

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_claim", "claim_id"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(40))  # API key id
    outcome: Mapped[str] = mapped_column(String(40))
    reason_codes: Mapped[list[Any]]
    comment: Mapped[str | None] = mapped_column(Text)
    assessment_id: Mapped[str | None] = mapped_column(_ID)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did or read what, when. Kept after the claim is deleted; holds ids, never personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_tenant_claim", "tenant", "claim_id", "id"),)

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(40))  # API key id, or "system"
    roles: Mapped[list[Any]]
    action: Mapped[str] = mapped_column(String(60))
    claim_id: Mapped[str | None] = mapped_column(_ID)
    target: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The answer to a request sent with an ``Idempotency-Key``, replayed when the same request comes again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("tenant", "scope", "key", name="uq_idempotency_keys_tenant_scope_key"),)

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Webhook(Base):
    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_tenant", "tenant"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    tenant: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))  # HMAC key; shown once at registration
    events: Mapped[list[Any]]
    description: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_webhook", "webhook_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(_ID)
    event_type: Mapped[str] = mapped_column(String(60))
    claim_id: Mapped[str | None] = mapped_column(_ID)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None]


class Correction(Base):
    """An adjuster's correction of what the machine read: who, when, what it was, what it is now, why.

    Kept for the life of the claim: re-applied to every later assessment of the claim (new documents re-run the
    pipeline) and exported as labelled examples for retraining. Holds personal data (a corrected name is one).
    """

    __tablename__ = "corrections"
    __table_args__ = (
        Index("ix_corrections_claim", "claim_id", "created_at"),
        Index("ix_corrections_created", "created_at"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[str | None] = mapped_column(_ID)  # field and doc_type corrections
    page: Mapped[int | None]  # 1-based page inside the document
    target: Mapped[str] = mapped_column(String(60))  # field name, "doc_type", or the diagnosis index
    machine_value: Mapped[dict[str, Any]]  # what the assessment said before (value, confidence, box / text …)
    value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(40))  # API key id of the adjuster
    assessment_id: Mapped[str | None] = mapped_column(_ID)  # the assessment the adjuster looked at
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in web workbench session. The cookie carries a random token; only its sha256 is stored."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_expires", "expires_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie token
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class FraudPageHash(Base):
    """Perceptual hashes of one bill page of a claim (``claims_ai.fraud.duplicates``), signed 64-bit."""

    __tablename__ = "fraud_page_hashes"
    __table_args__ = (Index("ix_fraud_page_hashes_claim", "tenant", "claim_id"),)

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(100))
    claim_id: Mapped[str] = mapped_column(String(100))  # no foreign key: the index outlives nothing it must not
    member_id: Mapped[str | None] = mapped_column(String(100))
    document_id: Mapped[str | None] = mapped_column(String(100))
    file: Mapped[str | None] = mapped_column(String(300))
    page: Mapped[int | None]
    region_hash: Mapped[int] = mapped_column(BigInteger)
    page_hash: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FraudPageBand(Base):
    """Multi-index hashing: one row per 16-bit band of a region hash (``band << 16 | bits``), indexed."""

    __tablename__ = "fraud_page_bands"
    __table_args__ = (Index("ix_fraud_page_bands_key", "tenant", "band_key"),)

    page_hash_id: Mapped[int] = mapped_column(ForeignKey("fraud_page_hashes.id", ondelete="CASCADE"), primary_key=True)
    band_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(String(100))


class FraudInvoiceKey(Base):
    """An invoice's key (sha1 of invoice number + hospital + amount, or hospital + amount + date), indexed."""

    __tablename__ = "fraud_invoice_keys"
    __table_args__ = (
        Index("ix_fraud_invoice_keys_digest", "tenant", "digest"),
        Index("ix_fraud_invoice_keys_claim", "tenant", "claim_id"),
    )

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(100))
    claim_id: Mapped[str] = mapped_column(String(100))
    member_id: Mapped[str | None] = mapped_column(String(100))
    document_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
