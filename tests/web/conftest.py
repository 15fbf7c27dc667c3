"""Fixtures of the workbench page tests: the app (TestClient) on SQLite with the fake staged pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from web_helpers import Workbench
from workbench_fakes import WorkbenchPipeline, discharge, invoice, pathology

from api.app import create_app
from claims_ai.config import Settings


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Workbench]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        service={"data_dir": tmp_path / "data", "webhook_poll_seconds": 0.05, "retention_check_hours": 0},
    )
    pipeline = WorkbenchPipeline(settings)
    docs = {"invoice": pipeline.register(invoice()), "discharge": pipeline.register(discharge()),
            "pathology": pipeline.register(pathology())}  # fmt: skip
    with TestClient(create_app(settings, pipeline=pipeline), follow_redirects=False) as client:  # type: ignore[arg-type]
        runtime = client.app.state.service  # type: ignore[attr-defined]
        runtime.keys._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        keys = {
            r: runtime.keys.create("t1", [r], name=f"{r} one").key
            for r in ("platform", "adjuster", "admin", "ml_engineer")
        }
        keys["other"] = runtime.keys.create("t2", ["adjuster"], name="other tenant").key
        yield Workbench(client, keys, pipeline, docs)
    pipeline.close()
