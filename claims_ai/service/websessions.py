"""Sessions of the adjuster web workbench.

An adjuster signs in with their API key once; the key is checked (argon2) and forgotten, and the browser gets a
random session token in an httpOnly, SameSite=Strict cookie. The database keeps only the token's sha256, the key
it stands for and a CSRF token for the session's forms. Every request re-reads the key's tenant and roles, so a
revoked key ends its sessions at once. Sessions end after ``IDLE`` without use, ``LIFETIME`` after sign-in, or
at sign-out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from claims_ai.service.auth import Principal, Role
from claims_ai.service.db import Database
from claims_ai.service.models import ApiKey, WebSession, utcnow

__all__ = ["IDLE", "LIFETIME", "ActiveSession", "WebSessions"]

LIFETIME = dt.timedelta(hours=12)
IDLE = dt.timedelta(hours=2)
_TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class ActiveSession:
    principal: Principal
    csrf_token: str
    key_name: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebSessions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, principal: Principal) -> str:
        """A new session for the signed-in key; returns the cookie token (shown once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self._db.tx() as s:
            s.execute(delete(WebSession).where(WebSession.expires_at < now))  # tidy up expired ones
            s.add(
                WebSession(
                    id=_digest(token),
                    key_id=principal.key_id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + LIFETIME,
                )
            )
        return token

    def resolve(self, token: str | None) -> ActiveSession | None:
        """The session of a cookie token, or None when unknown, expired, idle too long or its key revoked."""
        if not token or len(token) > 200:
            return None
        now = utcnow()
        with self._db.tx() as s:
            row = s.execute(
                select(WebSession, ApiKey)
                .join(ApiKey, ApiKey.id == WebSession.key_id)
                .where(WebSession.id == _digest(token))
            ).first()
            if row is None:
                return None
            session, key = row
            if key.revoked_at is not None or session.expires_at <= now or session.last_seen_at + IDLE <= now:
                s.delete(session)
                return None
            if now - session.last_seen_at >= _TOUCH_EVERY:
                session.last_seen_at = now
            principal = Principal(key.id, key.tenant, frozenset(Role(r) for r in key.roles))
            return ActiveSession(principal, session.csrf_token, key.name)

    def end(self, token: str | None) -> None:
        if not token:
            return
        with self._db.tx() as s:
            s.execute(delete(WebSession).where(WebSession.id == _digest(token)))
