"""Browser tests of the adjuster workbench: a real uvicorn server on 127.0.0.1 (free port, temporary data dir,
fake fast pipeline) driven by Playwright through Debian's Chromium (``/usr/bin/chromium``, headless).

Under CI (``CI=true``) a missing Chromium or Playwright fails the tests; elsewhere they skip saying how to
install them (``scripts/setup.sh test``). Screenshots go to ``test-artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from e2e_helpers import LiveServer
from workbench_fakes import WorkbenchPipeline, discharge, invoice, pathology

from api.app import create_app
from claims_ai.config import Settings

CHROMIUM = os.environ.get("CLAIMS_AI_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI") == "true"


def _require_browser() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("Playwright is not installed: run scripts/setup.sh test")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if IN_CI:
            pytest.fail(f"Chromium is missing at {CHROMIUM}: scripts/setup.sh test installs it (apt chromium)")
        pytest.skip(f"Chromium is missing at {CHROMIUM}: run scripts/setup.sh test (installs Debian's chromium)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    tmp = tmp_path_factory.mktemp("workbench")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        service={"data_dir": tmp / "data", "webhook_poll_seconds": 0.2, "retention_check_hours": 0},
    )
    pipeline = WorkbenchPipeline(settings)
    docs = {"invoice": invoice(), "discharge": discharge(), "pathology": pathology()}
    files: dict[str, Path] = {}
    for key, doc in docs.items():
        docs[key] = pipeline.register(doc)
        files[key] = tmp / doc.name
        files[key].write_bytes(docs[key].png)
    app = create_app(settings, pipeline=pipeline)  # type: ignore[arg-type]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    runtime = app.state.service
    runtime.keys._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    keys = {
        "adjuster": runtime.keys.create("acme", ["adjuster"], name="王敏 (adjuster)").key,
        "ml_engineer": runtime.keys.create("acme", ["ml_engineer"], name="ml team").key,
    }
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, pipeline, keys, files, docs)
    finally:
        server.should_exit = True
        thread.join(30)
        pipeline.close()


# Module scope: Playwright's sync API keeps an event loop running while it is open, and later tests that call
# asyncio.run() (tests/service) must not find one.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (own cookies) at 1366×768, the laptop screen the workbench is built for."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert errors == [], f"the page logged errors: {errors}"
