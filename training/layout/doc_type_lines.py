"""Document-type model over lines: hashed character n-grams and line geometry, pooled by attention.

Layout-aware through each line's box and rank on the page; small enough to train in minutes on a CPU and to
run in well under a millisecond.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

from claims_ai.classify.features import BUCKETS, GEOMETRY, PageFeatures, page_features
from claims_ai.errors import ExportParityError
from training.layout.pages import Page, augment
from training.layout.train import DOC_TYPES

__all__ = ["LineDocTypeModel", "export_line_model", "features_of", "train_line_model"]


class LineDocTypeModel(nn.Module):
    def __init__(self, dim: int = 96, classes: int = len(DOC_TYPES)) -> None:
        super().__init__()
        self.ngram = nn.Embedding(BUCKETS, dim, padding_idx=0)
        self.geometry = nn.Linear(GEOMETRY, dim)
        self.line = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim), nn.GELU())
        self.query = nn.Linear(dim, 1)
        self.head = nn.Sequential(nn.Linear(2 * dim, dim), nn.GELU(), nn.Dropout(0.1), nn.Linear(dim, classes))

    def forward(self, ngrams: torch.Tensor, geometry: torch.Tensor, line_mask: torch.Tensor) -> torch.Tensor:
        present = (ngrams > 0).unsqueeze(-1).float()
        text = (self.ngram(ngrams) * present).sum(2) / present.sum(2).clamp(min=1.0)
        lines = self.line(text + self.geometry(geometry))
        valid = line_mask.unsqueeze(-1).float()
        scores = self.query(lines).masked_fill(valid == 0, -1e4)
        attention = torch.softmax(scores, dim=1)
        attended = (attention * lines).sum(1)
        mean = (lines * valid).sum(1) / valid.sum(1).clamp(min=1.0)
        return self.head(torch.cat([attended, mean], dim=-1))


def features_of(page: Page) -> PageFeatures:
    quads = np.array([ln.quad for ln in page.lines]).reshape(-1, 4, 2)
    return page_features([ln.text for ln in page.lines], quads, page.width, page.height)


def _batch(items: Sequence[PageFeatures]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return (
        torch.from_numpy(np.stack([f.ngrams for f in items])),
        torch.from_numpy(np.stack([f.geometry for f in items])),
        torch.from_numpy(np.stack([f.line_mask for f in items])),
    )


def train_line_model(
    train: Sequence[Page],
    validation: Sequence[Page],
    *,
    steps: int = 1500,
    batch: int = 64,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> tuple[LineDocTypeModel, list[dict], float]:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = LineDocTypeModel()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps)
    val_x = _batch([features_of(p) for p in validation])
    val_y = torch.tensor([DOC_TYPES.index(p.doc_type) for p in validation])
    history: list[dict] = []
    best, best_state = -1.0, None
    for step in range(1, steps + 1):
        model.train()
        pages = [augment(rng.choice(train), rng) for _ in range(batch)]
        x = _batch([features_of(p) for p in pages])
        y = torch.tensor([DOC_TYPES.index(p.doc_type) for p in pages])
        loss = nn.functional.cross_entropy(model(*x), y, label_smoothing=0.05)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % max(1, steps // 10) == 0 or step == steps:
            model.eval()
            with torch.no_grad():
                accuracy = float((model(*val_x).argmax(1) == val_y).float().mean())
            history.append({"step": step, "loss": round(loss.item(), 4), "val_accuracy": round(accuracy, 4)})
            log(str(history[-1]))
            if accuracy >= best:
                best, best_state = accuracy, {k: v.clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        logits = model(*val_x)
    log_t = torch.zeros(1, requires_grad=True)
    lbfgs = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure() -> torch.Tensor:
        lbfgs.zero_grad()
        value = nn.functional.cross_entropy(logits / log_t.exp(), val_y)
        value.backward()
        return value

    lbfgs.step(closure)
    return model, history, float(log_t.detach().exp())


def export_line_model(
    model: LineDocTypeModel, path: Path, *, version: str, temperature: float, samples: Sequence[Page]
) -> float:
    """ONNX (fixed shapes: one page), metadata, and parity with torch within 1e-4."""
    x = _batch([features_of(samples[0])])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            x,
            str(path),
            input_names=["ngrams", "geometry", "line_mask"],
            output_names=["logits"],
            opset_version=17,
            dynamo=False,
        )
    graph = onnx.load(str(path))
    import json

    for key, value in {
        "name": "doc_type",
        "version": version,
        "labels": json.dumps(list(DOC_TYPES)),
        "temperature": f"{temperature:.6f}",
        "features": "line-ngrams-v1",
    }.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for page in samples:
        inputs = _batch([features_of(page)])
        with torch.no_grad():
            expected = model(*inputs).numpy()
        actual = session.run(
            None, dict(zip(("ngrams", "geometry", "line_mask"), (t.numpy() for t in inputs), strict=True))
        )[0]
        worst = max(worst, float(np.abs(expected - actual).max()))
    if worst > 1e-4:
        raise ExportParityError(f"{path.name}: max |torch − onnxruntime| = {worst:.2e} > 1e-4")
    return worst
