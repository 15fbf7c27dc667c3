"""The fraud stage end to end with a tiny model trained here through the training code: ONNX parity, the score,
and reasons that point at the right document, field and box."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from fraud_helpers import claim, quad

from claims_ai.errors import ModelError, ModelIntegrityError
from claims_ai.fraud.assessor import FraudAssessor
from claims_ai.fraud.duplicates import MemoryDuplicateIndex
from claims_ai.fraud.features import MODEL_FEATURES
from claims_ai.fraud.scorer import FraudScorer
from claims_ai.fraud.types import FraudBand, ReasonKind
from claims_ai.materials.checks import CrossDocumentChecker
from training.fraud.model import PARITY_TOLERANCE, export_onnx, fit_model
from training.fraud.synthetic import synthetic_spec
from training.fraud.train import baseline_of
from training.layout.publish import update_manifest

_COL = {name: i for i, name in enumerate(MODEL_FEATURES)}


def _rows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows where fraud means: a name mismatch, a contradicted figure or a known invoice."""
    rng = np.random.default_rng(seed)
    x = np.full((n, len(MODEL_FEATURES)), np.nan, np.float32)
    x[:, _COL["days_policy_start_to_event"]] = rng.integers(100, 1500, n)
    x[:, _COL["stay_days"]] = rng.integers(3, 20, n)
    x[:, _COL["amount_vs_usual_cost"]] = rng.uniform(0.2, 1.2, n)
    for name in ("check_same_patient_failed", "figure_contradicted", "duplicate_invoice", "amount_words_mismatch"):
        x[:, _COL[name]] = 0
    kind = rng.integers(0, 4, n)  # 0 honest, 1..3 one pattern each
    x[kind == 1, _COL["check_same_patient_failed"]] = 1
    x[kind == 2, _COL["figure_contradicted"]] = 1
    x[kind == 2, _COL["amount_words_mismatch"]] = 1
    x[kind == 3, _COL["duplicate_invoice"]] = 1
    return x, (kind > 0).astype(np.int64)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models")
    x, y = _rows(600, 0)
    model = fit_model(x, y, seed=0)
    exported = export_onnx(model, x, out / "fraud.onnx")
    assert exported.max_abs_diff <= PARITY_TOLERANCE
    spec = synthetic_spec()
    from dataclasses import replace

    label = {**spec.label, "base_rate": float(y.mean())}
    replace(spec, baseline=baseline_of(x, y), version="test", label=label).save(out / "fraud.spec.json")
    (out / "manifest.json").write_text(json.dumps({"manifest_version": 1, "models": []}), encoding="utf-8")
    update_manifest(
        out, name="fraud", version="test", filename="fraud.onnx", metrics={}, description="t", inputs=("features",)
    )
    return out


@pytest.fixture(scope="module")
def scorer(models_dir: Path) -> FraudScorer:
    return FraudScorer.from_models_dir(models_dir)


def test_onnx_agrees_with_scikit_learn_on_unseen_rows(tmp_path: Path) -> None:
    x, y = _rows(400, 1)
    model = fit_model(x, y, seed=1)
    exported = export_onnx(model, x[:50], tmp_path / "m.onnx")
    x_new, _ = _rows(200, 2)
    session = ort.InferenceSession(str(exported.path), providers=["CPUExecutionProvider"])
    got = session.run(["probabilities"], {"features": x_new})[0][:, 1]
    assert np.abs(got - model.predict_proba(x_new)[:, 1]).max() <= PARITY_TOLERANCE


def test_scores_are_probabilities_that_separate_the_patterns(scorer: FraudScorer) -> None:
    x, y = _rows(300, 3)
    p = scorer.probabilities(x)
    assert ((p >= 0) & (p <= 1)).all()
    assert p[y == 1].min() > p[y == 0].max()


def test_attributions_add_up_to_the_score_change(scorer: FraudScorer) -> None:
    x, _ = _rows(5, 4)
    baseline = np.array(scorer.spec.baseline, dtype=np.float32)
    explained = scorer.explain_vector(x[0], baseline, permutations=8)
    total = sum(explained.contributions.values())
    assert total == pytest.approx(explained.probability - explained.baseline_probability, abs=1e-6)


def _assess(scorer: FraudScorer, evidence, index=None, claim_id: str = "C-new"):  # type: ignore[no-untyped-def]
    assessor = FraudAssessor(scorer, index if index is not None else MemoryDuplicateIndex())
    checks = CrossDocumentChecker().check(evidence)
    return assessor, assessor.assess(evidence, checks, ("C73.x00",), claim_id=claim_id)


def test_an_honest_claim_scores_low_without_rules(scorer: FraudScorer) -> None:
    _, result = _assess(scorer, claim())
    assert result.band is FraudBand.LOW and result.score < 0.15
    assert result.rules_fired() == ()


def test_a_name_mismatch_is_the_first_reason_and_points_at_the_documents(scorer: FraudScorer) -> None:
    _, result = _assess(scorer, claim(discharge_name="李四"))
    assert result.band is FraudBand.HIGH
    first = result.reasons[0]
    assert first.code == "name_mismatch" and first.kind is ReasonKind.RULE and first.weight > 0.3
    discharge = next(e for e in first.evidence if e.document_id == "D-discharge")
    assert (discharge.doc_type, discharge.field, discharge.box) == (
        "discharge_summary",
        "patient_name",
        quad(80, 60, 140, 80),
    )
    body = result.to_dict()
    assert set(body) >= {"score", "band", "reasons", "model_version", "signals"}
    reason = body["reasons"][0]
    assert {"code", "weight", "kind", "message_zh", "message_en", "evidence"} <= set(reason)
    assert {"document_id", "page", "field", "box", "file"} <= set(reason["evidence"][0])


def test_an_altered_figure_is_explained_as_such_on_the_invoice(scorer: FraudScorer) -> None:
    _, result = _assess(scorer, claim(total="94189.65"))
    assert result.reasons[0].code == "altered_amount"
    assert result.reasons[0].evidence[0].document_id == "D-invoice"
    assert result.reasons[0].evidence[0].box == quad(400, 300, 520, 330)


def test_an_invoice_filed_before_is_caught_and_named_first(scorer: FraudScorer) -> None:
    index = MemoryDuplicateIndex()
    first_claim = claim()
    assessor, first = _assess(scorer, first_claim, index, claim_id="C-old")
    assert not any(r.code == "invoice_reused" for r in first.reasons)
    assessor.register("C-old", first_claim)
    _, again = _assess(scorer, claim(), index, claim_id="C-new")
    assert again.reasons[0].code == "invoice_reused" and again.band is FraudBand.HIGH
    assert "C-old" in (again.reasons[0].evidence[0].note or "")


def test_a_model_that_does_not_match_its_spec_or_manifest_is_refused(models_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "models"
    bad.mkdir()
    for name in ("fraud.onnx", "fraud.spec.json", "manifest.json"):
        (bad / name).write_bytes((models_dir / name).read_bytes())
    (bad / "fraud.onnx").write_bytes((models_dir / "fraud.onnx").read_bytes() + b"\0")
    with pytest.raises(ModelIntegrityError):
        FraudScorer.from_models_dir(bad)
    (bad / "fraud.onnx").write_bytes((models_dir / "fraud.onnx").read_bytes())
    spec = json.loads((models_dir / "fraud.spec.json").read_text())
    spec["columns"] = spec["columns"][:-1]
    spec["inputs"] = spec["inputs"][:-1]
    spec["baseline"] = spec["baseline"][:-1]
    (bad / "fraud.spec.json").write_text(json.dumps(spec))
    with pytest.raises(ModelError, match="inputs"):
        FraudScorer.from_models_dir(bad)


def test_scores_shift_to_the_expected_fraud_rate(scorer: FraudScorer) -> None:
    from claims_ai.config import FraudSettings

    evidence = claim(discharge_name="李四")
    checks = CrossDocumentChecker().check(evidence)
    as_trained = FraudAssessor(scorer).assess(evidence, checks).score
    rare = FraudAssessor(scorer, settings=FraudSettings(expected_fraud_rate=0.02)).assess(evidence, checks).score
    trained_rate = float(scorer.spec.label["base_rate"])
    odds = as_trained / (1 - as_trained) * (0.02 / 0.98) / (trained_rate / (1 - trained_rate))
    assert rare == pytest.approx(odds / (1 + odds)) and rare < as_trained
