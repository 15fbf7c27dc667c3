"""Helpers of the browser tests (fixtures are in conftest)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench_fakes import FakeDoc, WorkbenchPipeline

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@dataclass
class LiveServer:
    url: str
    app: Any
    pipeline: WorkbenchPipeline
    keys: dict[str, str]
    files: dict[str, Path]
    docs: dict[str, FakeDoc]

    @property
    def runtime(self) -> Any:
        return self.app.state.service


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page: Any, server: LiveServer, who: str) -> None:
    page.goto(f"{server.url}/web/")
    page.get_by_label("API").fill(server.keys[who])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/web/")
