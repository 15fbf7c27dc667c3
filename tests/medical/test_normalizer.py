"""The committed diagnosis normaliser (retrieval + ONNX re-ranker) on abbreviations, OCR errors, several diagnoses
in one string, negation, uncertainty, metastasis and laterality; and the ``claims-ai diagnose`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claims_ai.config import PROJECT_ROOT
from claims_ai.medical.normalizer import DiagnosisNormalizer, DiagnosisResult
from claims_ai.medical.text import DiagnosisStatus, Laterality

CLI = str(Path(sys.executable).parent / "claims-ai")


@pytest.fixture(scope="module")
def normalizer() -> DiagnosisNormalizer:
    return DiagnosisNormalizer.from_models_dir(PROJECT_ROOT / "models")


def _codes(result: DiagnosisResult) -> list[str]:
    return [d.code for d in result.normalized]


def _has(result: DiagnosisResult, prefix: str):
    found = [d for d in result.normalized if d.code.startswith(prefix)]
    assert found, f"no {prefix} in {[(d.code, d.name) for d in result.normalized]}"
    return found[0]


def test_several_diagnoses_in_one_string(normalizer) -> None:
    result = normalizer.normalize("1.高血压病 2.2型糖尿病")
    assert _has(result, "I10").name == "高血压"
    assert _has(result, "E11").name == "2型糖尿病"
    assert all(d.status is DiagnosisStatus.CURRENT for d in result.normalized)


@pytest.mark.parametrize(
    ("text", "name"),
    [("甲乳癌", "甲状腺乳头状癌"), ("冠心病", "冠状动脉粥样硬化性心脏病"), ("慢阻肺急性加重", "慢性阻塞性肺疾病")],
)
def test_abbreviations(normalizer, text: str, name: str) -> None:
    assert name in [d.name for d in normalizer.normalize(text).normalized]


def test_latin_abbreviation_and_laterality(normalizer) -> None:
    breast = _has(normalizer.normalize("左乳腺CA"), "C50")
    assert breast.laterality is Laterality.LEFT


def test_ocr_character_error(normalizer) -> None:
    _has(normalizer.normalize("甲状腺乳头状嵒"), "C73")


def test_negation_and_uncertainty(normalizer) -> None:
    negated = normalizer.normalize("排除肺结核")
    assert _has(negated, "A1").status is DiagnosisStatus.NEGATED
    assert negated.current == ()
    suspected = normalizer.normalize("肝癌待查")
    assert _has(suspected, "C22").status is DiagnosisStatus.UNCERTAIN


def test_metastasis(normalizer) -> None:
    result = normalizer.normalize("肺癌伴骨转移")
    assert _has(result, "C79.5").metastasis
    _has(result, "C34")


def test_both_editions(normalizer) -> None:
    thyroid = _has(normalizer.normalize("甲状腺恶性肿瘤"), "C73")
    assert thyroid.yibao_code == "C73.x00"
    assert 0.0 < thyroid.confidence <= 1.0


def test_diagnose_command() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMS_AI_")}
    result = subprocess.run(
        [CLI, "diagnose", "甲状腺乳头状癌 pT1aN0M0", "右肺腺癌", "--age", "45", "--json"],
        capture_output=True, text=True, env=environment, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    judged = json.loads(result.stdout)
    assert [j["text"] for j in judged] == ["甲状腺乳头状癌 pT1aN0M0", "右肺腺癌"]
    thyroid, lung = judged
    assert any(d["code"].startswith("C73") for d in thyroid["normalized"])
    assert (thyroid["severity"]["tier"], thyroid["severity"]["payout"]["amount"]) == ("mild", "50000.00")
    assert (lung["severity"]["tier"], lung["severity"]["payout"]["amount"]) == ("severe", "100000.00")
    unconfirmed = subprocess.run(
        [CLI, "diagnose", "右肺腺癌", "--unconfirmed", "--json"], capture_output=True, text=True, env=environment,
        timeout=300,
    )  # fmt: skip
    severity = json.loads(unconfirmed.stdout)[0]["severity"]
    assert severity["tier"] == "undetermined"
    assert severity["missing"][0]["doc_types"] == ["pathology_report"]
