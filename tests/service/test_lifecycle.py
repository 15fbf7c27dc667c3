"""Graceful shutdown and restart, the service commands of the CLI, and personal-data masking in logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import add_keys, fake_pipeline, make_settings, png_bytes, wait_for

from api.app import create_app
from claims_ai.cli import main
from claims_ai.config import Settings
from claims_ai.logs import JsonFormatter, PersonalDataFilter
from claims_ai.service.db import head_revision
from claims_ai.service.masking import mask_bank_card, mask_id_number, mask_name, mask_phone, mask_text
from claims_ai.service.models import Job
from claims_ai.service.runtime import ServiceRuntime


def _job(runtime: ServiceRuntime, job_id: str) -> Job:
    with runtime.db.tx() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_shutdown_finishes_running_jobs_and_restart_resumes_queued_ones(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, worker_concurrency=1, shutdown_grace_seconds=20)
    slow = fake_pipeline(settings, delay=1.0)
    with TestClient(create_app(settings, pipeline=slow)) as client:
        runtime = client.app.state.service  # type: ignore[attr-defined]
        h = {"Authorization": f"Bearer {add_keys(runtime)['platform']}"}
        claims = [client.post("/v1/claims", json={}, headers=h).json()["id"] for _ in range(2)]
        jobs = [
            client.post(f"/v1/claims/{c}/documents", files=[("files", ("a.png", png_bytes(i)))], headers=h).json()[
                "job_id"
            ]
            for i, c in enumerate(claims)
        ]
        wait_for(lambda: _job(runtime, jobs[0]).stage == "reading", what="the first job to start")
    # The context exit ran the lifespan shutdown: the running job finished, the waiting one stayed queued.
    slow.close()
    check = ServiceRuntime(settings, None, role="cli")
    try:
        assert _job(check, jobs[0]).status == "done"
        assert _job(check, jobs[1]).status == "queued"
    finally:
        check.close()

    fast = fake_pipeline(settings)
    with TestClient(create_app(settings, pipeline=fast)) as client:
        runtime = client.app.state.service  # type: ignore[attr-defined]
        wait_for(lambda: _job(runtime, jobs[1]).status == "done", what="the queued job to resume after restart")
    fast.close()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CLAIMS_AI_SERVICE__DATA_DIR", str(tmp_path / "data"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield tmp_path
    root.handlers[:] = handlers  # main() configures logging for the process
    root.setLevel(level)


def _run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_keys_db_and_retention(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["db", "upgrade"]) == 0
    assert f"database at {head_revision()}" in capsys.readouterr().out
    assert _run(["keys", "create", "--tenant", "acme", "--role", "adjuster", "--role", "admin"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("cai_key_")

    runtime = ServiceRuntime(Settings(_env_file=None), None, role="cli")  # type: ignore[call-arg]
    try:
        principal = runtime.keys.authenticate(f"Bearer {key}")
        assert principal.tenant == "acme" and principal.role_names == ["adjuster", "admin"]
    finally:
        runtime.close()

    assert _run(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert principal.key_id in listed and key not in listed  # never the key itself
    assert _run(["keys", "revoke", principal.key_id]) == 0
    assert _run(["keys", "revoke", principal.key_id]) == 2
    assert _run(["keys", "create", "--tenant", "acme", "--role", "superuser"]) == 2
    assert "Unknown role" in capsys.readouterr().err
    assert _run(["db", "current"]) == 0
    assert f"current: {head_revision()}" in capsys.readouterr().out
    assert _run(["retention", "purge", "--dry-run"]) == 0
    assert "would delete 0 claim(s)" in capsys.readouterr().err


def test_masking() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_id_number("11010119900307123X") == "1101**********123X"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_bank_card("6222 0202 0011 2233 445") == "6222***********3445"
    text = "患者姓名：王小明，身份证号110101199003071234，手机13812345678，卡号6222020200112233445，金额24189.65"
    masked = mask_text(text)
    for secret in ("王小明", "110101199003071234", "13812345678", "6222020200112233445"):
        assert secret not in masked
    assert "24189.65" in masked and "2020-12-17" in mask_text("入院 2020-12-17 出院 20201223")
    assert mask_text("李四 来电", names=["李四"]) == "李* 来电"


def test_logs_mask_personal_data() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("claims_ai.test_masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "member %s called from %s", "姓名：赵六", "13912345678", extra={"id_number": "110101199003071234"}
        )
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "member 姓名：赵* called from 139****5678"
    assert entry["id_number"] == "1101**********1234"
