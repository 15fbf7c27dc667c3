"""Helpers of the workbench page tests (the fixture is in conftest)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from workbench_fakes import WorkbenchPipeline

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Workbench:
    client: TestClient
    keys: dict[str, str]
    pipeline: WorkbenchPipeline
    docs: dict[str, Any]

    @property
    def runtime(self) -> Any:
        return self.client.app.state.service  # type: ignore[attr-defined]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def sign_in(self, who: str) -> TestClient:
        """A browser-like client (own cookie jar) signed in with ``who``'s key."""
        browser = TestClient(self.client.app, base_url="http://testserver", follow_redirects=False)
        form = browser.get("/web/login")
        token = csrf_of(form.text)
        response = browser.post("/web/login", data={"api_key": self.keys[who], "csrf_token": token, "next": "/web/"})
        assert response.status_code == 303, response.text
        return browser

    def new_claim(self, who: str = "adjuster", **facts: Any) -> str:
        body = {
            "claim_type": "critical_illness",
            "member": {"name": "张秀英", "id_number": "520302198207151224"},
            "member_age": 38,
            **facts,
        }
        response = self.client.post("/v1/claims", json=body, headers=self.h(who))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def upload(self, claim_id: str, *names: str, who: str = "adjuster") -> None:
        files = [("files", (self.docs[n].name, self.docs[n].png, "image/png")) for n in names]
        response = self.client.post(f"/v1/claims/{claim_id}/documents", files=files, headers=self.h(who))
        assert response.status_code == 202, response.text

    def wait_assessed(self, claim_id: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body = self.client.get(f"/v1/claims/{claim_id}", headers=self.h("admin")).json()
            if body["assessment"] is not None and not body["assessment_pending"]:
                return dict(body)
            if time.monotonic() > deadline:
                raise AssertionError(f"claim {claim_id} not assessed in {timeout}s")
            time.sleep(0.05)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)
