"""Helpers of the claims-service tests (imported by conftest and the tests; fixtures live in conftest)."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from claims_ai.config import Settings
from claims_ai.ingest.quality import QualityGate
from claims_ai.pipeline import Pipeline
from claims_ai.types import OcrResult, TextLine

# Read at import: the root conftest clears CLAIMS_AI_* variables for each test.
IN_CI = os.environ.get("CI") == "true"
POSTGRES_ENABLED = IN_CI or os.environ.get("CLAIMS_AI_TEST_POSTGRES") == "1"
REDIS_ENABLED = IN_CI or os.environ.get("CLAIMS_AI_TEST_REDIS") == "1"
POSTGRES_ADMIN_URL = os.environ.get("CLAIMS_AI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("CLAIMS_AI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

needs_postgres = pytest.mark.skipif(
    not POSTGRES_ENABLED,
    reason="PostgreSQL tests are off: set CLAIMS_AI_TEST_POSTGRES=1 (or CI=true) with PostgreSQL on 127.0.0.1:5432",
)
needs_redis = pytest.mark.skipif(
    not REDIS_ENABLED,
    reason="Redis tests are off: set CLAIMS_AI_TEST_REDIS=1 (or CI=true) with Redis on 127.0.0.1:6379",
)

TEXT = "姓名：张三 身份证 110101199003071234 电话 13812345678 住院收费票据"


class FakeOcr:
    """One line per page with personal data in it, after ``delay`` seconds (to catch a job mid-way)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self._lock = threading.Lock()

    @property
    def versions(self) -> dict[str, str]:
        return {"fake_ocr": "1"}

    def read(self, image: np.ndarray) -> OcrResult:
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        w = image.shape[1]
        box = ((5.0, 5.0), (w - 5.0, 5.0), (w - 5.0, 25.0), (5.0, 25.0))
        return OcrResult(lines=(TextLine(TEXT, 0.97, box),), orientation=0)


def png_bytes(seed: int = 0, size: tuple[int, int] = (240, 160)) -> bytes:
    """A small distinct PNG per seed (distinct content, distinct sha256)."""
    image = Image.new("RGB", size, (250, 250, 250))
    image.putpixel((seed % size[0], (seed // size[0]) % size[1]), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(pages: int = 2) -> bytes:
    images = [Image.new("RGB", (300, 200), (255, 255, 255)) for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=100)
    return buffer.getvalue()


def make_settings(tmp_path: Path, database_url: str | None = None, **service: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "webhook_poll_seconds": 0.05,
        "webhook_backoff_seconds": 0.2,
        "job_retry_delay_seconds": 0.05,
        "shutdown_grace_seconds": 10,
        "key_cache_seconds": 60,
        "retention_check_hours": 0,
    }
    values.update(service)
    return Settings(_env_file=None, service=values)  # type: ignore[call-arg]


def fake_pipeline(settings: Settings, delay: float = 0.0) -> Pipeline:
    return Pipeline(settings, FakeOcr(delay), QualityGate(settings.quality))


@dataclass
class ServiceClient:
    """A running app (TestClient) with one key per role in tenant ``t1`` and an admin in ``t2``."""

    client: TestClient
    keys: dict[str, str]
    settings: Settings
    pipeline: Pipeline

    @property
    def runtime(self) -> Any:
        return self.client.app.state.service  # type: ignore[attr-defined]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def create_claim(self, who: str = "platform", **facts: Any) -> str:
        body = {"claim_type": "inpatient", "member": {"name": "张三", "id_number": "110101199003071234"}, **facts}
        response = self.client.post("/v1/claims", json=body, headers=self.h(who))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def upload(self, claim_id: str, *files: tuple[str, bytes], who: str = "platform", **headers: str) -> Any:
        return self.client.post(
            f"/v1/claims/{claim_id}/documents",
            files=[("files", (name, data, "application/octet-stream")) for name, data in files],
            headers={**self.h(who), **headers},
        )

    def wait_assessed(self, claim_id: str, who: str = "adjuster", timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body = self.client.get(f"/v1/claims/{claim_id}", headers=self.h(who)).json()
            if body["assessment"] is not None and not body["assessment_pending"]:
                return dict(body)
            if time.monotonic() > deadline:
                raise AssertionError(f"claim {claim_id} not assessed in {timeout}s: {body}")
            time.sleep(0.05)


def add_keys(runtime: Any) -> dict[str, str]:
    # Cheap argon2 parameters for tests only (production keeps argon2-cffi's RFC 9106 defaults).
    runtime.keys._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    keys = {role: runtime.keys.create("t1", [role]).key for role in ("platform", "adjuster", "admin", "ml_engineer")}
    keys["other"] = runtime.keys.create("t2", ["admin"]).key
    return keys


def service(tmp_path: Path) -> Iterator[ServiceClient]:
    """The app on embedded defaults (SQLite, in-process queue) with the fake pipeline."""
    settings = make_settings(tmp_path)
    pipeline = fake_pipeline(settings)
    with TestClient(create_app(settings, pipeline=pipeline)) as client:
        yield ServiceClient(client, add_keys(client.app.state.service), settings, pipeline)  # type: ignore[attr-defined]
    pipeline.close()


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
