"""Plans as data: age-banded payouts of the default plan, plan resolution, validation on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims_ai.errors import ConfigError
from claims_ai.medical.rules import Tier, load_plans, load_rules
from claims_ai.medical.severity import SeverityAssessor

PATHOLOGY = (("pathology_report", "浸润性腺癌 8140/3"),)


@pytest.mark.parametrize(
    ("age", "amount", "band"),
    [(0, "300000.00", "0-39"), (39, "300000.00", "0-39"), (40, "100000.00", "40-59"), (59, "100000.00", "40-59")],
)
def test_severe_payout_by_age(judge, age: int, amount: str, band: str) -> None:
    result = judge("右肺腺癌", "C34.9", PATHOLOGY, age=age)
    assert result.tier is Tier.SEVERE
    assert result.payout is not None
    assert (result.payout.amount, result.payout.age_band, result.payout.plan_id) == (amount, band, "mutual_aid_ci")


def test_no_payout_outside_the_bands_or_without_age(judge) -> None:
    over = judge("右肺腺癌", "C34.9", PATHOLOGY, age=60).payout
    assert over is not None and over.amount is None and "outside" in (over.reason or "")
    unknown = judge("右肺腺癌", "C34.9", PATHOLOGY, age=None).payout
    assert unknown is not None and unknown.amount is None and unknown.reason == "member age unknown"


def test_plan_by_alias_and_unknown_plan(judge) -> None:
    assert judge("右肺腺癌", "C34.9", PATHOLOGY, age=30, plan="互助计划-重疾").payout.amount == "300000.00"
    unknown = judge("右肺腺癌", "C34.9", PATHOLOGY, plan="no-such-plan").payout
    assert unknown.amount is None and "unknown plan" in unknown.reason


def test_a_second_plan_from_data(tmp_path: Path, evidence_of) -> None:
    path = tmp_path / "plans.yaml"
    path.write_text(
        """version: "t"
default_plan: gold
plans:
  - id: gold
    name_zh: 金
    name_en: Gold
    rules_version: "2020.1"
    payouts:
      severe: [{min_age: 0, max_age: 70, amount: 500000}]
      mild: [{min_age: 0, max_age: 70, amount: 150000}]
""",
        encoding="utf-8",
    )
    assessor = SeverityAssessor(load_rules(), load_plans(path))
    from claims_ai.medical.severity import DiagnosisInput

    result = assessor.assess([DiagnosisInput("右肺腺癌", "C34.9")], evidence_of(PATHOLOGY, age=65))
    assert result.payout.amount == "500000.00" and result.plan_id == "gold"


@pytest.mark.parametrize(
    "bad",
    [
        "severe: [{min_age: 0, max_age: 40, amount: 1}, {min_age: 40, max_age: 59, amount: 2}]",  # overlap
        "severe: [{min_age: 50, max_age: 40, amount: 1}]",  # empty band
        "moderate: [{min_age: 0, max_age: 40, amount: 1}]",  # unknown tier
    ],
)
def test_invalid_plans_fail_on_load(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "plans.yaml"
    path.write_text(
        f'version: "t"\ndefault_plan: p\nplans:\n  - id: p\n    name_zh: p\n    name_en: p\n'
        f'    rules_version: "2020.1"\n    payouts:\n      {bad}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError):
        load_plans(path)


def test_rules_are_validated_on_load(tmp_path: Path) -> None:
    good = (Path(__file__).parents[2] / "claims_ai/medical/data/severity_rules.yaml").read_text(encoding="utf-8")
    assert load_rules().version == "2020.1"
    for broken in (
        good.replace('"室壁瘤"', '"室壁瘤("'),  # bad regular expression
        good.replace('icd10: ["I27.0"]', 'icd10: ["I27.0.1"]'),  # bad code range
        good.replace("mild_counterpart: CI2020-M03", "mild_counterpart: CI2020-M09"),  # dangling reference
        good.replace("id: CI2020-S28", "id: CI2020-S27"),  # duplicate id
    ):
        assert broken != good
        path = tmp_path / "rules.yaml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ConfigError):
            load_rules(path)
