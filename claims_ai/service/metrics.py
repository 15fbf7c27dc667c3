"""Prometheus metrics of the claims service, registered once per process on the default registry.

Scrape ``GET /metrics`` on the API; a ``claims-ai worker`` serves its own with ``--metrics-port``.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "DOCUMENTS_UPLOADED",
    "ERRORS",
    "HTTP_SECONDS",
    "JOBS",
    "JOB_SECONDS",
    "QUEUE_DEPTH",
    "STAGE_SECONDS",
    "WEBHOOK_DELIVERIES",
]

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

STAGE_SECONDS = Histogram(
    "claims_ai_stage_seconds",
    "Time spent per pipeline stage in one assessment job",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
JOB_SECONDS = Histogram(
    "claims_ai_job_seconds", "Wall time of one assessment job, by outcome", ["outcome"], buckets=_LATENCY_BUCKETS
)
JOBS = Counter("claims_ai_jobs", "Assessment jobs finished, by outcome", ["outcome"])
QUEUE_DEPTH = Gauge("claims_ai_queue_depth", "Assessment jobs waiting or running (from the database)", ["status"])
ERRORS = Counter("claims_ai_errors", "Error answers and job failures, by stable error code", ["code"])
WEBHOOK_DELIVERIES = Counter("claims_ai_webhook_deliveries", "Webhook delivery attempts, by outcome", ["outcome"])
DOCUMENTS_UPLOADED = Counter("claims_ai_documents_uploaded", "Documents stored")
HTTP_SECONDS = Histogram(
    "claims_ai_http_request_seconds", "HTTP request latency", ["method", "route", "status"], buckets=_LATENCY_BUCKETS
)
