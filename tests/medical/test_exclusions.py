"""Each exclusion of the 2020 rules, the tier it yields and the exclusion id reported; qualifiers of the diagnosis."""

from __future__ import annotations

import pytest

from claims_ai.medical.rules import Tier, load_rules
from claims_ai.medical.severity import DiagnosisInput
from claims_ai.medical.text import DiagnosisStatus

PATHOLOGY = "pathology_report"
DISCHARGE = "discharge_summary"

# (rule id, exclusion id) → (diagnosis as written, code, documents, age)
EXCLUSIONS = {
    ("CI2020-S01", "in_situ"): ("宫颈原位癌", "D06.9", ((PATHOLOGY, "宫颈高级别上皮内瘤变（CIN3） 8077/2"),), 40),
    ("CI2020-S01", "borderline"): ("卵巢交界性浆液性肿瘤", "D39.1", ((PATHOLOGY, "交界性浆液性肿瘤 8442/1"),), 40),
    ("CI2020-S01", "benign"): ("甲状腺腺瘤", "D34", ((PATHOLOGY, "滤泡性腺瘤 8330/0"),), 40),
    ("CI2020-S02", "non_coronary_troponin"): (
        "急性心肌梗死",
        "I21.9",
        ((DISCHARGE, "病毒性心肌炎致肌钙蛋白升高"),),
        40,
    ),
    ("CI2020-S04", "not_listed_organ"): ("角膜移植术后", "Z94.7", (), 40),
    ("CI2020-S05", "interventional_only"): ("冠状动脉支架植入术后", "Z95.5", (), 40),
    ("CI2020-S09", "pituitary_tumour"): ("垂体腺瘤", "D35.2", (), 40),
    ("CI2020-S09", "brain_cyst"): ("脑蛛网膜囊肿", "G93.0", (), 40),
    ("CI2020-S09", "intracranial_vascular"): ("脑动脉瘤", "I67.1", (), 40),
    ("CI2020-S10", "alcohol_or_drug_abuse"): ("酒精性肝硬化失代偿期", "K70.3", (), 40),
    ("CI2020-S12", "alcohol_or_drug_abuse"): ("急性酒精中毒 深度昏迷", "R40.2", (), 40),
    ("CI2020-S13", "under_age_3"): ("双耳全聋", "H90.5", (), 2),
    ("CI2020-S14", "under_age_3"): ("双目失明", "H54.0", (), 2),
    ("CI2020-S16", "interventional_only"): ("经导管主动脉瓣置换术（TAVI）后", "Z95.2", (), 40),
    ("CI2020-S17", "other_dementia"): ("血管性痴呆", "F01.9", (), 40),
    ("CI2020-S19", "secondary_or_plus"): ("继发性帕金森综合征", "G21.9", (), 40),
    ("CI2020-S23", "psychological_cause"): ("癔症性失语", "F44.4", (), 40),
    ("CI2020-S23", "under_age_3"): ("语言能力丧失", "R47.0", (), 2),
    ("CI2020-S24", "non_severe"): ("非重型再生障碍性贫血", "D61.9", (), 40),
    ("CI2020-S25", "endovascular_only"): ("胸主动脉腔内隔绝术（TEVAR）后", "", (), 40),
    ("CI2020-S25", "aortic_branches"): ("主动脉弓上分支（左锁骨下动脉）人工血管手术", "", (), 40),
    ("CI2020-M02", "non_coronary_troponin"): (
        "急性心肌梗死",
        "I21.9",
        ((DISCHARGE, "应激性心肌病，肌钙蛋白升高"),),
        40,
    ),
}


def test_every_exclusion_has_a_case() -> None:
    declared = {(d.id, e.id) for d in load_rules().definitions for e in d.exclusions}
    assert declared == set(EXCLUSIONS)


@pytest.mark.parametrize("key", sorted(EXCLUSIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_exclusion(judge, assessor, key: tuple[str, str]) -> None:
    rule_id, exclusion_id = key
    written, code, docs, age = EXCLUSIONS[key]
    if rule_id == "CI2020-M02":  # the mild definition shares the exclusion; check it directly
        definition = assessor.rules.get(rule_id)
        assert exclusion_id in {e.id for e in definition.exclusions}
        rule_id = "CI2020-S02"
    result = judge(written, code, docs, age=age)
    assert result.tier is Tier.NOT_COVERED, result.reason
    assert result.rule_id == rule_id
    assert result.diagnoses[0].exclusion_id == exclusion_id
    assert result.payout is None


def test_exclusion_does_not_fire_on_the_covered_case(judge) -> None:
    # a bypass operation mentioning an earlier stent is still a bypass
    result = judge("冠状动脉搭桥术后", "", (("discharge_summary", "既往支架植入，本次体外循环下行冠状动脉旁路移植术"),))
    assert result.tier is Tier.SEVERE


@pytest.mark.parametrize(
    ("status", "tier"),
    [
        (DiagnosisStatus.NEGATED, Tier.NOT_COVERED),
        (DiagnosisStatus.HISTORY, Tier.NOT_COVERED),
        (DiagnosisStatus.UNCERTAIN, Tier.UNDETERMINED),
        (DiagnosisStatus.CURRENT, Tier.SEVERE),
    ],
)
def test_diagnosis_qualifiers(judge, status: DiagnosisStatus, tier: Tier) -> None:
    result = judge("右肺上叶腺癌", "C34.1", ((PATHOLOGY, "浸润性腺癌 8140/3"),), status=status)
    assert result.tier is tier
    if tier is Tier.UNDETERMINED:
        assert result.missing[0].id == "confirmed_diagnosis"


def test_claim_tier_takes_the_most_severe_diagnosis(assessor, evidence_of) -> None:
    evidence = evidence_of(((PATHOLOGY, "甲状腺乳头状癌 pT1aN0M0；左肺腺癌 8140/3"),), age=30)
    diagnoses = [
        DiagnosisInput("高血压病"),
        DiagnosisInput("甲状腺乳头状癌", "C73"),
        DiagnosisInput("左肺腺癌", "C34.3"),
    ]
    result = assessor.assess(diagnoses, evidence)
    assert [d.tier for d in result.diagnoses] == [Tier.NOT_COVERED, Tier.MILD, Tier.SEVERE]
    assert result.tier is Tier.SEVERE
    assert result.payout is not None and result.payout.amount == "300000.00"
