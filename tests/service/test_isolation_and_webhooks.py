"""Tenant isolation on every endpoint, and signed webhook deliveries checked by a local receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from service_helpers import ServiceClient, png_bytes, wait_for


def test_a_tenant_never_sees_another_tenants_claims_files_or_webhooks(service: ServiceClient) -> None:
    client, mine, theirs = service.client, service.h("admin"), service.h("other")
    claim_id = service.create_claim()
    service.upload(claim_id, ("a.png", png_bytes(1)))
    doc_id = service.wait_assessed(claim_id)["documents"][0]["id"]
    hook = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=mine).json()["id"]

    base = f"/v1/claims/{claim_id}"
    for method, url, kwargs in [
        ("GET", base, {}),
        ("GET", f"{base}/timeline", {}),
        ("GET", f"{base}/assessments", {}),
        ("GET", f"{base}/audit", {}),
        ("GET", f"{base}/documents/{doc_id}/content", {}),
        ("GET", f"{base}/documents/{doc_id}/pages/1", {}),
        ("POST", f"{base}/documents", {"files": [("files", ("b.png", png_bytes(2), "image/png"))]}),
        ("POST", f"{base}/decision", {"json": {"outcome": "reject", "reason_codes": ["x"]}}),
        ("DELETE", base, {}),
        ("GET", f"/v1/webhooks/{hook}/deliveries", {}),
        ("DELETE", f"/v1/webhooks/{hook}", {}),
    ]:
        response = client.request(method, url, headers=theirs, **kwargs)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/v1/claims", headers=theirs).json()["items"] == []
    assert client.get("/v1/webhooks", headers=theirs).json()["items"] == []
    # Same Idempotency-Key in another tenant is another request.
    other = client.post("/v1/claims", json={}, headers={**theirs, "Idempotency-Key": "k"}).json()["id"]
    again = client.post("/v1/claims", json={}, headers={**mine, "Idempotency-Key": "k"}).json()["id"]
    assert other != again
    # Nothing changed for the owner.
    claim = client.get(base, headers=mine).json()
    assert claim["revision"] == 1 and claim["decision"] is None
    assert len(client.get("/v1/claims", headers=mine).json()["items"]) == 2


class Receiver:
    """A local HTTP server that checks every delivery's signature; fails the first ``fail_first`` requests."""

    def __init__(self, fail_first: int = 0) -> None:
        self.secret = ""
        self.fail_first = fail_first
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = self.headers["X-Claims-AI-Signature"]
                parts = dict(p.split("=", 1) for p in signature.split(","))
                expected = hmac.new(
                    receiver.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                fresh = abs(time.time() - int(parts["t"])) < 300
                if not (hmac.compare_digest(expected, parts["v1"]) and fresh):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                elif receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(500)
                else:
                    event = json.loads(body)
                    event["_delivery"] = self.headers["X-Claims-AI-Delivery"]
                    receiver.received.append(event)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=1)
    yield r
    r.close()


def test_webhooks_are_signed_retried_and_logged(service: ServiceClient, receiver: Receiver) -> None:
    client, h = service.client, service.h("platform")
    created = client.post("/v1/webhooks", json={"url": receiver.url, "description": "platform"}, headers=h)
    assert created.status_code == 201
    receiver.secret = created.json()["secret"]
    hook_id = created.json()["id"]
    assert "secret" not in client.get("/v1/webhooks", headers=h).json()["items"][0]

    claim_id = service.create_claim()
    service.upload(claim_id, ("broken.png", png_bytes(3)[:60]))  # unreadable: materials missing
    service.wait_assessed(claim_id)
    client.post(
        f"/v1/claims/{claim_id}/decision",
        json={"outcome": "reject", "reason_codes": ["not_covered"]},
        headers=service.h("adjuster"),
    )

    def types() -> list[str]:
        return [e["type"] for e in receiver.received]

    wait_for(lambda: "claim.decided" in types() and "claim.materials_missing" in types(), what="webhook events")
    wait_for(lambda: types().count("claim.status_changed") >= 5, what="status events")
    assert receiver.bad_signatures == 0
    statuses = [e["data"]["status"] for e in receiver.received if e["type"] == "claim.status_changed"]
    assert set(statuses) >= {"received", "checking_materials", "assessing", "awaiting_materials", "decided"}
    missing = next(e for e in receiver.received if e["type"] == "claim.materials_missing")
    assert missing["claim_id"] == claim_id and missing["data"]["unreadable_files"][0]["code"] == "corrupt_file"
    assert all("张三" not in json.dumps(e, ensure_ascii=False) for e in receiver.received)  # no personal data

    log = client.get(f"/v1/webhooks/{hook_id}/deliveries", headers=h).json()["items"]
    assert all(d["status"] == "delivered" for d in log)
    retried = [d for d in log if d["attempts"] == 2]
    assert len(retried) == 1 and retried[0]["last_status_code"] == 204  # the one answered 500 first
    assert len({e["_delivery"] for e in receiver.received}) == len(receiver.received)

    # An endpoint that keeps failing ends "failed" after the configured attempts; ml_engineer may not manage hooks.
    assert client.get("/v1/webhooks", headers=service.h("ml_engineer")).status_code == 403
    bad = client.post("/v1/webhooks", json={"url": "ftp://example"}, headers=h)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    unknown = client.post("/v1/webhooks", json={"url": receiver.url, "events": ["claim.nope"]}, headers=h)
    assert unknown.status_code == 400
    assert client.delete(f"/v1/webhooks/{hook_id}", headers=h).status_code == 204


def test_delivery_gives_up_after_max_attempts(service: ServiceClient) -> None:
    service.settings.service.webhook_max_attempts = 2
    service.settings.service.webhook_backoff_seconds = 0.05
    client, h = service.client, service.h("admin")
    hook = client.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/closed", "events": ["claim.decided"]}, headers=h
    ).json()["id"]
    claim_id = service.create_claim()
    client.post(f"/v1/claims/{claim_id}/decision", json={"outcome": "reject", "reason_codes": ["x"]}, headers=h)

    def state() -> dict[str, Any]:
        items = client.get(f"/v1/webhooks/{hook}/deliveries", headers=h).json()["items"]
        return items[0] if items else {}

    wait_for(lambda: state().get("status") == "failed", what="delivery to fail")
    assert state()["attempts"] == 2 and state()["last_error"]
