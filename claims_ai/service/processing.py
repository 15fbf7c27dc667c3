"""Running one assessment job: idempotent, so a job delivered twice (at-least-once queues) does no harm.

A job assesses every document of its claim as of its revision. It may run more than once (a worker was killed,
the broker redelivered, the sweeper re-queued it); only the first run that commits for the claim's newest
revision stores an assessment, and a run for an older revision stores nothing. The swap of the current
assessment happens in one transaction under the claim's row lock, and a partial unique index guarantees at most
one current assessment per claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select, update

from claims_ai.config import ClaimantRelationship, ClaimType, Settings
from claims_ai.errors import ClaimsAIError
from claims_ai.pipeline import ClaimContext, InputFile, PageCallback
from claims_ai.service import metrics
from claims_ai.service.claims import STICKY_STATUSES, mark_superseded, set_status
from claims_ai.service.corrections import Rederive, queue_columns, reapply
from claims_ai.service.db import Database
from claims_ai.service.duplicates import SqlDuplicateIndex
from claims_ai.service.filestore import FileStore
from claims_ai.service.models import (
    Assessment,
    Claim,
    ClaimStatus,
    Decision,
    DecisionOutcome,
    Document,
    DocumentStatus,
    Job,
    JobStatus,
    new_id,
    utcnow,
)
from claims_ai.service.webhooks import EventType, emit
from claims_ai.types import Assessment as AssessmentResult
from claims_ai.types import ClaimFacts, to_dict

__all__ = ["AssessPipeline", "JobOutcome", "JobProcessor", "claim_status_for", "facts_of", "requeue_stale_jobs"]

log = logging.getLogger("claims_ai.service.processing")


class AssessPipeline(Protocol):
    """What the processor needs of ``claims_ai.pipeline.Pipeline`` (tests pass fakes)."""

    @property
    def model_versions(self) -> dict[str, str]: ...

    def assess(
        self,
        files: Sequence[InputFile],
        facts: ClaimFacts | None = None,
        on_page: PageCallback | None = None,
        context: ClaimContext | None = None,
    ) -> AssessmentResult: ...


class JobOutcome(StrEnum):
    DONE = "done"
    SUPERSEDED = "superseded"
    ALREADY_DONE = "already_done"
    MISSING = "missing"  # the claim (and with it the job) was deleted
    RETRY = "retry"
    FAILED = "failed"


def claim_status_for(body: dict[str, Any]) -> tuple[ClaimStatus, dict[str, Any]]:
    """Where an assessment sends the claim, with what the member should know (missing or unreadable files)."""
    decision = body.get("decision") or {}
    route = decision.get("route") if isinstance(decision, dict) else None
    materials = body.get("materials") or {}
    missing = materials.get("missing") or [] if isinstance(materials, dict) else []
    rejected = [
        {"file": f.get("file"), "code": f["error"].get("code"), "message": f["error"].get("message")}
        for f in body.get("files", [])
        if f.get("error")
    ]
    detail: dict[str, Any] = {}
    if missing:
        detail["missing"] = missing
    if rejected:
        detail["unreadable_files"] = rejected
    if route == "investigate":
        return ClaimStatus.UNDER_INVESTIGATION, detail
    if route == "request_materials" or missing or rejected:
        return ClaimStatus.AWAITING_MATERIALS, detail
    if route == "auto_approve":
        return ClaimStatus.DECIDED, {"decision": DecisionOutcome.APPROVE.value, "by": "system"}
    # No routing stage yet, or it asks for a person: an adjuster reviews the claim.
    return ClaimStatus.IN_REVIEW, detail


class JobProcessor:
    """Runs jobs by id. ``retry`` is called with (job id, delay seconds) when a failed attempt may be tried again."""

    def __init__(
        self,
        db: Database,
        files: FileStore,
        pipeline: AssessPipeline,
        settings: Settings,
        retry: Callable[[str, float], None] | None = None,
        on_event: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._files = files
        self._pipeline = pipeline
        self._settings = settings
        self._retry = retry or (lambda job_id, delay: None)
        self._on_event = on_event or (lambda: None)
        self._rederive: Rederive | None = getattr(pipeline, "rederive", None)
        self._worker = f"{socket.gethostname()}:{os.getpid()}"

    def process(self, job_id: str) -> JobOutcome:
        started = time.perf_counter()
        try:
            outcome = self._process(job_id)
        except Exception:
            metrics.JOBS.labels("error").inc()
            raise
        metrics.JOBS.labels(outcome.value).inc()
        metrics.JOB_SECONDS.labels(outcome.value).observe(time.perf_counter() - started)
        if outcome in (JobOutcome.DONE, JobOutcome.FAILED):
            self._on_event()
        return outcome

    def _process(self, job_id: str) -> JobOutcome:
        service = self._settings.service
        with self._db.tx() as s:
            job = s.get(Job, job_id, with_for_update=True)
            if job is None:
                return JobOutcome.MISSING
            if job.status in (JobStatus.DONE.value, JobStatus.SUPERSEDED.value, JobStatus.FAILED.value):
                return JobOutcome.ALREADY_DONE
            claim = s.get(Claim, job.claim_id, with_for_update=True)
            if claim is None:
                return JobOutcome.MISSING
            if claim.revision > job.revision or claim.assessed_revision >= job.revision:
                self._finish(job, JobStatus.SUPERSEDED)
                return JobOutcome.SUPERSEDED
            if job.attempts >= service.job_max_attempts:
                self._fail(s, job, claim, "too_many_attempts", f"gave up after {job.attempts} attempts")
                return JobOutcome.FAILED
            now = utcnow()
            job.status = JobStatus.RUNNING.value
            job.stage = "loading"
            job.attempts += 1
            job.worker = self._worker
            job.lease_until = now + dt.timedelta(seconds=service.job_lease_seconds)
            job.updated_at = now
            if ClaimStatus(claim.status) not in STICKY_STATUSES:
                set_status(s, claim, ClaimStatus.ASSESSING)
            docs = s.scalars(
                select(Document)
                .where(Document.claim_id == claim.id, Document.revision <= job.revision)
                .order_by(Document.position)
            ).all()
            documents = [(d.id, d.sha256, d.filename) for d in docs]
            facts = _facts_of(claim)
            revision, attempt = job.revision, job.attempts
            context = self._claim_context(claim)
        self._on_event()

        try:
            inputs = [InputFile(name=name, data=self._files.get(sha)) for _, sha, name in documents]
            self._set_stage(job_id, "reading", 0, 0)
            result = self._pipeline.assess(inputs, facts, on_page=self._heartbeat(job_id), context=context)
        except Exception as exc:
            return self._attempt_failed(job_id, attempt, exc)

        body = to_dict(result)
        for stage, ms in (body.get("timings_ms") or {}).items():
            metrics.STAGE_SECONDS.labels(stage).observe(float(ms) / 1000)
        return self._save(job_id, revision, [d[0] for d in documents], body)

    def _claim_context(self, claim: Claim) -> ClaimContext:
        """Duplicates are looked up among the tenant's other claims; this claim is filed for later ones."""
        fraud = self._settings.fraud
        index = SqlDuplicateIndex(
            self._db,
            tenant=claim.tenant,
            max_distance=fraud.page_hash_max_distance,
            max_page_distance=fraud.page_hash_max_page_distance,
        )
        return ClaimContext(claim.id, index, member_id=claim.member_ref)

    def _save(self, job_id: str, revision: int, document_ids: list[str], body: dict[str, Any]) -> JobOutcome:
        with self._db.tx() as s:
            claim_id = s.scalar(select(Job.claim_id).where(Job.id == job_id))
            claim = s.get(Claim, claim_id, with_for_update=True) if claim_id else None
            job = s.get(Job, job_id, with_for_update=True)
            if claim is None or job is None:
                return JobOutcome.MISSING
            if job.status in (JobStatus.DONE.value, JobStatus.SUPERSEDED.value):
                return JobOutcome.ALREADY_DONE  # a duplicate run committed first
            if claim.revision > revision or claim.assessed_revision >= revision:
                self._finish(job, JobStatus.SUPERSEDED)
                return JobOutcome.SUPERSEDED
            job.stage = "saving"
            # Earlier corrections by adjusters apply to the new reading too (and what follows from them).
            body = reapply(s, claim.id, document_ids, body, _facts_of(claim), self._rederive)
            columns = queue_columns(body)
            route, band = columns["route"], columns["fraud_band"]
            s.execute(
                update(Assessment)
                .where(Assessment.claim_id == claim.id, Assessment.is_current.is_(True))
                .values(is_current=False)
            )
            assessment = Assessment(
                id=new_id("asm"),
                claim_id=claim.id,
                revision=revision,
                is_current=True,
                body=body,
                document_ids=document_ids,
                route=route,
                fraud_band=band,
                job_id=job_id,
            )
            s.add(assessment)
            self._update_documents(s, document_ids, body.get("files", []))
            claim.assessed_revision = revision
            claim.route = route
            claim.fraud_band = band
            claim.severity_tier, claim.fraud_score = columns["severity_tier"], columns["fraud_score"]
            claim.updated_at = utcnow()
            status, detail = claim_status_for(body)
            if ClaimStatus(claim.status) not in STICKY_STATUSES:
                if status == ClaimStatus.DECIDED:
                    self._auto_approve(s, claim, assessment.id)
                set_status(s, claim, status, detail)
            emit(
                s,
                claim.tenant,
                EventType.ASSESSED,
                claim.id,
                {"assessment_id": assessment.id, "revision": revision, "route": route, "fraud_band": band},
            )
            if detail.get("missing") or detail.get("unreadable_files"):
                emit(s, claim.tenant, EventType.MATERIALS_MISSING, claim.id, detail)
            mark_superseded(s, claim.id, revision)
            self._finish(job, JobStatus.DONE)
        return JobOutcome.DONE

    @staticmethod
    def _update_documents(s: Any, document_ids: list[str], files: list[dict[str, Any]]) -> None:
        for doc_id, report in zip(document_ids, files, strict=False):
            doc = s.get(Document, doc_id)
            if doc is None:
                continue
            error = report.get("error")
            doc.pages = report.get("pages")
            doc.format = report.get("format") or doc.format
            doc.status = DocumentStatus.REJECTED.value if error else DocumentStatus.READ.value
            doc.error_code = error.get("code") if error else None
            doc.error_message = error.get("message") if error else None

    @staticmethod
    def _auto_approve(s: Any, claim: Claim, assessment_id: str) -> None:
        now = utcnow()
        s.add(
            Decision(
                id=new_id("dec"),
                claim_id=claim.id,
                tenant=claim.tenant,
                actor="system",
                outcome=DecisionOutcome.APPROVE.value,
                reason_codes=["auto_approve"],
                comment=None,
                assessment_id=assessment_id,
                created_at=now,
            )
        )
        claim.decision_outcome = DecisionOutcome.APPROVE.value
        claim.decided_at = now
        emit(s, claim.tenant, EventType.DECIDED, claim.id, {"outcome": "approve", "reason_codes": ["auto_approve"]})

    def _attempt_failed(self, job_id: str, attempt: int, exc: Exception) -> JobOutcome:
        code = exc.code if isinstance(exc, ClaimsAIError) else "internal_error"
        message = exc.message if isinstance(exc, ClaimsAIError) else f"{type(exc).__name__}: {exc}"
        metrics.ERRORS.labels(code).inc()
        log.error("job %s attempt %d failed: [%s] %s", job_id, attempt, code, message, exc_info=exc)
        service = self._settings.service
        with self._db.tx() as s:
            job = s.get(Job, job_id, with_for_update=True)
            if job is None:
                return JobOutcome.MISSING
            job.error_code, job.error_message = code, message[:2000]
            if attempt >= service.job_max_attempts:
                claim = s.get(Claim, job.claim_id, with_for_update=True)
                if claim is not None:
                    self._fail(s, job, claim, code, message)
                return JobOutcome.FAILED
            job.status = JobStatus.QUEUED.value
            job.stage = "retry_wait"
            job.lease_until = None
            job.updated_at = utcnow()
        self._retry(job_id, service.job_retry_delay_seconds * (2 ** (attempt - 1)))
        return JobOutcome.RETRY

    def _fail(self, s: Any, job: Job, claim: Claim, code: str, message: str) -> None:
        """No more tries: a person looks at the claim (nothing is lost; the documents stay)."""
        job.error_code, job.error_message = code, message[:2000]
        self._finish(job, JobStatus.FAILED)
        if claim.revision == job.revision and ClaimStatus(claim.status) not in STICKY_STATUSES:
            set_status(s, claim, ClaimStatus.IN_REVIEW, {"automatic_assessment": "failed", "error_code": code})

    @staticmethod
    def _finish(job: Job, status: JobStatus) -> None:
        now = utcnow()
        job.status = status.value
        job.stage = status.value
        job.lease_until = None
        job.updated_at = now
        job.finished_at = now

    def _set_stage(self, job_id: str, stage: str, done: int, total: int) -> None:
        lease = utcnow() + dt.timedelta(seconds=self._settings.service.job_lease_seconds)
        with self._db.tx() as s:
            s.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
                .values(stage=stage, pages_done=done, pages_total=total, lease_until=lease, updated_at=utcnow())
            )

    def _heartbeat(self, job_id: str) -> PageCallback:
        """Progress per page, and a renewed lease, written at most once a second."""
        last = [0.0]
        lock = threading.Lock()

        def on_page(done: int, total: int) -> None:
            now = time.monotonic()
            with lock:
                if done < total and now - last[0] < 1.0:
                    return
                last[0] = now
            self._set_stage(job_id, "reading", done, total)

        return on_page


def requeue_stale_jobs(db: Database, settings: Settings, enqueue: Callable[[str], None], *, everything: bool) -> int:
    """Put back on the queue the jobs nobody is working on: queued ones left untouched (``everything``: all
    queued ones, e.g. at start-up of the in-process pool) and running ones whose lease ran out (the worker died)."""
    service = settings.service
    now = utcnow()
    stale_before = now - dt.timedelta(seconds=service.job_requeue_after_seconds)
    with db.tx() as s:
        queued = select(Job).where(Job.status == JobStatus.QUEUED.value)
        if not everything:
            queued = queued.where(Job.updated_at < stale_before)
        running = select(Job).where(Job.status == JobStatus.RUNNING.value, Job.lease_until < now)
        jobs = list(s.scalars(queued.limit(1000))) + list(s.scalars(running.limit(1000)))
        for job in jobs:
            job.updated_at = now
        ids = [j.id for j in jobs]
    for job_id in ids:
        enqueue(job_id)
    if ids:
        log.info("re-queued %d job(s)", len(ids))
    return len(ids)


def queue_depth(db: Database) -> dict[str, int]:
    with db.tx() as s:
        rows = s.execute(
            select(Job.status, func.count())
            .where(Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
            .group_by(Job.status)
        ).all()
    depth = {JobStatus.QUEUED.value: 0, JobStatus.RUNNING.value: 0}
    depth.update({status: int(n) for status, n in rows})
    return depth


def facts_of(claim: Claim) -> ClaimFacts | None:
    """The claim's facts as the pipeline takes them (None when none are known)."""
    return _facts_of(claim)


def _facts_of(claim: Claim) -> ClaimFacts | None:
    values = (
        claim.claim_type,
        claim.member_age,
        claim.plan,
        claim.policy_start_date,
        claim.waiting_period_days,
        claim.claimant,
    )
    if all(v is None for v in values):
        return None
    return ClaimFacts(
        claim_type=ClaimType(claim.claim_type) if claim.claim_type else None,
        member_age=claim.member_age,
        plan=claim.plan,
        policy_start_date=claim.policy_start_date,
        waiting_period_days=claim.waiting_period_days,
        claimant=ClaimantRelationship(claim.claimant) if claim.claimant else None,
    )


def _path(body: dict[str, Any], *keys: str) -> str | None:
    value: Any = body
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, str) else None
