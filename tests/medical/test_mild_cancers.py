"""The mild-cancer list: each of the six on both sides of the mild/severe line, and undetermined when the stage
that decides it is missing."""

from __future__ import annotations

import pytest

from claims_ai.medical.rules import Tier

P = "pathology_report"
DS = "discharge_summary"


@pytest.mark.parametrize(
    ("written", "pathology", "age", "tier"),
    [
        ("甲状腺乳头状癌", "甲状腺乳头状癌 8260/3 pT1aN0M0", 30, Tier.MILD),
        ("甲状腺乳头状癌伴颈部淋巴结转移", "乳头状癌 8260/3 pT3bN1bM0", 45, Tier.MILD),  # under 55: stage I
        ("甲状腺乳头状癌", "乳头状癌 8260/3 pT3bN1bM0", 55, Tier.SEVERE),  # 55 and over: stage II
        ("甲状腺乳头状癌", "乳头状癌 8260/3 pT1bN0M0", 58, Tier.MILD),
        ("甲状腺乳头状癌", "乳头状癌 8260/3 pT2N1aM0", 58, Tier.SEVERE),
        ("甲状腺乳头状癌伴肺转移", "乳头状癌 8260/3 pT2N1bM1", 35, Tier.SEVERE),  # under 55 with M1: stage II
        ("甲状腺髓样癌", "髓样癌 8345/3 pT1bN0M0", 40, Tier.MILD),
        ("甲状腺髓样癌", "髓样癌 8345/3 pT2N0M0", 40, Tier.SEVERE),
        ("甲状腺未分化癌", "未分化癌 8020/3 pT1N0M0", 40, Tier.SEVERE),
        ("甲状腺乳头状癌Ⅰ期", "甲状腺乳头状癌 8260/3", 40, Tier.MILD),
        ("甲状腺乳头状癌Ⅱ期", "甲状腺乳头状癌 8260/3", 40, Tier.SEVERE),
        ("甲状腺乳头状癌", "甲状腺乳头状癌 8260/3", 40, Tier.UNDETERMINED),
        ("甲状腺乳头状癌", "乳头状癌 8260/3 pT1aN0M0", None, Tier.MILD),  # stage I at any age
        ("甲状腺乳头状癌", "乳头状癌 8260/3 pT3aN0M0", None, Tier.UNDETERMINED),  # I under 55, II from 55
    ],
)
def test_thyroid(judge, written: str, pathology: str, age: int | None, tier: Tier) -> None:
    result = judge(written, "C73", ((P, pathology),), age=age)
    assert result.tier is tier, result.reason
    if tier is Tier.MILD:
        assert result.rule_id == "CI2020-M01"
        assert any("T" in s.value or "期" in s.value for s in result.evidence)
    if tier is Tier.UNDETERMINED:
        assert result.missing[0].id == "tnm_stage"


@pytest.mark.parametrize(
    ("pathology", "tier"),
    [
        ("前列腺腺癌 8140/3 pT1cN0M0", Tier.MILD),
        ("前列腺腺癌 8140/3 T1aN0M0", Tier.MILD),
        ("前列腺腺癌 8140/3 pT2aN0M0", Tier.SEVERE),
        ("前列腺腺癌 8140/3 pT1cN1M0", Tier.SEVERE),
        ("前列腺腺癌 8140/3 cT1bN0M1b", Tier.SEVERE),
        ("前列腺腺癌 8140/3 pT1cNxM0", Tier.UNDETERMINED),
        ("前列腺腺癌 8140/3", Tier.UNDETERMINED),
    ],
)
def test_prostate(judge, pathology: str, tier: Tier) -> None:
    result = judge("前列腺癌", "C61", ((P, pathology),), age=50)
    assert result.tier is tier, result.reason


@pytest.mark.parametrize(
    ("written", "code", "docs", "tier"),
    [
        ("面部基底细胞癌", "C44.3", ((P, "基底细胞癌 8090/3，切缘阴性，未见淋巴结转移"),), Tier.MILD),
        ("面部基底细胞癌", "C44.3", ((P, "基底细胞癌 8090/3"), (DS, "颈部淋巴结转移")), Tier.SEVERE),
        ("面部基底细胞癌", "C44.3", ((P, "基底细胞癌 8090/3"),), Tier.UNDETERMINED),
        ("背部皮肤恶性黑色素瘤", "C43.5", ((P, "恶性黑色素瘤 8720/3，未见转移"),), Tier.SEVERE),
        ("慢性淋巴细胞白血病", "C91.1", ((P, "骨髓活检：慢性淋巴细胞白血病 9823/3"), (DS, "Binet A期")), Tier.MILD),
        ("慢性淋巴细胞白血病", "C91.1", ((P, "骨髓活检：慢性淋巴细胞白血病 9823/3"), (DS, "Binet C期")), Tier.SEVERE),
        ("慢性淋巴细胞白血病", "C91.1", ((P, "骨髓活检：慢性淋巴细胞白血病 9823/3"),), Tier.UNDETERMINED),
        ("霍奇金淋巴瘤", "C81.9", ((P, "经典型霍奇金淋巴瘤 9650/3"), (DS, "Ann Arbor分期Ⅰ期A")), Tier.MILD),
        ("霍奇金淋巴瘤", "C81.9", ((P, "经典型霍奇金淋巴瘤 9650/3"), (DS, "Ann Arbor分期Ⅲ期B")), Tier.SEVERE),
        ("直肠神经内分泌肿瘤", "C20", ((P, "神经内分泌肿瘤 8240/3 G1，Ki-67 1%，淋巴结(0/6)"),), Tier.MILD),
        ("直肠神经内分泌肿瘤", "C20", ((P, "神经内分泌肿瘤 8249/3 G2，Ki-67 8%"),), Tier.SEVERE),
        ("直肠神经内分泌肿瘤", "C20", ((P, "神经内分泌肿瘤 8240/3 G1"),), Tier.UNDETERMINED),
        ("胰腺神经内分泌癌", "C25.4", ((P, "神经内分泌癌 8246/3"),), Tier.SEVERE),
    ],
)
def test_other_mild_cancers(judge, written: str, code: str, docs, tier: Tier) -> None:
    result = judge(written, code, docs, age=40)
    assert result.tier is tier, result.reason


def test_mild_payout_is_the_same_at_every_age(judge) -> None:
    for age in (5, 39, 40, 59):
        result = judge("甲状腺乳头状癌", "C73", ((P, "乳头状癌 8260/3 pT1aN0M0"),), age=age)
        assert result.payout is not None and result.payout.amount == "50000.00"
