"""The audit log: every decision, every read of personal data, every change, with who, when and request id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims_ai.logs import request_id_var
from claims_ai.service.auth import Principal
from claims_ai.service.models import AuditEntry

__all__ = ["audit_entries", "record"]

SYSTEM = "system"


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    *,
    tenant: str | None = None,
    claim_id: str | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry in the caller's transaction (it is kept only if the action is)."""
    session.add(
        AuditEntry(
            tenant=principal.tenant if principal else (tenant or ""),
            actor=principal.key_id if principal else SYSTEM,
            roles=principal.role_names if principal else [],
            action=action,
            claim_id=claim_id,
            target=target,
            request_id=request_id_var.get(),
            detail=detail or {},
        )
    )


def audit_entries(session: Session, tenant: str, claim_id: str | None = None, limit: int = 500) -> list[dict]:
    query = select(AuditEntry).where(AuditEntry.tenant == tenant)
    if claim_id is not None:
        query = query.where(AuditEntry.claim_id == claim_id)
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))
    return [
        {
            "id": row.id,
            "at": row.at.isoformat(),
            "actor": row.actor,
            "roles": row.roles,
            "action": row.action,
            "claim_id": row.claim_id,
            "target": row.target,
            "request_id": row.request_id,
            "detail": row.detail,
        }
        for row in rows
    ]
