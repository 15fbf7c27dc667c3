"""Fixtures of the claims-service tests (helpers are in ``service_helpers``).

PostgreSQL and Redis tests run when CI=true (and then never skip), or locally with CLAIMS_AI_TEST_POSTGRES=1 /
CLAIMS_AI_TEST_REDIS=1. Each test gets its own PostgreSQL database, Redis key prefix and queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import (
    POSTGRES_ADMIN_URL,
    POSTGRES_ENABLED,
    ServiceClient,
    add_keys,
    fake_pipeline,
    make_settings,
    needs_postgres,
)

from api.app import create_app


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_ENABLED:
        pytest.skip("PostgreSQL tests are off: set CLAIMS_AI_TEST_POSTGRES=1 (or CI=true)")
    from sqlalchemy import create_engine, text

    name = f"claims_ai_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{POSTGRES_ADMIN_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, needs_postgres])])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None (the embedded SQLite default under tmp_path) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceClient]:
    """The app on embedded defaults (SQLite, in-process queue) with the fake pipeline."""
    settings = make_settings(tmp_path)
    pipeline = fake_pipeline(settings)
    with TestClient(create_app(settings, pipeline=pipeline)) as client:
        yield ServiceClient(client, add_keys(client.app.state.service), settings, pipeline)  # type: ignore[attr-defined]
    pipeline.close()
