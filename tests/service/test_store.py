"""Store, migrations, file store, idempotent job processing and retention, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from service_helpers import FakeOcr, make_settings, png_bytes
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from claims_ai.errors import InferenceError, StorageError
from claims_ai.ingest.quality import QualityGate
from claims_ai.pipeline import Pipeline
from claims_ai.service.auth import Principal, Role
from claims_ai.service.claims import Upload
from claims_ai.service.db import current_revision, head_revision, migrate
from claims_ai.service.filestore import FileStore
from claims_ai.service.models import Assessment, Base, Claim, Document, Job, JobStatus, new_id
from claims_ai.service.processing import JobOutcome, requeue_stale_jobs
from claims_ai.service.retention import purge_expired, remove_orphan_files
from claims_ai.service.runtime import ServiceRuntime
from claims_ai.service.schemas import ClaimCreate

PLATFORM = Principal("key_test", "t1", frozenset({Role.PLATFORM}))


class FlakyOcr(FakeOcr):
    """Fails the first ``failures`` pages, then reads."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def read(self, image):  # type: ignore[no-untyped-def]
        if self.failures > 0:
            self.failures -= 1
            raise InferenceError("the model failed")
        return super().read(image)


@pytest.fixture
def runtime(tmp_path: Path, database_url: str | None) -> Iterator[ServiceRuntime]:
    """Store and processor without a queue: the test runs jobs itself."""
    settings = make_settings(tmp_path, database_url, job_max_attempts=2)
    pipeline = Pipeline(settings, FakeOcr(), QualityGate(settings.quality))
    built = ServiceRuntime(settings, pipeline, role="worker")
    yield built
    built.close()
    pipeline.close()


def _new_claim(runtime: ServiceRuntime) -> str:
    return str(runtime.claims.create_claim(PLATFORM, ClaimCreate()).body["id"])


def _upload(runtime: ServiceRuntime, claim_id: str, seed: int) -> str:
    return str(
        runtime.claims.upload_documents(PLATFORM, claim_id, [Upload(f"{seed}.png", png_bytes(seed))]).body["job_id"]
    )


def _count(runtime: ServiceRuntime, model: type, **where: object) -> int:
    with runtime.db.tx() as s:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int(s.scalar(query) or 0)


def test_migrations_match_the_models(runtime: ServiceRuntime) -> None:
    assert current_revision(runtime.db.engine) == head_revision()
    with runtime.db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    migrate(runtime.db.engine)  # running again is a no-op
    assert current_revision(runtime.db.engine) == head_revision()


def test_database_allows_one_current_assessment_per_claim(runtime: ServiceRuntime) -> None:
    claim_id = _new_claim(runtime)
    with runtime.db.tx() as s:
        s.add(Assessment(id=new_id("asm"), claim_id=claim_id, revision=1, is_current=True, body={}, document_ids=[]))
    with pytest.raises(IntegrityError), runtime.db.tx() as s:
        s.add(Assessment(id=new_id("asm"), claim_id=claim_id, revision=2, is_current=True, body={}, document_ids=[]))
    with runtime.db.tx() as s:  # a non-current one is fine
        s.add(Assessment(id=new_id("asm"), claim_id=claim_id, revision=2, is_current=False, body={}, document_ids=[]))


def test_a_job_run_twice_stores_one_assessment(runtime: ServiceRuntime) -> None:
    assert runtime.processor is not None
    claim_id = _new_claim(runtime)
    job_id = _upload(runtime, claim_id, 1)
    assert runtime.processor.process(job_id) == JobOutcome.DONE
    assert runtime.processor.process(job_id) == JobOutcome.ALREADY_DONE
    # A worker died after taking the job: it is "running" with an expired lease; running it again is harmless.
    with runtime.db.tx() as s:
        s.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.RUNNING.value))
    assert runtime.processor.process(job_id) == JobOutcome.SUPERSEDED
    assert _count(runtime, Assessment, claim_id=claim_id) == 1
    assert _count(runtime, Assessment, claim_id=claim_id, is_current=True) == 1


def test_older_jobs_are_superseded_by_newer_documents(runtime: ServiceRuntime) -> None:
    assert runtime.processor is not None
    claim_id = _new_claim(runtime)
    first = _upload(runtime, claim_id, 1)
    second = _upload(runtime, claim_id, 2)
    assert runtime.processor.process(first) == JobOutcome.SUPERSEDED
    assert runtime.processor.process(second) == JobOutcome.DONE
    third = _upload(runtime, claim_id, 3)
    assert runtime.processor.process(third) == JobOutcome.DONE
    with runtime.db.tx() as s:
        current = s.scalars(select(Assessment).where(Assessment.claim_id == claim_id, Assessment.is_current)).all()
        claim = s.get(Claim, claim_id)
        assert claim is not None
        assert len(current) == 1 and current[0].revision == 3 == claim.assessed_revision
        assert len(current[0].document_ids) == 3
        assert s.get(Job, first).status == JobStatus.SUPERSEDED.value  # type: ignore[union-attr]


def test_stale_jobs_are_requeued(runtime: ServiceRuntime) -> None:
    claim_id = _new_claim(runtime)
    job_id = _upload(runtime, claim_id, 1)
    found: list[str] = []
    assert requeue_stale_jobs(runtime.db, runtime.settings, found.append, everything=False) == 0
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with runtime.db.tx() as s:
        s.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.RUNNING.value, lease_until=past))
    assert requeue_stale_jobs(runtime.db, runtime.settings, found.append, everything=False) == 1
    assert found == [job_id]


def test_failed_attempts_are_retried_then_sent_to_a_person(tmp_path: Path, database_url: str | None) -> None:
    settings = make_settings(tmp_path, database_url, job_max_attempts=2)
    ocr = FlakyOcr(failures=3)
    pipeline = Pipeline(settings, ocr, QualityGate(settings.quality))
    retried: list[tuple[str, float]] = []
    runtime = ServiceRuntime(settings, pipeline, role="worker")
    assert runtime.processor is not None
    runtime.processor._retry = lambda job_id, delay: retried.append((job_id, delay))
    try:
        claim_id = _new_claim(runtime)
        job_id = _upload(runtime, claim_id, 1)
        assert runtime.processor.process(job_id) == JobOutcome.RETRY
        assert retried and retried[0][0] == job_id
        assert runtime.processor.process(job_id) == JobOutcome.FAILED
        with runtime.db.tx() as s:
            job, claim = s.get(Job, job_id), s.get(Claim, claim_id)
            assert job is not None and claim is not None
            assert job.status == "failed" and job.error_code == "inference_failed" and job.attempts == 2
            assert claim.status == "in_review"
        assert _count(runtime, Document, claim_id=claim_id) == 1  # nothing lost
    finally:
        runtime.close()
        pipeline.close()


def test_retention_deletes_expired_claims_with_their_files(runtime: ServiceRuntime) -> None:
    old, recent = _new_claim(runtime), _new_claim(runtime)
    _upload(runtime, old, 1)
    _upload(runtime, recent, 2)
    with runtime.db.tx() as s:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        s.execute(update(Claim).where(Claim.id == old).values(updated_at=long_ago))
        old_digest = s.scalar(select(Document.sha256).where(Document.claim_id == old))
    assert old_digest and runtime.files.exists(old_digest)
    assert purge_expired(runtime.db, runtime.claims, 365, dry_run=True) == [old]
    assert _count(runtime, Claim) == 2
    assert purge_expired(runtime.db, runtime.claims, 365) == [old]
    assert _count(runtime, Claim) == 1 and _count(runtime, Document, claim_id=old) == 0
    assert not runtime.files.exists(old_digest)
    assert runtime.claims.get_claim(PLATFORM, recent)["id"] == recent


def test_file_store_is_content_addressed_and_checked(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = png_bytes(3)
    digest = store.put(data)
    assert store.path_of(digest).parent.parent.parent == store.root
    assert store.get(digest) == data and store.put(data) == digest
    store.path_of(digest).write_bytes(data + b"tampered")
    with pytest.raises(StorageError, match="checksum"):
        store.get(digest)
    with pytest.raises(StorageError):
        store.path_of("../../etc/passwd")
    with pytest.raises(StorageError, match="missing"):
        store.get("0" * 64)


def test_orphan_files_are_removed(runtime: ServiceRuntime) -> None:
    orphan = runtime.files.put(b"left by a crash between writing and recording")
    claim_id = _new_claim(runtime)
    _upload(runtime, claim_id, 4)
    assert remove_orphan_files(runtime.db, runtime.files, min_age_seconds=3600) == 0  # too young to tell
    assert remove_orphan_files(runtime.db, runtime.files, min_age_seconds=0) == 1
    assert not runtime.files.exists(orphan) and len(runtime.files.all_digests()) == 1
