"""Export to ONNX with validation: named inputs and outputs, dynamic axes, fixed opset, metadata, parity check."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from claims_ai.errors import ExportParityError
from training.layout.data import Example, collate
from training.layout.train import TrainedModel

__all__ = ["OPSET", "PARITY_TOLERANCE", "check_parity", "export_onnx"]

OPSET = 17
PARITY_TOLERANCE = 1e-3  # max |torch − onnxruntime| on the logits


def export_onnx(
    trained: TrainedModel, path: Path, *, name: str, version: str, samples: Sequence[Example]
) -> dict[str, float]:
    model = trained.model.eval()
    samples = _fit(samples, trained.config.max_tokens)
    # One page (or window) per run, padded to the model's length: the traced attention reshapes use the traced
    # sequence length as a constant, so the graph takes exactly (1, max_tokens) and the mask marks the padding.
    ids, boxes, mask, _ = _with_mask(samples[0][0], samples[0][1], trained.config.max_tokens)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The TorchScript exporter, on purpose: the torch.export one needs onnxscript and gains nothing here.
    # It warns that it is deprecated (and torch's own internals warn inside it); the parity check below is
    # what tells us the export is right.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)  # shape checks traced as constants: fine here
        # The fused inference fast path of TransformerEncoderLayer has no ONNX export: trace the plain ops.
        fastpath = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)
        torch.onnx.export(
            model,
            (ids, boxes, mask),
            str(path),
            input_names=["ids", "boxes", "mask"],
            output_names=["logits"],
            opset_version=OPSET,
            dynamo=False,
        )
        torch.backends.mha.set_fastpath_enabled(fastpath)
    graph = onnx.load(str(path))
    metadata = {
        "name": name,
        "version": version,
        "labels": json.dumps(list(trained.labels), ensure_ascii=False),
        "vocabulary": trained.vocab.to_json(),
        "max_tokens": str(trained.config.max_tokens),
        "temperature": f"{trained.temperature:.6f}",
        "encoder": json.dumps(trained.config.to_dict()),
    }
    for key, value in metadata.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))
    return check_parity(trained, path, samples)


def _fit(samples: Sequence[Example], size: int) -> list[Example]:
    return [(ids[:size], boxes[:size], tags[:size]) for ids, boxes, tags in samples]


def _with_mask(ids: np.ndarray, boxes: np.ndarray, size: int) -> tuple[torch.Tensor, ...]:
    """One sequence padded to ``size`` with its mask (and its real length)."""
    n = len(ids)
    padded_ids = torch.zeros(1, size, dtype=torch.long)
    padded_boxes = torch.zeros(1, size, 4, dtype=torch.long)
    mask = torch.zeros(1, size, dtype=torch.long)
    padded_ids[0, :n] = torch.from_numpy(ids)
    padded_boxes[0, :n] = torch.from_numpy(boxes)
    mask[0, :n] = 1
    return padded_ids, padded_boxes, mask, torch.tensor(n)


def check_parity(trained: TrainedModel, path: Path, samples: Sequence[Example]) -> dict[str, float]:
    samples = _fit(samples, trained.config.max_tokens)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for sample in samples:
        # torch on the page as it is; onnxruntime on the page padded, exactly as serving runs it.
        n = len(sample[0])
        with torch.no_grad():
            ids, boxes, mask, _ = collate([sample])
            expected = trained.model(ids, boxes, mask).numpy()[0]
        ids, boxes, mask, _ = _with_mask(sample[0], sample[1], trained.config.max_tokens)
        actual = session.run(None, {"ids": ids.numpy(), "boxes": boxes.numpy(), "mask": mask.numpy()})[0][0]
        if expected.ndim == 2:  # per-token logits: compare the real tokens only
            actual = actual[:n]
        worst = max(worst, float(np.abs(expected - actual).max()))
    if worst > PARITY_TOLERANCE:
        raise ExportParityError(f"{path.name}: max |torch − onnxruntime| = {worst:.2e} > {PARITY_TOLERANCE:.0e}")
    return {"max_abs_diff": worst, "tolerance": PARITY_TOLERANCE}
