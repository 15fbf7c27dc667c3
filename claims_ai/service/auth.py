"""API keys, roles and what each role may do.

A key looks like ``cai_<key id>_<secret>``. The database keeps the key id, the tenant, the roles and an argon2id
hash of the whole key, never the key. A key is checked once with argon2 and then remembered in memory (by its
sha256) for ``key_cache_seconds``, so a burst of requests costs one argon2 run, not one each.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from claims_ai.errors import AuthError, ForbiddenError, InputError
from claims_ai.service.db import Database
from claims_ai.service.models import ApiKey, utcnow

__all__ = ["ApiKeyManager", "CreatedKey", "Permission", "Principal", "Role"]


class Role(StrEnum):
    PLATFORM = "platform"  # the mutual-aid platform's systems: submit claims and documents, follow status
    ADJUSTER = "adjuster"  # claims staff: read everything of their tenant, decide
    ADMIN = "admin"  # tenant administrator: everything, including webhooks and deletion
    ML_ENGINEER = "ml_engineer"  # reads assessments to improve models; personal data always masked


class Permission(StrEnum):
    CLAIMS_WRITE = "claims:write"  # create claims, upload documents
    CLAIMS_READ = "claims:read"
    CLAIMS_DELETE = "claims:delete"
    PERSONAL_DATA = "personal_data:read"  # see names, ID numbers, phones, cards and page images unmasked
    DECIDE = "decisions:write"
    AUDIT_READ = "audit:read"
    WEBHOOKS = "webhooks:manage"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM: frozenset(
        {Permission.CLAIMS_WRITE, Permission.CLAIMS_READ, Permission.CLAIMS_DELETE, Permission.WEBHOOKS}
    ),
    Role.ADJUSTER: frozenset(
        {
            Permission.CLAIMS_WRITE,
            Permission.CLAIMS_READ,
            Permission.PERSONAL_DATA,
            Permission.DECIDE,
            Permission.AUDIT_READ,
        }
    ),
    Role.ADMIN: frozenset(Permission),
    Role.ML_ENGINEER: frozenset({Permission.CLAIMS_READ}),
}

_TENANT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key id, its tenant and roles."""

    key_id: str
    tenant: str
    roles: frozenset[Role]

    def can(self, permission: Permission) -> bool:
        return any(permission in _GRANTS[role] for role in self.roles)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            roles = ", ".join(sorted(self.roles))
            raise ForbiddenError(f"This key ({roles}) may not do this: it needs the {permission.value} right.")

    @property
    def role_names(self) -> list[str]:
        return sorted(r.value for r in self.roles)


@dataclass(frozen=True)
class CreatedKey:
    key: str  # shown once
    key_id: str
    tenant: str
    roles: tuple[str, ...]


class ApiKeyManager:
    def __init__(self, db: Database, cache_seconds: float = 60.0, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()  # one argon2 run at a time: each takes 64 MiB

    def create(self, tenant: str, roles: Iterable[str], name: str | None = None) -> CreatedKey:
        tenant = tenant.strip()
        if not tenant or len(tenant) > 100 or not set(tenant) <= _TENANT_CHARS:
            raise InputError("The tenant must be 1-100 letters, digits, '-', '_' or '.'.")
        parsed = _parse_roles(roles)
        key_id = "key_" + secrets.token_hex(8)
        key = f"cai_{key_id}_{secrets.token_urlsafe(32)}"
        with self._db.tx() as s:
            s.add(
                ApiKey(
                    id=key_id,
                    tenant=tenant,
                    roles=sorted(r.value for r in parsed),
                    name=name,
                    secret_hash=self._hasher.hash(key),
                )
            )
        return CreatedKey(key, key_id, tenant, tuple(sorted(r.value for r in parsed)))

    def revoke(self, key_id: str) -> bool:
        with self._db.tx() as s:
            row = s.get(ApiKey, key_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = utcnow()
        with self._lock:
            self._cache.clear()
        return True

    def list(self, tenant: str | None = None) -> list[ApiKey]:
        with self._db.tx() as s:
            query = select(ApiKey).order_by(ApiKey.created_at)
            if tenant:
                query = query.where(ApiKey.tenant == tenant)
            return list(s.scalars(query))

    def authenticate(self, authorization: str | None) -> Principal:
        """The caller of ``Authorization: Bearer <key>``; ``AuthError`` when missing, unknown or revoked."""
        if not authorization:
            raise AuthError("Send your API key as `Authorization: Bearer <key>`.")
        scheme, _, key = authorization.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise AuthError("Send your API key as `Authorization: Bearer <key>`.")
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        cached = self._cached(fingerprint)
        if cached is not None:
            return cached
        parts = key.split("_")
        if len(parts) < 4 or parts[0] != "cai" or parts[1] != "key":
            raise AuthError("This API key is not valid.")
        key_id = f"key_{parts[2]}"
        with self._lock:
            cached = self._cached(fingerprint)
            if cached is not None:
                return cached
            with self._db.tx() as s:
                row = s.get(ApiKey, key_id)
                if row is None or row.revoked_at is not None:
                    raise AuthError("This API key is not valid or was revoked.")
                secret_hash, tenant, roles = row.secret_hash, row.tenant, row.roles
            try:
                self._hasher.verify(secret_hash, key)
            except (VerificationError, InvalidHashError) as exc:
                raise AuthError("This API key is not valid or was revoked.") from exc
            principal = Principal(key_id, tenant, frozenset(Role(r) for r in roles))
            if self._cache_seconds > 0:
                self._cache[fingerprint] = (time.monotonic() + self._cache_seconds, principal)
            return principal

    def _cached(self, fingerprint: str) -> Principal | None:
        hit = self._cache.get(fingerprint)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return None


def _parse_roles(roles: Iterable[str]) -> frozenset[Role]:
    parsed = set()
    for role in roles:
        try:
            parsed.add(Role(role.strip().lower()))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InputError(f"Unknown role {role!r}; roles are {known}.") from None
    if not parsed:
        raise InputError("Give the key at least one role: " + ", ".join(r.value for r in Role) + ".")
    return frozenset(parsed)
