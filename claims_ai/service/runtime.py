"""Everything the claims service runs, built from settings once per process and closed gracefully.

``role="api"``: the HTTP process; with the in-process queue it also runs the jobs, and it always runs the
webhook dispatcher and the maintenance loop (re-queueing stale jobs, retention). ``role="worker"``: a Celery
worker process. ``role="cli"``: commands (keys, retention) that only touch the store.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Literal

from claims_ai.config import QueueBackend, Settings
from claims_ai.service.auth import ApiKeyManager
from claims_ai.service.claims import ClaimService
from claims_ai.service.corrections import CorrectionService
from claims_ai.service.db import Database, migrate
from claims_ai.service.filestore import FileStore
from claims_ai.service.processing import AssessPipeline, JobProcessor, facts_of, requeue_stale_jobs
from claims_ai.service.queue import InProcessQueue, JobQueue
from claims_ai.service.retention import purge_expired, remove_orphan_files
from claims_ai.service.webhooks import WebhookDispatcher, WebhookService
from claims_ai.service.websessions import WebSessions

__all__ = ["ServiceRuntime"]

log = logging.getLogger("claims_ai.service")

Role = Literal["api", "worker", "cli"]


class _NoQueue:
    """Commands that only touch the store; jobs they would create wait in the database."""

    def enqueue(self, job_id: str, delay_seconds: float = 0.0) -> None:
        return None

    def close(self, grace_seconds: float) -> None:
        return None


class ServiceRuntime:
    def __init__(self, settings: Settings, pipeline: AssessPipeline | None, role: Role = "api") -> None:
        self.settings = settings
        self.role = role
        service = settings.service
        self.db = Database.from_settings(service)
        if service.auto_migrate or role == "cli":
            migrate(self.db.engine)
        self.files = FileStore(service.resolved_storage_root())
        self.keys = ApiKeyManager(self.db, cache_seconds=service.key_cache_seconds)
        self.dispatcher: WebhookDispatcher | None = WebhookDispatcher(self.db, service) if role == "api" else None
        wake = self.dispatcher.wake if self.dispatcher else None
        self.processor: JobProcessor | None = None
        self.queue: JobQueue = _NoQueue()
        if service.queue == QueueBackend.CELERY and role in ("api", "worker"):
            from claims_ai.service.celery_app import CeleryQueue

            self.queue = CeleryQueue(settings)
        if pipeline is not None and role != "cli":
            self.processor = JobProcessor(self.db, self.files, pipeline, settings, retry=self._retry, on_event=wake)
            if service.queue == QueueBackend.INPROCESS and role == "api":
                self.queue = InProcessQueue(self.processor.process, service.worker_concurrency)
        elif role == "api" and service.queue == QueueBackend.INPROCESS:
            log.error("no pipeline: uploaded documents are stored and wait until the models load")
        self.claims = ClaimService(self.db, self.files, settings, enqueue=self._enqueue, on_event=wake)
        self.corrections = CorrectionService(
            self.db, rederive=getattr(pipeline, "rederive", None), facts_of=facts_of, on_event=wake
        )
        self.web_sessions = WebSessions(self.db)
        self.webhooks = WebhookService(self.db)
        self._stop = threading.Event()
        self._maintenance: threading.Thread | None = None

    def _enqueue(self, job_id: str) -> None:
        self.queue.enqueue(job_id)

    def _retry(self, job_id: str, delay: float) -> None:
        self.queue.enqueue(job_id, delay)

    def start(self) -> None:
        if self.role != "api":
            return
        if self.dispatcher is not None:
            self.dispatcher.start()
        # In-process jobs left by the last run (stopped or crashed) start again now.
        everything = self.settings.service.queue == QueueBackend.INPROCESS and self.processor is not None
        if everything:
            requeue_stale_jobs(self.db, self.settings, self._enqueue, everything=True)
        self._maintenance = threading.Thread(target=self._maintain, name="claims-maintenance", daemon=True)
        self._maintenance.start()

    def _maintain(self) -> None:
        service = self.settings.service
        next_retention = time.monotonic() + 60.0  # not in the middle of start-up
        while not self._stop.wait(service.maintenance_interval_seconds):
            try:
                requeue_stale_jobs(self.db, self.settings, self._enqueue, everything=False)
                if service.retention_check_hours > 0 and time.monotonic() >= next_retention:
                    next_retention = time.monotonic() + service.retention_check_hours * 3600
                    purge_expired(self.db, self.claims, service.retention_days)
                    remove_orphan_files(self.db, self.files)
            except Exception:
                log.exception("maintenance failed; trying again later")

    def close(self) -> None:
        """Graceful: stop taking jobs, let running ones finish (up to ``shutdown_grace_seconds``), flush."""
        self._stop.set()
        self.queue.close(self.settings.service.shutdown_grace_seconds)
        if self.dispatcher is not None:
            self.dispatcher.close()
        if self._maintenance is not None:
            self._maintenance.join(5)
        self.db.dispose()
