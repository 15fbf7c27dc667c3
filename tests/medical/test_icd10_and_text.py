"""ICD-10 tables shipped with the package, code handling, and diagnosis text qualifiers."""

from __future__ import annotations

import pytest

from claims_ai.medical.icd10 import Edition, Icd10Tables, category_of, code_in_range, split_code
from claims_ai.medical.text import (
    DiagnosisStatus,
    Laterality,
    clean_text,
    expand_abbreviations,
    segment_diagnoses,
)


@pytest.fixture(scope="module")
def tables() -> Icd10Tables:
    return Icd10Tables()


def test_tables_load(tables: Icd10Tables) -> None:
    assert len(tables.entries(Edition.V601)) > 40_000
    assert len(tables.entries(Edition.YIBAO)) > 37_000
    assert tables.lookup("C73.x00", Edition.YIBAO).name == "甲状腺恶性肿瘤"
    assert tables.category_name("C73.x00") == "甲状腺恶性肿瘤"
    assert tables.chapter("C73.x00") == "肿瘤"
    assert tables.block("I21.9") is not None


def test_licence_ships_with_the_3char_table(tables: Icd10Tables) -> None:
    assert (tables.directory / "LICENSE-icd10-cn-3char").read_text(encoding="utf-8").startswith("MIT License")


def test_code_parts() -> None:
    parts = split_code("C22.101M81600/3")
    assert (parts.primary, parts.morphology, parts.behaviour) == ("C22.101", "M81600/3", 3)
    assert split_code("A17.0+G01*").primary == "A17.0"
    assert category_of("A00.000x001") == "A00"
    assert code_in_range("C73.x00", "C00", "C97")
    assert code_in_range("I21.9", "I21", "I22")
    assert code_in_range("C72.3", "C72.2", "C72.5")
    assert not code_in_range("D06.9", "C00", "C97")


def test_map_between_editions(tables: Icd10Tables) -> None:
    mapped = tables.map_code("A00.001", Edition.YIBAO)  # 古典生物型霍乱
    assert mapped is not None and mapped.code.startswith("A00.0")
    back = tables.map_code("C73.x00", Edition.V601)
    assert back is not None and back.code.startswith("C73")


def test_clean_text_repairs_ocr_confusions() -> None:
    assert clean_text("甲状腺乳头状嵒（左侧）") == "甲状腺乳头状癌(左侧)"
    assert clean_text("脑膜榴") == "脑膜瘤"


def test_abbreviations_are_expanded() -> None:
    assert "甲状腺乳头状癌" in expand_abbreviations("甲乳癌")
    assert "癌" in expand_abbreviations("左乳CA")
    assert "慢性阻塞性肺疾病" in expand_abbreviations("COPD急性加重")
    assert expand_abbreviations("CA125升高") == "CA125升高"  # a tumour marker, not cancer


def test_segments_and_qualifiers() -> None:
    segments = segment_diagnoses(
        clean_text("1.甲状腺乳头状癌（右侧） 2.高血压病史 3.肺结核待排；排除肝癌、左肺癌骨转移")
    )
    assert [s.core for s in segments] == ["甲状腺乳头状癌(右侧)", "高血压", "肺结核", "肝癌", "左肺癌骨转移"]
    assert [s.status for s in segments] == [
        DiagnosisStatus.CURRENT,
        DiagnosisStatus.HISTORY,
        DiagnosisStatus.UNCERTAIN,
        DiagnosisStatus.NEGATED,
        DiagnosisStatus.CURRENT,
    ]
    assert segments[0].laterality is Laterality.RIGHT
    assert segments[4].metastasis and segments[4].laterality is Laterality.LEFT
    assert segment_diagnoses("双侧乳腺癌?")[0].status is DiagnosisStatus.UNCERTAIN
    assert segment_diagnoses("双侧乳腺癌?")[0].laterality is Laterality.BILATERAL
    assert segment_diagnoses("结核不除外")[0].status is DiagnosisStatus.UNCERTAIN
    assert segment_diagnoses("胃癌可能")[0].status is DiagnosisStatus.UNCERTAIN
