"""Webhooks: per-tenant endpoints, signed deliveries, retries with backoff, a delivery log.

Events are written in the same transaction as the change they announce (one ``webhook_deliveries`` row per
subscribed endpoint), so an event is never announced for a change that was rolled back, nor lost for one that
was kept. ``WebhookDispatcher`` sends due deliveries from a background thread.

Each delivery is ``POST <url>`` with a JSON body and the headers

    X-Claims-AI-Event: claim.status_changed
    X-Claims-AI-Delivery: dlv_…            (the same on every retry of one delivery)
    X-Claims-AI-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

A receiver recomputes the HMAC over the raw body with the secret it got at registration, compares in constant
time and rejects timestamps older than a few minutes (``verify_signature`` does exactly that).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from claims_ai.config import ServiceSettings
from claims_ai.errors import InputError, NotFoundError
from claims_ai.service import metrics
from claims_ai.service.audit import record
from claims_ai.service.auth import Permission, Principal
from claims_ai.service.db import Database
from claims_ai.service.models import DeliveryStatus, Webhook, WebhookDelivery, new_id, utcnow

__all__ = [
    "EventType",
    "WebhookDispatcher",
    "WebhookService",
    "emit",
    "sign",
    "verify_signature",
]

log = logging.getLogger("claims_ai.service.webhooks")

SIGNATURE_HEADER = "X-Claims-AI-Signature"


class EventType(StrEnum):
    STATUS_CHANGED = "claim.status_changed"
    MATERIALS_MISSING = "claim.materials_missing"
    ASSESSED = "claim.assessed"
    DECIDED = "claim.decided"
    DELETED = "claim.deleted"


def emit(session: Session, tenant: str, event_type: EventType, claim_id: str | None, data: dict[str, Any]) -> None:
    """Queue ``event_type`` for every active endpoint of ``tenant`` that subscribed to it."""
    hooks = session.scalars(select(Webhook).where(Webhook.tenant == tenant, Webhook.active.is_(True))).all()
    subscribed = [h for h in hooks if event_type.value in h.events]
    if not subscribed:
        return
    event_id = new_id("evt")
    now = utcnow()
    payload = {
        "id": event_id,
        "type": event_type.value,
        "created_at": now.isoformat(),
        "claim_id": claim_id,
        "data": data,
    }
    for hook in subscribed:
        session.add(
            WebhookDelivery(
                id=new_id("dlv"),
                webhook_id=hook.id,
                tenant=tenant,
                event_id=event_id,
                event_type=event_type.value,
                claim_id=claim_id,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
        )


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``X-Claims-AI-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, tolerance_seconds: int = 300) -> bool:
    """True when ``header`` is a valid signature of ``body`` made less than ``tolerance_seconds`` ago."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance_seconds:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


class WebhookService:
    """Registering, listing and removing endpoints; reading the delivery log. Always within one tenant."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, principal: Principal, url: str, events: list[str], description: str | None) -> dict:
        principal.require(Permission.WEBHOOKS)
        _check_url(url)
        chosen = _check_events(events)
        secret = "whsec_" + secrets.token_urlsafe(32)
        hook = Webhook(
            id=new_id("whk"), tenant=principal.tenant, url=url, secret=secret, events=chosen, description=description
        )
        with self._db.tx() as s:
            s.add(hook)
            record(s, principal, "webhook.register", target=hook.id, detail={"events": chosen})
        return {**_hook_view(hook), "secret": secret}

    def list_hooks(self, principal: Principal) -> list[dict]:
        principal.require(Permission.WEBHOOKS)
        with self._db.tx() as s:
            hooks = s.scalars(
                select(Webhook).where(Webhook.tenant == principal.tenant).order_by(Webhook.created_at)
            ).all()
            return [_hook_view(h) for h in hooks]

    def delete(self, principal: Principal, webhook_id: str) -> None:
        principal.require(Permission.WEBHOOKS)
        with self._db.tx() as s:
            hook = self._get(s, principal, webhook_id)
            s.delete(hook)
            record(s, principal, "webhook.delete", target=webhook_id)

    def deliveries(self, principal: Principal, webhook_id: str, limit: int = 100) -> list[dict]:
        principal.require(Permission.WEBHOOKS)
        with self._db.tx() as s:
            self._get(s, principal, webhook_id)
            rows = s.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.tenant == principal.tenant)
                .order_by(WebhookDelivery.created_at.desc())
                .limit(limit)
            ).all()
            return [_delivery_view(d) for d in rows]

    @staticmethod
    def _get(s: Session, principal: Principal, webhook_id: str) -> Webhook:
        hook = s.get(Webhook, webhook_id)
        if hook is None or hook.tenant != principal.tenant:
            raise NotFoundError(f"There is no webhook {webhook_id}.")
        return hook


class WebhookDispatcher:
    """Sends due deliveries; failed ones are retried with exponential backoff up to ``webhook_max_attempts``."""

    def __init__(self, db: Database, settings: ServiceSettings, client: httpx.Client | None = None) -> None:
        self._db = db
        self._settings = settings
        self._client = client or httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_once()
            except Exception:
                log.exception("webhook dispatch failed; retrying shortly")
                sent = 0
            if sent == 0:
                self._wake.wait(self._settings.webhook_poll_seconds)
                self._wake.clear()

    def run_once(self, limit: int = 20) -> int:
        """Send the deliveries that are due now; returns how many were attempted."""
        batch = self._claim_due(limit)
        for delivery_id, url, secret, payload, attempts in batch:
            status_code, error = self._send(url, secret, delivery_id, payload)
            self._finish(delivery_id, attempts, status_code, error)
        return len(batch)

    def _claim_due(self, limit: int) -> list[tuple[str, str, str, dict[str, Any], int]]:
        now = utcnow()
        # Claimed deliveries are pushed into the future so another dispatcher does not send them meanwhile.
        lease = dt.timedelta(seconds=self._settings.webhook_timeout_seconds + 30)
        with self._db.tx() as s:
            query = (
                select(WebhookDelivery, Webhook)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .where(WebhookDelivery.status == DeliveryStatus.PENDING.value, WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
            if self._db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
            claimed = []
            for delivery, hook in s.execute(query).all():
                delivery.attempts += 1
                delivery.next_attempt_at = now + lease
                claimed.append((delivery.id, hook.url, hook.secret, delivery.payload, delivery.attempts))
            return claimed

    def _send(self, url: str, secret: str, delivery_id: str, payload: dict[str, Any]) -> tuple[int | None, str | None]:
        body = body_bytes(payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "claims-ai-webhooks/1",
            "X-Claims-AI-Event": str(payload.get("type")),
            "X-Claims-AI-Delivery": delivery_id,
            SIGNATURE_HEADER: sign(secret, body),
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}"

    def _finish(self, delivery_id: str, attempts: int, status_code: int | None, error: str | None) -> None:
        now = utcnow()
        with self._db.tx() as s:
            delivery = s.get(WebhookDelivery, delivery_id)
            if delivery is None:  # endpoint deleted meanwhile
                return
            delivery.last_status_code = status_code
            delivery.last_error = error
            if error is None:
                delivery.status = DeliveryStatus.DELIVERED.value
                delivery.delivered_at = now
                outcome = "delivered"
            elif attempts >= self._settings.webhook_max_attempts:
                delivery.status = DeliveryStatus.FAILED.value
                outcome = "failed"
            else:
                delivery.next_attempt_at = now + dt.timedelta(seconds=self.backoff(attempts))
                outcome = "retry"
        metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
        if outcome != "delivered":
            log.warning("webhook delivery %s attempt %d: %s (%s)", delivery_id, attempts, error, outcome)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failed ones: exponential, capped, ±20% jitter."""
        base = self._settings.webhook_backoff_seconds * (2 ** (attempts - 1))
        return min(base, self._settings.webhook_max_backoff_seconds) * random.uniform(0.8, 1.2)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise InputError("The webhook url must be an absolute http:// or https:// URL.")


def _check_events(events: list[str]) -> list[str]:
    known = {e.value for e in EventType}
    if not events:
        return sorted(known)
    unknown = [e for e in events if e not in known]
    if unknown:
        raise InputError(f"Unknown event types {unknown}; choose from {sorted(known)}.")
    return sorted(set(events))


def _hook_view(hook: Webhook) -> dict:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "description": hook.description,
        "active": hook.active,
        "created_at": hook.created_at.isoformat(),
    }


def _delivery_view(d: WebhookDelivery) -> dict:
    return {
        "id": d.id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "claim_id": d.claim_id,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": d.created_at.isoformat(),
        "next_attempt_at": d.next_attempt_at.isoformat() if d.status == DeliveryStatus.PENDING.value else None,
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
    }
