"""Export to ONNX with validation: named inputs and outputs, a dynamic sequence length, fixed opset, metadata,
parity check."""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn.functional as F
from torch import nn

from claims_ai.errors import ExportParityError
from training.layout.data import Example, collate
from training.layout.train import TrainedModel

__all__ = ["OPSET", "PARITY_TOLERANCE", "check_parity", "export_onnx"]

OPSET = 17
PARITY_TOLERANCE = 1e-3  # max |torch − onnxruntime| on the logits


def export_onnx(
    trained: TrainedModel, path: Path, *, name: str, version: str, samples: Sequence[Example]
) -> dict[str, float]:
    model = traceable(trained.model.eval())
    samples = _fit(samples, trained.config.max_tokens)
    # One page (or window) per run at its own length (1 … max_tokens): attention costs the square of the length,
    # and a page averages well under the window, so padding every page to max_tokens wasted most of the time.
    ids, boxes, mask, _ = _with_mask(samples[0][0], samples[0][1], trained.config.max_tokens)
    sequence = {1: "tokens"}
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
            dynamic_axes={"ids": sequence, "boxes": sequence, "mask": sequence, "logits": sequence},
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


class _TraceableEncoder(nn.Module):
    """A trained ``nn.TransformerEncoder`` of norm-first GELU layers, computed with reshapes that keep the
    sequence length symbolic. torch's own attention traces the length as a constant, which fixes the exported
    graph to one length. Same parameters, same arithmetic: the parity check compares it with the original."""

    def __init__(self, encoder: nn.TransformerEncoder) -> None:
        super().__init__()
        self.layers = encoder.layers
        if encoder.norm is not None or not all(layer.norm_first for layer in encoder.layers):
            raise ValueError("only norm-first layers without a final norm are supported")

    def forward(self, x: torch.Tensor, src_key_padding_mask: torch.Tensor) -> torch.Tensor:
        # Padding as an additive bias built once (a Where on every layer's scores costs more than the add).
        bias = torch.zeros_like(src_key_padding_mask, dtype=x.dtype).masked_fill(src_key_padding_mask, float("-inf"))
        bias = bias[:, None, None, :]
        for layer in self.layers:
            x = x + self._attention(layer.self_attn, layer.norm1(x), bias)
            x = x + layer.linear2(F.gelu(layer.linear1(layer.norm2(x))))
        return x

    @staticmethod
    def _attention(attn: nn.MultiheadAttention, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        batch, dim, heads = x.shape[0], x.shape[2], attn.num_heads
        head_dim = dim // heads
        qkv = F.linear(x, attn.in_proj_weight, attn.in_proj_bias).reshape(batch, -1, 3, heads, head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, heads, L, head_dim)
        scores = (q * head_dim**-0.5) @ k.transpose(-1, -2) + bias  # scaling q is cheaper than scaling L×L
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, -1, dim)
        return attn.out_proj(context)


def traceable(model: nn.Module) -> nn.Module:
    """A copy of ``model`` whose transformer encoders export with a dynamic sequence length."""
    model = copy.deepcopy(model).eval()
    for parent in list(model.modules()):
        for name, child in parent.named_children():
            if isinstance(child, nn.TransformerEncoder):
                setattr(parent, name, _TraceableEncoder(child))
    return model


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
        # torch (its own attention) on the page as it is; onnxruntime on the page unpadded, as serving runs it,
        # and padded to the window, which must not change the real tokens' logits.
        n = len(sample[0])
        with torch.no_grad():
            ids, boxes, mask, _ = collate([sample])
            expected = trained.model(ids, boxes, mask).numpy()[0]
        for size in (n, trained.config.max_tokens):
            ids, boxes, mask, _ = _with_mask(sample[0], sample[1], size)
            actual = session.run(None, {"ids": ids.numpy(), "boxes": boxes.numpy(), "mask": mask.numpy()})[0][0]
            if expected.ndim == 2:  # per-token logits: compare the real tokens only
                actual = actual[:n]
            worst = max(worst, float(np.abs(expected - actual).max()))
    if worst > PARITY_TOLERANCE:
        raise ExportParityError(f"{path.name}: max |torch − onnxruntime| = {worst:.2e} > {PARITY_TOLERANCE:.0e}")
    return {"max_abs_diff": worst, "tolerance": PARITY_TOLERANCE}
