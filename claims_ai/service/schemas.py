"""Request bodies of the claims API, validated by pydantic (the API uses them as its wire schemas)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from claims_ai.config import ClaimantRelationship, ClaimType
from claims_ai.service.models import ClaimStatus, DecisionOutcome

__all__ = ["ClaimCreate", "ClaimFilters", "DecisionCreate", "Member", "WebhookCreate"]


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ref: str | None = Field(default=None, max_length=100, description="The platform's own member id")
    name: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=40, pattern=r"^[0-9A-Za-z]{6,40}$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+\- ]{5,40}$")
    bank_card: str | None = Field(default=None, max_length=40, pattern=r"^[0-9 \-]{8,40}$")


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_ref: str | None = Field(default=None, max_length=200, description="The caller's own claim number")
    claim_type: ClaimType | None = None
    member: Member = Member()
    member_age: int | None = Field(default=None, ge=0, le=130)
    plan: str | None = Field(default=None, max_length=100)
    policy_start_date: dt.date | None = None
    waiting_period_days: int | None = Field(default=None, ge=0, le=3650)
    claimant: ClaimantRelationship | None = Field(
        default=None, description="Who files the claim; a relative must send proof of the relationship"
    )


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: DecisionOutcome
    reason_codes: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(
        min_length=1, max_length=20
    )
    comment: str | None = Field(default=None, max_length=4000)
    assessment_id: str | None = Field(
        default=None, max_length=40, description="The assessment the adjuster looked at; 409 if no longer current"
    )


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, description="Event types; empty means all")
    description: str | None = Field(default=None, max_length=200)


class FraudBand(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ClaimFilters(BaseModel):
    status: list[ClaimStatus] = Field(default_factory=list)
    route: list[str] = Field(default_factory=list)
    fraud_band: list[str] = Field(default_factory=list)
    claim_type: list[ClaimType] = Field(default_factory=list)
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    min_age_hours: float | None = Field(default=None, ge=0)
    max_age_hours: float | None = Field(default=None, ge=0)
