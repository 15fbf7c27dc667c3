"""PostgreSQL + Redis + separate Celery worker processes: a worker killed mid-job loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import REDIS_URL, make_settings, needs_postgres, needs_redis, png_bytes, wait_for
from sqlalchemy import func, select

from claims_ai.config import Settings
from claims_ai.service.auth import Principal, Role
from claims_ai.service.claims import Upload
from claims_ai.service.models import Assessment, Claim, Document, Job
from claims_ai.service.runtime import ServiceRuntime
from claims_ai.service.schemas import ClaimCreate

pytestmark = [pytest.mark.postgres, pytest.mark.redis, needs_postgres, needs_redis]

HERE = Path(__file__).resolve().parent
PLATFORM = Principal("key_test", "t1", frozenset({Role.PLATFORM}))


def _env(settings: Settings, delay: float) -> dict[str, str]:
    service = settings.service
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMS_AI_")}
    env.update(
        {
            "CLAIMS_AI_SERVICE__DATABASE_URL": str(service.database_url),
            "CLAIMS_AI_SERVICE__DATA_DIR": str(service.data_dir),
            "CLAIMS_AI_SERVICE__QUEUE": "celery",
            "CLAIMS_AI_SERVICE__BROKER_URL": service.broker_url,
            "CLAIMS_AI_SERVICE__CELERY_QUEUE": service.celery_queue,
            "CLAIMS_AI_SERVICE__BROKER_KEY_PREFIX": service.broker_key_prefix,
            "CLAIMS_AI_SERVICE__BROKER_VISIBILITY_TIMEOUT_SECONDS": str(service.broker_visibility_timeout_seconds),
            "FAKE_OCR_DELAY": str(delay),
            "PYTHONPATH": os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]),
        }
    )
    return env


def _start_worker(settings: Settings, delay: float, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(HERE / "celery_worker_main.py")],
            env=_env(settings, delay),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=HERE,
        )


@pytest.fixture
def celery_runtime(tmp_path: Path, postgres_url: str) -> Iterator[ServiceRuntime]:
    run = uuid.uuid4().hex[:10]
    settings = make_settings(
        tmp_path,
        postgres_url,
        queue="celery",
        broker_url=REDIS_URL,
        celery_queue=f"claims-test-{run}",
        broker_key_prefix=f"claims-test-{run}:",
        broker_visibility_timeout_seconds=3,
    )
    runtime = ServiceRuntime(settings, None, role="api")  # publishes jobs; workers run them
    yield runtime
    runtime.close()
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"claims-test-{run}:*"):
        client.delete(key)
    client.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_worker_killed_mid_job_loses_nothing(celery_runtime: ServiceRuntime, tmp_path: Path) -> None:
    runtime = celery_runtime
    claim_id = runtime.claims.create_claim(PLATFORM, ClaimCreate()).body["id"]
    reply = runtime.claims.upload_documents(PLATFORM, claim_id, [Upload("bill.png", png_bytes(1))])
    job_id = reply.body["job_id"]
    log = tmp_path / "workers.log"

    def job() -> Job:
        with runtime.db.tx() as s:
            found = s.get(Job, job_id)
            assert found is not None
            return found

    first = _start_worker(runtime.settings, delay=60.0, log=log)  # would take a minute: killed long before
    try:
        wait_for(lambda: job().stage == "reading", timeout=60, what="the first worker to start the job")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        _stop(first)
    killed = job()
    assert killed.status == "running" and killed.attempts == 1

    second = _start_worker(runtime.settings, delay=0.0, log=log)
    try:
        wait_for(lambda: job().status == "done", timeout=90, what="the second worker to finish the job")
    except AssertionError:
        raise AssertionError(log.read_text(errors="replace")[-4000:]) from None
    finally:
        _stop(second)

    with runtime.db.tx() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.status == "in_review" and claim.assessed_revision == 1
        current = s.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.claim_id == claim_id, Assessment.is_current)
        )
        total = s.scalar(select(func.count()).select_from(Assessment).where(Assessment.claim_id == claim_id))
        docs = s.scalar(select(func.count()).select_from(Document).where(Document.claim_id == claim_id))
    assert current == 1 and total == 1 and docs == 1
    assert job().attempts == 2
    assert runtime.files.exists(reply.body["documents"][0]["sha256"])
