"""One case per definition of the 2020 rules (28 severe, 3 mild): the tier it yields with its evidence, and what
is reported when that evidence is missing."""

from __future__ import annotations

import pytest

from claims_ai.medical.rules import Tier, load_rules

PATHOLOGY = "pathology_report"
CERT = "diagnosis_certificate"
DISCHARGE = "discharge_summary"
LAB = "lab_report"
IMAGING = "imaging_report"

# rule id → (diagnosis as written, code, documents that carry the evidence, expected tier)
CASES = {
    "CI2020-S01": ("右肺上叶腺癌", "C34.1", ((PATHOLOGY, "右肺上叶浸润性腺癌 8140/3"),), Tier.SEVERE),
    "CI2020-S02": ("急性前壁心肌梗死", "I21.0", ((LAB, "肌钙蛋白I 2.5ng/ml，为正常上限25倍"),), Tier.SEVERE),
    "CI2020-S03": (
        "脑梗死后遗症",
        "I69.3",
        ((IMAGING, "头颅MRI示左侧基底节区梗死"), (CERT, "确诊200天后复查，右侧上下肢肌力2级")),
        Tier.SEVERE,
    ),
    "CI2020-S04": ("肾移植术后", "Z94.0", ((DISCHARGE, "于2023-03-01行同种异体肾移植术"),), Tier.SEVERE),
    "CI2020-S05": ("冠状动脉搭桥术后", "", ((DISCHARGE, "体外循环下行冠状动脉旁路移植术（CABG）"),), Tier.SEVERE),
    "CI2020-S06": ("慢性肾脏病5期", "N18.0", ((DISCHARGE, "规律血液透析已6个月"),), Tier.SEVERE),
    "CI2020-S07": ("双下肢截肢", "", ((DISCHARGE, "车祸致双下肢膝上截肢"),), Tier.SEVERE),
    "CI2020-S08": (
        "急性重症肝炎",
        "K72.0",
        ((LAB, "HBsAg阳性"), (DISCHARGE, "重度黄疸，肝性脑病，CT示肝脏体积缩小，肝功能进行性恶化")),
        Tier.SEVERE,
    ),
    "CI2020-S09": (
        "右额叶脑膜瘤",
        "D32.0",
        ((IMAGING, "头颅MRI示右额叶占位"), (DISCHARGE, "行开颅脑膜瘤切除术")),
        Tier.SEVERE,
    ),
    "CI2020-S10": (
        "失代偿期肝硬化",
        "K74.6",
        ((DISCHARGE, "持续性黄疸，大量腹水，肝性脑病，脾功能亢进"),),
        Tier.SEVERE,
    ),
    "CI2020-S11": ("病毒性脑炎后遗症", "", ((CERT, "确诊200天后评估，左上肢肌力1级"),), Tier.SEVERE),
    "CI2020-S12": ("深度昏迷", "R40.2", ((DISCHARGE, "GCS评分4分，持续使用呼吸机120小时"),), Tier.SEVERE),
    "CI2020-S13": ("双耳极重度感音神经性聋", "H90.5", ((LAB, "纯音测听双耳平均听阈95dB"),), Tier.SEVERE),
    "CI2020-S14": ("双目失明", "H54.0", ((CERT, "双眼矫正视力均为0.01"),), Tier.SEVERE),
    "CI2020-S15": ("外伤性截瘫", "G82.2", ((CERT, "外伤200天后双下肢肌力0级"),), Tier.SEVERE),
    "CI2020-S16": ("二尖瓣置换术后", "Z95.2", ((DISCHARGE, "体外循环下行二尖瓣机械瓣置换术"),), Tier.SEVERE),
    "CI2020-S17": ("阿尔茨海默病", "G30.9", ((IMAGING, "头颅MRI示脑萎缩"), (CERT, "CDR评分3分")), Tier.SEVERE),
    "CI2020-S18": (
        "重型颅脑损伤",
        "S06.2",
        ((IMAGING, "头颅CT示脑挫裂伤"), (CERT, "伤后200天，左侧肢体肌力2级")),
        Tier.SEVERE,
    ),
    "CI2020-S19": ("帕金森病", "G20", ((CERT, "六项基本日常生活活动中的四项无法独立完成"),), Tier.SEVERE),
    "CI2020-S20": ("全身多处Ⅲ度烧伤", "T31.3", ((DISCHARGE, "Ⅲ度烧伤面积约30%"),), Tier.SEVERE),
    "CI2020-S21": (
        "特发性肺动脉高压",
        "I27.0",
        ((DISCHARGE, "NYHA心功能IV级，右心导管示肺动脉平均压52mmHg"),),
        Tier.SEVERE,
    ),
    "CI2020-S22": ("肌萎缩侧索硬化", "G12.2", ((CERT, "严重吞咽功能障碍"),), Tier.SEVERE),
    "CI2020-S23": ("语言能力丧失", "R47.0", ((CERT, "积极治疗18个月仍完全失语"),), Tier.SEVERE),
    "CI2020-S24": (
        "重型再生障碍性贫血",
        "D61.9",
        ((LAB, "骨髓增生极度减低；中性粒细胞绝对值0.3×10^9/L"),),
        Tier.SEVERE,
    ),
    "CI2020-S25": (
        "主动脉根部瘤Bentall术后",
        "",
        ((DISCHARGE, "开胸行Bentall手术，升主动脉人工血管置换"),),
        Tier.SEVERE,
    ),
    "CI2020-S26": (
        "慢性呼吸衰竭",
        "J96.1",
        ((CERT, "治疗200天后，静息时呼吸困难，FEV1占预计值25%，PaO2 45mmHg"),),
        Tier.SEVERE,
    ),
    "CI2020-S27": (
        "克罗恩病",
        "K50.9",
        ((PATHOLOGY, "符合克罗恩病，可见非干酪样肉芽肿"), (DISCHARGE, "回肠-结肠瘘形成伴肠梗阻")),
        Tier.SEVERE,
    ),
    "CI2020-S28": (
        "溃疡性结肠炎",
        "K51.9",
        ((PATHOLOGY, "符合溃疡性结肠炎"), (DISCHARGE, "急性暴发性全结肠炎，严重电解质紊乱，行全结肠切除术")),
        Tier.SEVERE,
    ),
    "CI2020-M01": ("甲状腺乳头状癌", "C73", ((PATHOLOGY, "甲状腺乳头状癌 8260/3 pT1bN0M0"),), Tier.MILD),
    "CI2020-M02": (
        "急性心肌梗死",
        "I21.9",
        ((LAB, "肌钙蛋白I升高至正常上限5倍"), (DISCHARGE, "胸痛4小时，心电图ST段抬高")),
        Tier.MILD,
    ),
    "CI2020-M03": (
        "脑梗死",
        "I63.9",
        ((IMAGING, "头颅CT示右侧基底节区梗死"), (CERT, "确诊200天后，左上肢肌力3级")),
        Tier.MILD,
    ),
}


def test_every_definition_has_a_case() -> None:
    assert set(CASES) == {d.id for d in load_rules().definitions}
    assert len(CASES) == 31


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_definition_met(judge, rule_id: str) -> None:
    written, code, docs, tier = CASES[rule_id]
    result = judge(written, code, docs, age=35)
    assert result.tier is tier, result.reason
    assert result.rule_id == rule_id
    assert result.evidence, "a decision shows the evidence it used"
    assert not result.missing
    assert result.payout is not None and result.payout.amount == ("300000.00" if tier is Tier.SEVERE else "50000.00")


@pytest.mark.parametrize("rule_id", sorted(r for r in CASES if r not in {"CI2020-M02", "CI2020-M03"}))
def test_definition_without_evidence_is_undetermined(judge, rule_id: str) -> None:
    written, code, _, _ = CASES[rule_id]
    result = judge(written, code, (), age=35)
    assert result.tier is Tier.UNDETERMINED
    assert result.missing, "an undetermined tier says which evidence is missing"
    assert all(m.doc_types for m in result.missing), "and which document would supply it"
    assert result.payout is None


def test_missing_cancer_pathology_names_the_pathology_report(judge) -> None:
    result = judge("右肺上叶腺癌", "C34.1", ((CERT, "右肺上叶腺癌"),))
    assert result.tier is Tier.UNDETERMINED
    assert [m.id for m in result.missing] == ["malignant_pathology"]
    assert [t.value for t in result.missing[0].doc_types] == ["pathology_report"]


def test_not_a_critical_illness(judge) -> None:
    result = judge("社区获得性肺炎", "J18.9", ((DISCHARGE, "肺部感染"),))
    assert result.tier is Tier.NOT_COVERED
    assert result.rule_id is None
