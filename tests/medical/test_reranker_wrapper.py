"""Wrapper conformance with a tiny random ONNX model built here (no training, no committed weights): the manifest
check, input names, metadata read back, probabilities per candidate, and the normaliser's decision rule."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from claims_ai.errors import ModelIntegrityError
from claims_ai.medical.candidates import FEATURE_NAMES
from claims_ai.medical.icd10 import Icd10Tables
from claims_ai.medical.normalizer import DiagnosisNormalizer
from claims_ai.medical.reranker import RERANKER_INPUTS, Reranker, RerankerMetadata
from claims_ai.runtime.manifest import ModelSpec

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402


def _meta(**overrides: object) -> RerankerMetadata:
    base = dict(
        version="test",
        chars="甲状腺癌乳头高血压",
        labels=("甲状腺恶性肿瘤", "高血压"),
        extra_names=(),
        extra_codes=(),
        priors=("高血压",),
        threshold=0.5,
        text_length=16,
        cand_length=8,
    )
    base.update(overrides)
    return RerankerMetadata(**base)  # type: ignore[arg-type]


def _tiny_model(path: Path, meta: RerankerMetadata, props: dict[str, str] | None = None) -> ModelSpec:
    """score = features · w + bias[label_ids] (the char inputs are accepted and unused)."""
    rng = np.random.default_rng(0)
    n = len(FEATURE_NAMES)
    w = helper.make_tensor("w", TensorProto.FLOAT, [n, 1], rng.normal(size=n).astype(np.float32).tolist())
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [len(meta.labels) + 1], [0.0] * (len(meta.labels) + 1))
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node("MatMul", ["features", "w"], ["mm"]),
        helper.make_node("Squeeze", ["mm", "axes"], ["linear"]),
        helper.make_node("Gather", ["bias", "label_ids"], ["b"]),
        helper.make_node("Add", ["linear", "b"], ["score"]),
    ]
    inputs = [
        helper.make_tensor_value_info("text_chars", TensorProto.INT64, ["pairs", meta.text_length]),
        helper.make_tensor_value_info("cand_chars", TensorProto.INT64, ["pairs", meta.cand_length]),
        helper.make_tensor_value_info("label_ids", TensorProto.INT64, ["pairs"]),
        helper.make_tensor_value_info("features", TensorProto.FLOAT, ["pairs", n]),
    ]
    output = helper.make_tensor_value_info("score", TensorProto.FLOAT, ["pairs"])
    graph = helper.make_graph(nodes, "tiny", inputs, [output], [w, bias, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in (props if props is not None else meta.to_props()).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ModelSpec("diagnosis_reranker", "test", path, digest, RERANKER_INPUTS)


@pytest.fixture(scope="module")
def tables() -> Icd10Tables:
    return Icd10Tables()


def test_reranker_conformance(tmp_path: Path, tables: Icd10Tables) -> None:
    meta = _meta()
    reranker = Reranker(_tiny_model(tmp_path / "tiny.onnx", meta))
    assert reranker.meta == meta
    normalizer = DiagnosisNormalizer(tables, reranker)
    cands = normalizer.generator.generate("甲状腺乳头状癌")
    probs = reranker.score(cands, normalizer.names)
    assert probs.shape == (len(cands.indices),) and len(cands.indices) > 0
    assert np.all((probs >= 0) & (probs <= 1))
    result = normalizer.normalize("甲状腺乳头状癌")
    assert 1 <= len(result.normalized) <= normalizer.max_diagnoses  # at least the best candidate
    assert normalizer.normalize("   ").normalized == ()


def test_checksum_and_inputs_are_verified(tmp_path: Path) -> None:
    spec = _tiny_model(tmp_path / "tiny.onnx", _meta())
    with pytest.raises(ModelIntegrityError):
        Reranker(ModelSpec(spec.name, spec.version, spec.path, "0" * 64, spec.inputs))
    with pytest.raises(ModelIntegrityError):
        Reranker(ModelSpec(spec.name, spec.version, spec.path, spec.sha256, ("features",)))


def test_metadata_must_match_this_code(tmp_path: Path) -> None:
    meta = _meta()
    stale = {**meta.to_props(), "feature_names": '["cos_full"]'}
    with pytest.raises(ModelIntegrityError, match="other features"):
        Reranker(_tiny_model(tmp_path / "stale.onnx", meta, stale))
    incomplete = {k: v for k, v in meta.to_props().items() if k != "threshold"}
    with pytest.raises(ModelIntegrityError, match="metadata"):
        Reranker(_tiny_model(tmp_path / "incomplete.onnx", meta, incomplete))
