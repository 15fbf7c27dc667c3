"""The job queue interface and its embedded implementation, a pool of worker threads in the API process.

The queue carries job ids only; the job itself (claim, revision, status, stage, attempts) lives in the database,
written in the same transaction as the upload. So a queue may lose a message (process crash, broker restart)
without losing work: ``requeue_stale_jobs`` finds the job again. ``claims_ai.service.celery_app.CeleryQueue`` is
the implementation for separate worker machines.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["InProcessQueue", "JobQueue"]

log = logging.getLogger("claims_ai.service.queue")


class JobQueue(Protocol):
    def enqueue(self, job_id: str, delay_seconds: float = 0.0) -> None:
        """Ask for ``job_id`` to be run (again) after ``delay_seconds``. Never raises for a lost broker."""
        ...

    def close(self, grace_seconds: float) -> None:
        """Stop taking jobs; give running ones ``grace_seconds`` to finish."""
        ...


class InProcessQueue:
    """``concurrency`` threads running ``handler(job_id)``. On close, jobs not started stay queued in the database
    (they resume at the next start-up) and running ones get the grace period to finish."""

    def __init__(self, handler: Callable[[str], object], concurrency: int = 1) -> None:
        self._handler = handler
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stopping = threading.Event()
        self._running = 0
        self._running_lock = threading.Lock()
        self._timers: set[threading.Timer] = set()
        self._threads = [
            threading.Thread(target=self._work, name=f"claims-job-{i}", daemon=True) for i in range(concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def enqueue(self, job_id: str, delay_seconds: float = 0.0) -> None:
        if self._stopping.is_set():
            return  # stays queued in the database; picked up at the next start
        if delay_seconds > 0:
            timer = threading.Timer(delay_seconds, self._enqueue_later, args=(job_id,))
            timer.daemon = True
            self._timers.add(timer)
            timer.start()
            return
        self._queue.put(job_id)

    def _enqueue_later(self, job_id: str) -> None:
        self._timers = {t for t in self._timers if t.is_alive() and t is not threading.current_thread()}
        self.enqueue(job_id)

    def depth(self) -> int:
        return self._queue.qsize() + self.running

    @property
    def running(self) -> int:
        with self._running_lock:
            return self._running

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.02)
        return self.idle()

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                if job_id is None or self._stopping.is_set():
                    return
                with self._running_lock:
                    self._running += 1
                try:
                    self._handler(job_id)
                except Exception:
                    # The job stays in the database as queued/running; the sweeper gives it another go.
                    log.exception("job %s failed unexpectedly", job_id)
                finally:
                    with self._running_lock:
                        self._running -= 1
            finally:
                self._queue.task_done()

    def close(self, grace_seconds: float) -> None:
        self._stopping.set()
        for timer in list(self._timers):
            timer.cancel()
        # Drop what has not started: those jobs are still "queued" in the database.
        try:
            while True:
                self._queue.get_nowait()
                self._queue.task_done()
        except queue.Empty:
            pass
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + grace_seconds
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in self._threads):
            log.warning(
                "shutdown: %d job(s) still running after %.0f s; they resume at next start", self.running, grace_seconds
            )
