"""200 concurrent uploads over loopback to a real uvicorn server: none lost, none duplicated, one current
assessment per claim covering all its documents."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from service_helpers import add_keys, fake_pipeline, make_settings, png_bytes, wait_for
from sqlalchemy import func, select

from api.app import create_app
from claims_ai.service.models import Assessment, Blob, Claim, Document

CLAIMS = 40
UPLOADS_PER_CLAIM = 5
RETRIED = 20  # uploads sent twice at once with the same Idempotency-Key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres])])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], object]]:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    settings = make_settings(tmp_path, url, worker_concurrency=2)
    pipeline = fake_pipeline(settings)
    app = create_app(settings, pipeline=pipeline)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on", backlog=512)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="uvicorn to start")
    runtime = app.state.service
    try:
        yield f"http://127.0.0.1:{port}", add_keys(runtime), runtime
    finally:
        server.should_exit = True
        thread.join(30)
        pipeline.close()


async def _upload_all(base: str, key: str, claim_ids: list[str]) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=250, max_keepalive_connections=250)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120) as client:

        async def upload(i: int, retry_of: int | None = None) -> int:
            n = i if retry_of is None else retry_of
            claim_id = claim_ids[n % CLAIMS]
            extra = {"Idempotency-Key": f"upload-{n}"} if n < RETRIED else {}
            response = await client.post(
                f"/v1/claims/{claim_id}/documents",
                files=[("files", (f"page-{n}.png", png_bytes(n), "image/png"))],
                headers=extra,
            )
            return response.status_code

        tasks = [upload(i) for i in range(CLAIMS * UPLOADS_PER_CLAIM)]
        tasks += [upload(-1, retry_of=n) for n in range(RETRIED)]
        return list(await asyncio.gather(*tasks))


def test_200_concurrent_uploads(server: tuple[str, dict[str, str], object], request: pytest.FixtureRequest) -> None:
    base, keys, runtime = server
    headers = {"Authorization": f"Bearer {keys['platform']}"}
    claim_ids = [httpx.post(f"{base}/v1/claims", json={}, headers=headers).json()["id"] for _ in range(CLAIMS)]

    started = time.perf_counter()
    statuses = asyncio.run(_upload_all(base, keys["platform"], claim_ids))
    uploaded = time.perf_counter() - started
    assert statuses == [202] * len(statuses)

    db = runtime.db  # type: ignore[attr-defined]

    def all_assessed() -> bool:
        with db.tx() as s:
            return not s.scalar(select(func.count()).select_from(Claim).where(Claim.assessed_revision < Claim.revision))

    wait_for(all_assessed, timeout=120, what="every claim to be assessed")
    total = time.perf_counter() - started
    print(
        f"\n[{request.node.callspec.id}] {len(statuses)} uploads in {uploaded:.2f} s; all assessed after {total:.2f} s"
    )

    with db.tx() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == CLAIMS * UPLOADS_PER_CLAIM
        assert s.scalar(select(func.count()).select_from(Blob)) == CLAIMS * UPLOADS_PER_CLAIM
        for claim in s.scalars(select(Claim)):
            current = s.scalars(select(Assessment).where(Assessment.claim_id == claim.id, Assessment.is_current)).all()
            docs = s.scalars(select(Document.id).where(Document.claim_id == claim.id)).all()
            assert len(docs) == UPLOADS_PER_CLAIM
            assert len(current) == 1 and sorted(current[0].document_ids) == sorted(docs)
            assert claim.revision == UPLOADS_PER_CLAIM and current[0].revision == claim.revision
            assert claim.status == "in_review"
