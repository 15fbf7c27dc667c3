"""Routing rules, one row per situation: what the route is and which reasons it gives."""

from __future__ import annotations

import pytest

from claims_ai.config import ClaimType, DecisionPolicy
from claims_ai.decision import Route, route
from claims_ai.fraud.types import FraudBand, FraudReason, FraudResult, ReasonKind
from claims_ai.materials.checks import CheckResult, CheckStatus
from claims_ai.materials.missing import MaterialsResult, MissingMaterial, MissingReason
from claims_ai.medical.evidence import DocType
from claims_ai.medical.rules import Tier
from claims_ai.medical.severity import SeverityResult


def _materials(*missing: DocType, claim_type: ClaimType = ClaimType.CRITICAL_ILLNESS) -> MaterialsResult:
    items = tuple(MissingMaterial(d.value, d, MissingReason.ABSENT, "缺", "missing", "claim_type") for d in missing)
    return MaterialsResult(claim_type, (), (), items, (), "v1")


def _severity(tier: Tier) -> SeverityResult:
    return SeverityResult(tier, None, None, "", (), (), None, (), "v1", None)


def _checks(*failed: str) -> tuple[CheckResult, ...]:
    ids = ("same_patient", "same_hospital", "date_order", "invoice_items_sum")
    passed = [CheckResult(i, CheckStatus.FAILED if i in failed else CheckStatus.PASSED, "", "") for i in ids]
    return (*passed, CheckResult("invoice_vs_itemized", CheckStatus.NOT_APPLICABLE, "", ""))


def _fraud(band: FraudBand, *rules: str) -> FraudResult:
    reasons = tuple(FraudReason(code, ReasonKind.RULE, 0.2, "", "") for code in rules)
    score = {FraudBand.LOW: 0.05, FraudBand.MEDIUM: 0.3, FraudBand.HIGH: 0.9}[band]
    return FraudResult(score, band, reasons, "test")


CASES = [
    # (materials, tier, failed checks, band, fired rules) -> route, reasons
    ((), Tier.SEVERE, (), FraudBand.LOW, (), Route.AUTO_APPROVE, ["all_clear"]),
    ((), Tier.MILD, (), FraudBand.LOW, (), Route.AUTO_APPROVE, ["all_clear"]),
    (
        (DocType.PATHOLOGY_REPORT,),
        Tier.SEVERE,
        (),
        FraudBand.LOW,
        (),
        Route.REQUEST_MATERIALS,
        ["materials_missing:pathology_report"],
    ),
    ((), Tier.UNDETERMINED, (), FraudBand.LOW, (), Route.ADJUSTER_REVIEW, ["tier_undetermined"]),
    ((), Tier.NOT_COVERED, (), FraudBand.LOW, (), Route.ADJUSTER_REVIEW, ["tier_not_covered"]),
    ((), Tier.SEVERE, ("same_patient",), FraudBand.LOW, (), Route.ADJUSTER_REVIEW, ["check_failed:same_patient"]),
    ((), Tier.SEVERE, (), FraudBand.MEDIUM, (), Route.ADJUSTER_REVIEW, ["fraud_band:medium"]),
    ((), Tier.SEVERE, (), FraudBand.LOW, ("inflated_amount",), Route.ADJUSTER_REVIEW, ["fraud_rule:inflated_amount"]),
    ((), Tier.SEVERE, (), FraudBand.HIGH, (), Route.INVESTIGATE, ["fraud_band:high"]),
    ((), Tier.SEVERE, (), FraudBand.LOW, ("invoice_reused",), Route.INVESTIGATE, ["fraud_rule:invoice_reused"]),
    (
        (DocType.ID_CARD,),
        Tier.SEVERE,
        (),
        FraudBand.HIGH,
        ("image_reused",),
        Route.INVESTIGATE,
        ["fraud_band:high", "fraud_rule:image_reused"],
    ),
]


@pytest.mark.parametrize(("missing", "tier", "failed", "band", "rules", "expected", "reasons"), CASES)
def test_routing_table(missing, tier, failed, band, rules, expected, reasons) -> None:  # type: ignore[no-untyped-def]
    decision = route(_materials(*missing), _severity(tier), _checks(*failed), _fraud(band, *rules))
    assert decision.route is expected
    assert [r.code for r in decision.reasons] == reasons
    body = decision.to_dict()
    assert body["route"] == expected.value and body["reasons"] == reasons
    assert all(d["message_zh"] and d["message_en"] for d in body["details"])


def test_inpatient_claims_need_a_determined_tier_but_not_a_covered_one() -> None:
    inpatient = _materials(claim_type=ClaimType.INPATIENT)
    assert route(inpatient, _severity(Tier.NOT_COVERED), _checks(), _fraud(FraudBand.LOW)).route is Route.AUTO_APPROVE
    assert route(inpatient, None, _checks(), _fraud(FraudBand.LOW)).route is Route.ADJUSTER_REVIEW


def test_the_policy_is_configuration() -> None:
    strict = DecisionPolicy(investigate_from_band="medium", investigate_rules=())
    assert route(_materials(), _severity(Tier.SEVERE), _checks(), _fraud(FraudBand.MEDIUM), strict).route is (
        Route.INVESTIGATE
    )
    lenient = DecisionPolicy(investigate_rules=())
    reused = _fraud(FraudBand.LOW, "invoice_reused")
    assert route(_materials(), _severity(Tier.SEVERE), _checks(), reused, lenient).route is Route.ADJUSTER_REVIEW
    with pytest.raises(ValueError):
        DecisionPolicy(investigate_from_band="low")
