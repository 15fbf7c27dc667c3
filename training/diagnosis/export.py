"""Export the trained re-ranker to ONNX: named inputs/outputs, a dynamic batch axis, opset 17, metadata written into
``metadata_props``, then a torch-vs-onnxruntime parity check (max |Δlogit| ≤ ``PARITY_ATOL``) that raises
:class:`claims_ai.errors.ExportParityError`. Finally the model's entry in ``models/manifest.json`` is written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from claims_ai.config import PROJECT_ROOT
from claims_ai.errors import ExportParityError
from claims_ai.medical.candidates import FEATURE_NAMES
from claims_ai.medical.normalizer import MODEL_NAME
from claims_ai.medical.reranker import RERANKER_INPUTS, RerankerMetadata
from claims_ai.runtime.manifest import sha256_of
from training.diagnosis.model import PairScorer

__all__ = ["OPSET", "PARITY_ATOL", "ExportResult", "export", "load_checkpoint", "update_manifest"]

OPSET = 17
PARITY_ATOL = 1e-4


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    size_bytes: int
    max_abs_diff: float


def load_checkpoint(out_dir: Path) -> tuple[PairScorer, RerankerMetadata, dict]:
    saved = torch.load(out_dir / "state.pt", weights_only=True)
    info = json.loads((out_dir / "metadata.json").read_text(encoding="utf-8"))
    meta = RerankerMetadata.from_props(info["metadata"])
    dims = saved["dims"]
    model = PairScorer(dims["n_chars"], dims["n_labels"], len(FEATURE_NAMES), dim=dims["dim"])
    model.load_state_dict(saved["state"])
    model.eval()
    return model, meta, info


def _sample_inputs(meta: RerankerMetadata, n_chars: int, n_labels: int, batch: int = 64) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "text_chars": rng.integers(0, n_chars, (batch, meta.text_length)).astype(np.int64),
        "cand_chars": rng.integers(0, n_chars, (batch, meta.cand_length)).astype(np.int64),
        "label_ids": rng.integers(0, n_labels, batch).astype(np.int64),
        "features": rng.random((batch, len(FEATURE_NAMES))).astype(np.float32),
    }


def export(model: PairScorer, meta: RerankerMetadata, path: Path) -> ExportResult:
    n_chars = model.chars.num_embeddings
    n_labels = model.label_bias.num_embeddings
    sample = _sample_inputs(meta, n_chars, n_labels)
    args = tuple(torch.from_numpy(sample[name]) for name in RERANKER_INPUTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        args,
        str(path),
        input_names=list(RERANKER_INPUTS),
        output_names=["score"],
        dynamic_axes={**{name: {0: "pairs"} for name in RERANKER_INPUTS}, "score": {0: "pairs"}},
        opset_version=OPSET,
        dynamo=False,
    )
    proto = onnx.load(str(path))
    del proto.metadata_props[:]
    for key, value in {**meta.to_props(), "model": MODEL_NAME}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.doc_string = "claims-ai diagnosis re-ranker: (diagnosis text, ICD-10 standard name) pair → logit"
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (onnx_out,) = session.run(["score"], sample)
    with torch.no_grad():
        torch_out = model(*args).numpy()
    diff = float(np.max(np.abs(onnx_out - torch_out)))
    if not diff <= PARITY_ATOL:
        raise ExportParityError(f"ONNX and torch logits differ by {diff:.2e} > {PARITY_ATOL:.0e} for {path.name}.")
    return ExportResult(path, sha256_of(path), path.stat().st_size, diff)


def update_manifest(
    result: ExportResult, meta: RerankerMetadata, metrics: dict, models_dir: Path | None = None
) -> None:
    models_dir = models_dir or PROJECT_ROOT / "models"
    manifest_path = models_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = {
        "name": MODEL_NAME,
        "version": meta.version,
        "path": result.path.relative_to(models_dir).as_posix(),
        "sha256": result.sha256,
        "inputs": list(RERANKER_INPUTS),
        "description": "Diagnosis re-ranker (char embeddings + pair features → logit), trained on CHIP-CDN; "
        "see models/cards/diagnosis_reranker.md.",
        "metrics": metrics,
    }
    models = [m for m in manifest.get("models", []) if m.get("name") != MODEL_NAME]
    manifest["models"] = [*models, entry]
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
