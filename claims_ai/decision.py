"""Routing: what happens to a claim next — ``auto_approve``, ``request_materials``, ``adjuster_review`` or
``investigate`` — from the materials, severity, checks and fraud results, under a :class:`DecisionPolicy`
(``claims_ai.config``; thresholds are configuration, not code).

In order: a high fraud band (or a fired rule the policy names, such as a re-used invoice) is investigated; missing
materials go back to the member; a claim is paid automatically only when materials are complete, the tier is
determined (and covered, for critical illness), every check passed, the fraud band is low and no fraud rule fired;
everything else goes to an adjuster. Each route carries the reasons that led to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from claims_ai.config import ClaimType, DecisionPolicy
from claims_ai.fraud.types import FraudBand, FraudResult
from claims_ai.materials.checks import CheckResult, CheckStatus
from claims_ai.materials.missing import MaterialsResult
from claims_ai.medical.severity import SeverityResult

__all__ = ["Decision", "Route", "route"]

_BAND_RANK = {FraudBand.LOW: 0, FraudBand.MEDIUM: 1, FraudBand.HIGH: 2}
_MESSAGES = {
    "fraud_band": ("欺诈风险等级为{0}", "fraud risk band is {0}"),
    "fraud_rule": ("触发欺诈规则：{0}", "fraud rule fired: {0}"),
    "materials_missing": ("缺少材料：{0}", "materials missing: {0}"),
    "tier_undetermined": ("无法判定疾病等级", "severity tier could not be determined"),
    "tier_not_covered": ("诊断不在保障范围内，需人工确认", "diagnosis not covered: an adjuster confirms"),
    "check_failed": ("一致性检查未通过：{0}", "consistency check failed: {0}"),
    "all_clear": (
        "材料齐全、等级明确、检查通过、风险低",
        "materials complete, tier determined, checks passed, low risk",
    ),
}


class Route(StrEnum):
    AUTO_APPROVE = "auto_approve"
    REQUEST_MATERIALS = "request_materials"
    ADJUSTER_REVIEW = "adjuster_review"
    INVESTIGATE = "investigate"


@dataclass(frozen=True)
class DecisionReason:
    code: str  # "fraud_rule:invoice_reused", "check_failed:same_patient", "materials_missing:pathology_report"
    message_zh: str
    message_en: str


def _reason(kind: str, detail: str = "") -> DecisionReason:
    zh, en = _MESSAGES[kind]
    return DecisionReason(f"{kind}:{detail}" if detail else kind, zh.format(detail), en.format(detail))


@dataclass(frozen=True)
class Decision:
    route: Route
    reasons: tuple[DecisionReason, ...]

    def to_dict(self) -> dict[str, Any]:
        """The assessment's ``decision`` section: ``route``, ``reasons`` (codes) and their messages."""
        return {
            "route": self.route.value,
            "reasons": [r.code for r in self.reasons],
            "details": [{"code": r.code, "message_zh": r.message_zh, "message_en": r.message_en} for r in self.reasons],
        }


def route(
    materials: MaterialsResult,
    severity: SeverityResult | None,
    checks: Sequence[CheckResult],
    fraud: FraudResult,
    policy: DecisionPolicy | None = None,
) -> Decision:
    policy = policy or DecisionPolicy()
    fired = [r.code for r in fraud.rules_fired()]
    investigate = [_reason("fraud_rule", code) for code in fired if code in policy.investigate_rules]
    if _BAND_RANK[fraud.band] >= _BAND_RANK[FraudBand(policy.investigate_from_band)]:
        investigate.insert(0, _reason("fraud_band", fraud.band.value))
    if investigate:
        return Decision(Route.INVESTIGATE, tuple(investigate))
    if not materials.complete and policy.materials_before_review:
        missing = [_reason("materials_missing", m.doc_type.value) for m in materials.missing]
        return Decision(Route.REQUEST_MATERIALS, tuple(missing))
    blockers = [_reason("materials_missing", m.doc_type.value) for m in materials.missing]
    tier = severity.tier.value if severity is not None else "undetermined"
    if tier == "undetermined":
        blockers.append(_reason("tier_undetermined"))
    elif materials.claim_type in (None, ClaimType.CRITICAL_ILLNESS) and tier not in policy.auto_approve_tiers:
        blockers.append(_reason("tier_not_covered"))
    blockers += [_reason("check_failed", c.id) for c in checks if c.status is CheckStatus.FAILED]
    if fraud.band is not FraudBand.LOW:
        blockers.append(_reason("fraud_band", fraud.band.value))
    blockers += [_reason("fraud_rule", code) for code in fired]
    if blockers:
        return Decision(Route.ADJUSTER_REVIEW, tuple(blockers))
    return Decision(Route.AUTO_APPROVE, (_reason("all_clear"),))
