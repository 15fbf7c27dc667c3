"""A `claims-ai worker` with the fake OCR (``FAKE_OCR_DELAY`` seconds per page), started by the Celery tests."""

from __future__ import annotations

import os

from service_helpers import FakeOcr

from claims_ai.config import Settings
from claims_ai.ingest.quality import QualityGate
from claims_ai.logs import configure_logging
from claims_ai.pipeline import Pipeline
from claims_ai.service.celery_app import run_worker

if __name__ == "__main__":
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    configure_logging(settings.log_level, json_format=True)
    pipeline = Pipeline(settings, FakeOcr(float(os.environ["FAKE_OCR_DELAY"])), QualityGate(settings.quality))
    try:
        run_worker(settings, pipeline, concurrency=1)
    finally:
        pipeline.close()
