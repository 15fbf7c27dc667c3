"""HTTP API: POST /v1/assessments, health, errors as JSON with stable codes, and the real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from claims_ai.config import IngestLimits, Settings


@pytest.fixture(scope="module")
def client(pipeline, settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, pipeline=pipeline)) as test_client:
        yield test_client


def test_assessment_of_a_bill_and_a_three_page_pdf(client: TestClient, sample_files) -> None:
    response = client.post(
        "/v1/assessments",
        files=[
            ("files", ("bill.jpg", sample_files.bill_jpeg, "image/jpeg")),
            ("files", ("record.pdf", sample_files.three_page_pdf, "application/pdf")),
        ],
        data={"claim_type": "critical_illness", "member_age": "38", "policy_start_date": "2020-01-15"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["page"] for d in body["documents"]] == [1, 1, 2, 3]
    assert body["files"][1] == {**body["files"][1], "format": "pdf", "pages": 3, "error": None}
    assert "24,189.65" in "".join(line["text"] for line in body["documents"][0]["text_lines"])
    assert body["claim"] == {
        "claim_type": "critical_illness",
        "member_age": 38,
        "plan": None,
        "policy_start_date": "2020-01-15",
        "waiting_period_days": None,
    }
    assert response.headers["X-Request-ID"]


def test_one_bad_file_does_not_lose_the_good_one(client: TestClient, sample_files) -> None:
    response = client.post(
        "/v1/assessments",
        files=[
            ("files", ("notes.txt", sample_files.text, "text/plain")),
            ("files", ("bill.png", sample_files.small_png, "image/png")),
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["files"][0]["error"]["code"] == "unsupported_format"
    assert body["files"][1]["error"] is None
    assert [d["file"] for d in body["documents"]] == ["bill.png"]


def _client_with_limits(pipeline, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> TestClient:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    # The pipeline reads limits from its own settings; build one that shares the loaded engine.
    from claims_ai.ingest.quality import QualityGate
    from claims_ai.pipeline import Pipeline

    limited = Pipeline(settings, pipeline._ocr, QualityGate(settings.quality))
    return TestClient(create_app(settings, pipeline=limited))


def test_every_bad_input_code_answers_4xx(pipeline, sample_files, bad_inputs, monkeypatch) -> None:
    expected_status = {"unsupported_format": 415, "too_large": 413, "too_many_pages": 413, "too_many_pixels": 413}
    for code, (attribute, name, env) in bad_inputs.items():
        with monkeypatch.context() as patch, _client_with_limits(pipeline, env, patch) as client:
            response = client.post("/v1/assessments", files=[("files", (name, getattr(sample_files, attribute)))])
        assert response.status_code == expected_status.get(code, 400), (code, response.text)
        error = response.json()["error"]
        assert error["code"] == code and error["file"] == name and error["message"]


def test_too_many_files_is_413(pipeline, sample_files, monkeypatch) -> None:
    with _client_with_limits(pipeline, {"CLAIMS_AI_LIMITS__MAX_FILES_PER_REQUEST": "1"}, monkeypatch) as client:
        files = [("files", ("a.png", sample_files.small_png)), ("files", ("b.png", sample_files.small_png))]
        response = client.post("/v1/assessments", files=files)
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_many_files"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"member_age": "-3"}, "member_age"),
        ({"claim_type": "holiday"}, "claim_type"),
        ({"policy_start_date": "15/01/2020"}, "policy_start_date"),
    ],
)
def test_invalid_claim_facts_are_400(client: TestClient, sample_files, data: dict, field: str) -> None:
    response = client.post("/v1/assessments", files=[("files", ("a.png", sample_files.small_png))], data=data)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and field in error["message"]


def test_no_files_is_400_not_500(client: TestClient) -> None:
    response = client.post("/v1/assessments", data={"member_age": "30"})
    assert response.status_code == 400 and "files" in response.json()["error"]["message"]


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/v1/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_health_readiness_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and "ocr_rec" in ready["model_versions"]
    assert client.get("/docs").status_code == 200
    assert "/v1/assessments" in client.get("/openapi.json").json()["paths"]


def test_models_that_fail_to_load_leave_the_service_up_and_not_ready(tmp_path: Path, sample_files) -> None:
    settings = Settings(_env_file=None, models_dir=tmp_path)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "manifest" in ready.json()["reason"]
        response = client.post("/v1/assessments", files=[("files", ("a.png", sample_files.small_png))])
        assert response.status_code == 503 and response.json()["error"]["code"] == "not_ready"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_command_answers_assessments(sample_files) -> None:
    """What the README's run command starts: the real server process, models loaded at start-up."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMS_AI_") or k == "CLAIMS_AI_SERVICE__DATA_DIR"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "claims-ai"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("the service did not become ready within 60 s")
        response = httpx.post(
            f"{base}/v1/assessments", timeout=120, files=[("files", ("bill.jpg", sample_files.bill_jpeg, "image/jpeg"))]
        )
        assert response.status_code == 200
        assert "住院收费票据" in response.json()["documents"][0]["text_lines"][0]["text"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells how it ended.
    assert server.returncode in (0, -15), output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output


def test_ingest_limits_defaults_are_sane() -> None:
    limits = IngestLimits()
    assert limits.max_page_pixels >= 12_000_000 * 2, "a 48 MP phone photo must still be accepted"
