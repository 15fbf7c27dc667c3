"""Celery with a Redis broker: jobs run on separate worker machines (``claims-ai worker``).

At-least-once: tasks are acknowledged only after they ran (``acks_late``), so a worker killed mid-job leaves its
message unacknowledged and Redis hands it to another worker once ``broker_visibility_timeout_seconds`` passed.
The job is idempotent (``JobProcessor``), so running it twice stores one assessment.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from celery import Celery

from claims_ai.config import Settings
from claims_ai.errors import ConfigError

__all__ = ["TASK_NAME", "CeleryQueue", "make_celery", "run_worker"]

log = logging.getLogger("claims_ai.service.celery")

TASK_NAME = "claims_ai.assess_claim"

# The worker process's runtime (built once per worker process, before it takes tasks).
_worker_runtime: Any = None


def make_celery(settings: Settings) -> Celery:
    service = settings.service
    transport: dict[str, Any] = {
        "visibility_timeout": service.broker_visibility_timeout_seconds,
        # Look for messages of dead workers often enough that the visibility timeout is what counts.
        "unacked_restore_interval": max(1, min(10, service.broker_visibility_timeout_seconds // 2)),
        "unacked_restore_throttle": 1,
    }
    if service.broker_key_prefix:
        transport["global_keyprefix"] = service.broker_key_prefix
    app = Celery("claims_ai", broker=service.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_default_queue=service.celery_queue,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options=transport,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        enable_utc=True,
    )

    @app.task(name=TASK_NAME, ignore_result=True)
    def assess_claim(job_id: str) -> str:
        if _worker_runtime is None:
            raise RuntimeError("this process is not a claims-ai worker (start it with `claims-ai worker`)")
        return str(_worker_runtime.processor.process(job_id).value)

    return app


class CeleryQueue:
    """Publishes job ids to Redis. A failed publish is logged, not raised: the job is in the database and the
    sweeper (``requeue_stale_jobs``) publishes it again later."""

    def __init__(self, settings: Settings, app: Celery | None = None) -> None:
        self._settings = settings
        self.app = app or make_celery(settings)

    def enqueue(self, job_id: str, delay_seconds: float = 0.0) -> None:
        try:
            self.app.send_task(
                TASK_NAME,
                args=[job_id],
                queue=self._settings.service.celery_queue,
                countdown=delay_seconds or None,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
        except Exception as exc:  # kombu/redis connection errors: nothing is lost, see class doc
            log.error("could not publish job %s to the broker (%s); it will be re-queued", job_id, exc)

    def close(self, grace_seconds: float) -> None:
        pool = self.app.pool
        pool.force_close_all()


def run_worker(
    settings: Settings, pipeline: Any, *, concurrency: int | None = None, metrics_port: int | None = None
) -> None:
    """Run a Celery worker in this process until SIGTERM (warm shutdown: running jobs finish first)."""
    global _worker_runtime
    from claims_ai.service.runtime import ServiceRuntime

    runtime = ServiceRuntime(settings, pipeline, role="worker")
    runtime.start()
    _worker_runtime = runtime
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=settings.host)
    if not isinstance(runtime.queue, CeleryQueue):
        runtime.close()
        raise ConfigError("`claims-ai worker` needs CLAIMS_AI_SERVICE__QUEUE=celery (and a broker_url).")
    app = runtime.queue.app
    n = concurrency or settings.service.worker_concurrency
    try:
        app.worker_main(
            [
                "worker",
                f"--pool={'solo' if n == 1 else 'threads'}",
                f"--concurrency={n}",
                f"--queues={settings.service.celery_queue}",
                f"--hostname=claims-ai-{os.getpid()}@{socket.gethostname()}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--loglevel={settings.log_level}",
            ]
        )
    finally:
        _worker_runtime = None
        runtime.close()
