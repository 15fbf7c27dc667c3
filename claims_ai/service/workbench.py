"""The adjusters' review queue: open claims of the caller's tenant with their due time and risk.

A claim is due a fixed time after it entered its current state (``SLA``: an adjuster has a day for a claim in
review, the member a week to send what is missing …). The queue sorts by due time (overdue first), then by risk
(fraud score); or by risk first. Lists never carry personal data unmasked (like ``GET /v1/claims``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select

from claims_ai.service.auth import Permission, Principal
from claims_ai.service.claims import STATUS_LABELS
from claims_ai.service.db import Database
from claims_ai.service.masking import mask_name
from claims_ai.service.models import Claim, ClaimStatus, Document, TimelineEvent, utcnow

__all__ = ["OPEN_STATUSES", "SLA", "QueueFilters", "review_queue"]

SLA: dict[ClaimStatus, dt.timedelta] = {
    ClaimStatus.RECEIVED: dt.timedelta(hours=24),
    ClaimStatus.CHECKING_MATERIALS: dt.timedelta(hours=1),
    ClaimStatus.ASSESSING: dt.timedelta(hours=1),
    ClaimStatus.AWAITING_MATERIALS: dt.timedelta(days=7),
    ClaimStatus.IN_REVIEW: dt.timedelta(hours=24),
    ClaimStatus.UNDER_INVESTIGATION: dt.timedelta(days=10),
}
OPEN_STATUSES = tuple(s for s in ClaimStatus if s != ClaimStatus.DECIDED)
_BAND_RANK = {"high": 3, "medium": 2, "low": 1}
_SCAN_LIMIT = 2000  # claims read per queue view; the sort by due time happens on these


@dataclass(frozen=True)
class QueueFilters:
    status: list[ClaimStatus] = field(default_factory=lambda: list(OPEN_STATUSES))
    route: list[str] = field(default_factory=list)
    fraud_band: list[str] = field(default_factory=list)
    claim_type: list[str] = field(default_factory=list)
    tier: list[str] = field(default_factory=list)
    sort: Literal["due", "risk", "newest"] = "due"


def review_queue(db: Database, principal: Principal, filters: QueueFilters, limit: int = 200) -> dict[str, Any]:
    principal.require(Permission.CLAIMS_READ)
    query = select(Claim).where(Claim.tenant == principal.tenant)
    if filters.status:
        query = query.where(Claim.status.in_([s.value for s in filters.status]))
    if filters.route:
        query = query.where(Claim.route.in_(filters.route))
    if filters.fraud_band:
        query = query.where(Claim.fraud_band.in_(filters.fraud_band))
    if filters.claim_type:
        query = query.where(Claim.claim_type.in_(filters.claim_type))
    if filters.tier:
        query = query.where(Claim.severity_tier.in_(filters.tier))
    query = query.order_by(Claim.updated_at).limit(_SCAN_LIMIT)
    now = utcnow()
    with db.tx() as s:
        claims = list(s.scalars(query))
        ids = [c.id for c in claims]
        entered: dict[tuple[str, str], dt.datetime] = {}
        documents: dict[str, int] = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            rows = s.execute(
                select(TimelineEvent.claim_id, TimelineEvent.status, func.max(TimelineEvent.at))
                .where(TimelineEvent.claim_id.in_(chunk))
                .group_by(TimelineEvent.claim_id, TimelineEvent.status)
            ).all()
            entered.update({(cid, status): at for cid, status, at in rows})
            counts = s.execute(
                select(Document.claim_id, func.count()).where(Document.claim_id.in_(chunk)).group_by(Document.claim_id)
            ).all()
            documents.update({cid: int(n) for cid, n in counts})
    items: list[dict[str, Any]] = []
    for c in claims:
        status = ClaimStatus(c.status)
        since = entered.get((c.id, c.status), c.updated_at)
        due = since + SLA[status] if status in SLA else None
        zh, en = STATUS_LABELS[status]
        items.append(
            {
                "id": c.id,
                "external_ref": c.external_ref,
                "status": c.status,
                "label": {"zh": zh, "en": en},
                "claim_type": c.claim_type,
                "member_name": mask_name(c.member_name),
                "member_age": c.member_age,
                "route": c.route,
                "fraud_band": c.fraud_band,
                "fraud_score": c.fraud_score,
                "severity_tier": c.severity_tier,
                "documents": documents.get(c.id, 0),
                "assessment_pending": c.assessed_revision < c.revision,
                "status_since": since,
                "due_at": due,
                "overdue": due is not None and due < now,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
            }
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def risk(item: dict[str, Any]) -> tuple[int, float]:
        return (_BAND_RANK.get(item["fraud_band"] or "", 0), item["fraud_score"] or 0.0)

    if filters.sort == "risk":
        items.sort(key=lambda i: (-risk(i)[0], -risk(i)[1], i["due_at"] or far))
    elif filters.sort == "newest":
        items.sort(key=lambda i: i["created_at"].timestamp(), reverse=True)
    else:
        items.sort(key=lambda i: (i["due_at"] or far, -risk(i)[0], -risk(i)[1]))
    return {"items": items[:limit], "total": len(items), "now": now}
