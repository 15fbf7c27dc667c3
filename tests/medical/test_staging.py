"""Stage parsing (TNM via claims_ai.extract, stage groups, Binet, Ann Arbor, WHO grade) and AJCC 8 thyroid grouping."""

from __future__ import annotations

import pytest

from claims_ai.medical.staging import (
    StageGroup,
    ThyroidHistology,
    parse_ann_arbor,
    parse_binet,
    parse_stage_group,
    parse_tnm,
    parse_who_grade,
    thyroid_histology,
    thyroid_stage,
)

D, MED, ANA = ThyroidHistology.DIFFERENTIATED, ThyroidHistology.MEDULLARY, ThyroidHistology.ANAPLASTIC


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("T1aN0M0", ("", "T1a", "N0", "M0")),
        ("pT1bN0Mx", ("p", "T1b", "N0", "Mx")),
        ("病理分期：pT3a N1b M0", ("p", "T3a", "N1b", "M0")),
        ("cT1cN0M0", ("c", "T1c", "N0", "M0")),
    ],
)
def test_tnm(text: str, parts: tuple[str, str, str, str]) -> None:
    tnm = parse_tnm(text)
    assert tnm is not None
    assert (tnm.prefix, tnm.t, tnm.n, tnm.m) == parts


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("甲状腺乳头状癌Ⅰ期", StageGroup(1)),
        ("I期", StageGroup(1)),
        ("丨期", StageGroup(1)),  # conversion error for Ⅰ
        ("IVA期", StageGroup(4, "A")),
        ("Ⅲb期", StageGroup(3, "B")),
        ("肺癌Ⅱ期", StageGroup(2)),
        ("0期", StageGroup(0)),
        ("2期", StageGroup(2)),
    ],
)
def test_stage_group(text: str, stage: StageGroup) -> None:
    assert parse_stage_group(text) == stage


@pytest.mark.parametrize("text", ["甲状腺乳头状癌", "IgA肾病", "T2加权像", "第I周期化疗"])
def test_no_stage_group(text: str) -> None:
    assert parse_stage_group(text) is None


def test_other_staging_systems() -> None:
    assert parse_binet("慢性淋巴细胞白血病 Binet A期") == "A"
    assert parse_binet("Binet分期：C") == "C"
    assert parse_binet("慢性淋巴细胞白血病") is None
    assert parse_ann_arbor("霍奇金淋巴瘤 Ann Arbor分期Ⅱ期A") == StageGroup(2, "A")
    assert parse_ann_arbor("Ann Arbor IIIB") == StageGroup(3, "B")
    assert parse_who_grade("胰腺神经内分泌肿瘤 G1") == 1
    assert parse_who_grade("NET，WHO分级：2级") == 2
    assert parse_who_grade("神经内分泌肿瘤") is None


def test_histology() -> None:
    assert thyroid_histology("甲状腺乳头状癌") is D
    assert thyroid_histology("甲状腺髓样癌") is MED
    assert thyroid_histology("甲状腺未分化癌") is ANA


def _stage(tnm: str, age: int | None, histology: ThyroidHistology) -> str | None:
    parsed = parse_tnm(tnm)
    assert parsed is not None
    stage = thyroid_stage(parsed, age, histology)
    return stage.text if stage else None


@pytest.mark.parametrize(
    ("tnm", "age", "histology", "stage"),
    [
        # differentiated, under 55: M decides alone
        ("pT3bN1bM0", 54, D, "I"),
        ("pT1aN0M1", 30, D, "II"),
        ("pT4bN1bM0", 20, D, "I"),
        # differentiated, 55 and over
        ("pT1aN0M0", 55, D, "I"),
        ("pT2NxM0", 60, D, "I"),
        ("pT1bN1aM0", 60, D, "II"),
        ("pT3aN0M0", 60, D, "II"),
        ("pT4aN0M0", 60, D, "III"),
        ("pT4bN0M0", 60, D, "IVA"),
        ("pT2N0M1", 60, D, "IVB"),
        # medullary (all ages)
        ("pT1bN0M0", 30, MED, "I"),
        ("pT2N0M0", 30, MED, "II"),
        ("pT2N1aM0", 30, MED, "III"),
        ("pT2N1bM0", 30, MED, "IVA"),
        ("pT4bN0M0", 30, MED, "IVB"),
        ("pT1N0M1", 30, MED, "IVC"),
        # anaplastic (all ages)
        ("pT1N0M0", 30, ANA, "IVA"),
        ("pT3bN0M0", 30, ANA, "IVB"),
        ("pT2N0M1", 30, ANA, "IVC"),
    ],
)
def test_thyroid_ajcc8(tnm: str, age: int, histology: ThyroidHistology, stage: str) -> None:
    assert _stage(tnm, age, histology) == stage


def test_thyroid_needs_age_for_differentiated() -> None:
    assert _stage("pT1aN0M0", None, D) is None
    assert _stage("pT1aN0M0", None, MED) == "I"  # medullary grouping ignores age
