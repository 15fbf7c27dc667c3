"""Train the diagnosis re-ranker on the CHIP-CDN train split; pick the epoch and decision threshold on validation.

The checkpoint (``state.pt``) and its metadata (``metadata.json``) go to ``out_dir``; ``export.py`` turns them
into the ONNX model under ``models/``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from claims_ai.medical.candidates import FEATURE_NAMES, CandidateGenerator, CandidateSet
from claims_ai.medical.icd10 import Icd10Tables
from claims_ai.medical.reranker import RerankerMetadata, encode_pairs
from training.diagnosis.data import (
    DEFAULT_CHIP_PATH,
    Example,
    build_vocabulary,
    char_vocabulary,
    iter_pairs,
    load_examples,
)
from training.diagnosis.metrics import set_f1
from training.diagnosis.model import PairScorer

__all__ = ["TrainConfig", "TrainResult", "select", "train"]

log = logging.getLogger(__name__)

K_TEXT, K_SEGMENT = 80, 20  # must match claims_ai.medical.normalizer


@dataclass(frozen=True)
class TrainConfig:
    chip_path: Path = DEFAULT_CHIP_PATH
    out_dir: Path = Path("out/diagnosis")
    version: str = "1.0.0"
    seed: int = 0
    epochs: int = 8
    batch_size: int = 1024
    lr: float = 3e-3
    weight_decay: float = 1e-5
    dim: int = 48
    text_length: int = 64
    cand_length: int = 32
    priors: int = 100
    thresholds: tuple[float, ...] = field(default_factory=lambda: tuple(np.round(np.arange(0.05, 0.8, 0.025), 3)))


@dataclass(frozen=True)
class TrainResult:
    checkpoint: Path
    metadata: RerankerMetadata
    validation_f1: float
    epoch: int
    seconds: float
    pairs: int


def select(probs: np.ndarray, threshold: float, limit: int = 8) -> list[int]:
    """The decision rule the normaliser uses: every candidate at or above the threshold, at least the best one."""
    if len(probs) == 0:
        return []
    order = np.argsort(-probs, kind="stable")
    return [int(i) for i in order if probs[i] >= threshold][:limit] or [int(order[0])]


def _tensors(
    items: list[tuple[Example, CandidateSet, np.ndarray]], names: list[str], meta: RerankerMetadata
) -> tuple[dict[str, torch.Tensor], torch.Tensor, np.ndarray]:
    parts = [encode_pairs(cands, names, meta) for _, cands, _ in items]
    inputs = {key: torch.from_numpy(np.concatenate([p[key] for p in parts])) for key in parts[0]}
    targets = torch.from_numpy(np.concatenate([t for _, _, t in items]))
    offsets = np.cumsum([0] + [len(c.indices) for _, c, _ in items])
    return inputs, targets, offsets


def _predict(model: PairScorer, inputs: dict[str, torch.Tensor], batch: int = 4096) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        n = len(inputs["features"])
        for start in range(0, n, batch):
            chunk = {k: v[start : start + batch] for k, v in inputs.items()}
            out.append(torch.sigmoid(model(**chunk)).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _best_threshold(
    probs: np.ndarray,
    offsets: np.ndarray,
    items: list[tuple[Example, CandidateSet, np.ndarray]],
    names: list[str],
    thresholds: tuple[float, ...],
) -> tuple[float, float]:
    best = (0.0, 0.5)
    for threshold in thresholds:
        pairs = []
        for k, (example, cands, _) in enumerate(items):
            chosen = select(probs[offsets[k] : offsets[k + 1]], threshold)
            pairs.append(([names[int(cands.indices[i])] for i in chosen], example.labels))
        f1 = set_f1(pairs).f1
        if f1 > best[0]:
            best = (f1, float(threshold))
    return best


def train(config: TrainConfig) -> TrainResult:
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    splits = load_examples(config.chip_path)
    tables = Icd10Tables()
    names, codes, extras, extra_codes, priors = build_vocabulary(tables, splits["train"], config.priors)
    generator = CandidateGenerator(names, codes, priors, k_text=K_TEXT, k_segment=K_SEGMENT)
    log.info(
        "building candidates for %d train and %d validation texts", len(splits["train"]), len(splits["validation"])
    )
    train_items = list(iter_pairs(generator, splits["train"], add_missing_gold=True))
    val_items = list(iter_pairs(generator, splits["validation"], add_missing_gold=False))
    chars = char_vocabulary([ex.text for ex in splits["train"]] + names)
    labels = sorted({label for ex in splits["train"] for label in ex.labels})
    meta = RerankerMetadata(
        version=config.version,
        chars="".join(sorted(chars, key=chars.__getitem__)),
        labels=tuple(labels),
        extra_names=tuple(extras),
        extra_codes=tuple(extra_codes),
        priors=tuple(priors),
        threshold=0.5,
        text_length=config.text_length,
        cand_length=config.cand_length,
    )
    x_train, y_train, _ = _tensors(train_items, names, meta)
    x_val, _, val_offsets = _tensors(val_items, names, meta)
    model = PairScorer(len(chars) + 2, len(labels) + 1, len(FEATURE_NAMES), dim=config.dim)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    n = len(y_train)
    log.info("%d training pairs (%.1f%% positive)", n, 100 * float(y_train.mean()))
    best_f1, best_epoch, best_threshold, best_state = -1.0, 0, 0.5, None
    generator_rng = torch.Generator().manual_seed(config.seed)
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(n, generator=generator_rng)
        total = 0.0
        for start in range(0, n, config.batch_size):
            idx = order[start : start + config.batch_size]
            optimiser.zero_grad()
            logits = model(**{k: v[idx] for k, v in x_train.items()})
            loss = loss_fn(logits, y_train[idx])
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(idx)
        probs = _predict(model, x_val)
        f1, threshold = _best_threshold(probs, val_offsets, val_items, names, config.thresholds)
        log.info("epoch %d loss %.4f validation F1 %.4f at threshold %.3f", epoch, total / n, f1, threshold)
        if f1 > best_f1:
            best_f1, best_epoch, best_threshold = f1, epoch, threshold
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert best_state is not None
    meta = replace(meta, threshold=best_threshold)
    config.out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = config.out_dir / "state.pt"
    torch.save(
        {"state": best_state, "dims": {"n_chars": len(chars) + 2, "n_labels": len(labels) + 1, "dim": config.dim}},
        checkpoint,
    )
    (config.out_dir / "metadata.json").write_text(
        json.dumps(
            {
                "metadata": meta.to_props(),
                "training": {
                    "validation_f1": best_f1,
                    "epoch": best_epoch,
                    "pairs": n,
                    "config": {k: str(v) for k, v in asdict(config).items()},
                },
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return TrainResult(checkpoint, meta, best_f1, best_epoch, time.perf_counter() - started, n)
