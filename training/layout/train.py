"""Training of the document-type classifier and the field tagger on OCR'd and ground-truth synthetic pages."""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from claims_ai.extract.encoding import Vocabulary
from claims_ai.extract.tags import TAGS
from claims_ai.types import DocType
from training.corpus import read_corpus
from training.layout.data import IGNORE, build_vocabulary, collate, encode_page, sample_window, windows
from training.layout.model import EncoderConfig, FieldTagger
from training.layout.pages import Page, augment, page_from_gt, page_from_ocr

__all__ = ["DOC_TYPES", "TrainedModel", "load_pages", "train_fields"]

DOC_TYPES = tuple(t.value for t in DocType)
FIELD_WINDOW = 512


@dataclass
class TrainedModel:
    model: nn.Module
    config: EncoderConfig
    vocab: Vocabulary
    labels: tuple[str, ...]
    history: list[dict]
    temperature: float = 1.0


def load_pages(corpus: Path, *, gt_limit: int | None = None) -> tuple[list[Page], list[Page]]:
    """Training pages (OCR'd train split + renderer truth) and validation pages (OCR'd validation split)."""
    train: list[Page] = []
    if (corpus / "train.jsonl").exists():
        # What OCR really returns is the domain the models serve: those pages count three times.
        train += [page_from_ocr(r) for r in read_corpus(corpus / "train.jsonl")] * 3
    if (corpus / "train_gt.jsonl").exists():
        for index, truth in enumerate(read_corpus(corpus / "train_gt.jsonl")):
            if gt_limit is not None and index >= gt_limit:
                break
            train.append(page_from_gt(truth))
    validation = [page_from_ocr(r) for r in read_corpus(corpus / "validation.jsonl")]
    return train, validation


def _seed_everything(seed: int) -> random.Random:
    torch.manual_seed(seed)
    np.random.seed(seed)
    return random.Random(seed)


def _fit(
    model: nn.Module,
    make_batch: Callable[[random.Random], tuple[torch.Tensor, ...]],
    loss_of: Callable[[nn.Module, tuple[torch.Tensor, ...]], torch.Tensor],
    evaluate: Callable[[nn.Module], dict],
    *,
    steps: int,
    lr: float,
    rng: random.Random,
    eval_every: int,
    score_key: str,
    log: Callable[[str], None],
) -> list[dict]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps))
    )
    history: list[dict] = []
    best_score, best_state = -1.0, None
    started = time.perf_counter()
    for step in range(1, steps + 1):
        model.train()
        loss = loss_of(model, make_batch(rng))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % eval_every == 0 or step == steps:
            model.eval()
            with torch.no_grad():
                metrics = evaluate(model)
            metrics.update(step=step, loss=round(loss.item(), 4), seconds=round(time.perf_counter() - started, 1))
            history.append(metrics)
            log(json.dumps(metrics))
            if metrics[score_key] >= best_score:
                best_score = metrics[score_key]
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


_DISTIL_TEMPERATURE = 2.0  # softens the teacher's probabilities so the runner-up tags carry signal


def train_fields(
    train: Sequence[Page],
    validation: Sequence[Page],
    *,
    steps: int = 3000,
    batch: int = 16,
    seed: int = 0,
    log: Callable[[str], None] = print,
    start: tuple[nn.Module, Vocabulary] | None = None,
    lr: float = 8e-4,
    size: tuple[int, int, int] = (128, 3, 256),
    teacher: nn.Module | None = None,
) -> TrainedModel:
    """``start``: a trained tagger and its vocabulary to go on training (fine-tuning on new pages);
    ``size``: width, layers and feed-forward width of a new tagger (4 heads); ``teacher``: a trained tagger
    (same vocabulary) whose tag probabilities the model also learns (distillation: they carry what the teacher
    knows about near-misses, which the hard tags do not)."""
    rng = _seed_everything(seed)
    if start is None:
        vocab = build_vocabulary(train)
        dim, layers, ff = size
        config = EncoderConfig(vocab_size=len(vocab), max_tokens=FIELD_WINDOW, dim=dim, layers=layers, heads=4, ff=ff)
        model = FieldTagger(config, len(TAGS))
    else:
        model, vocab = start
        config = model.encoder.config
    val_encoded = [encode_page(p, vocab) for p in validation]
    val_examples = [
        (enc.ids[s:e], enc.boxes[s:e], tags[s:e])
        for enc, tags in val_encoded
        for s, e in windows(len(enc), config.max_tokens, config.max_tokens // 2)
    ]
    weights = torch.ones(len(TAGS))
    weights[0] = 0.3  # most characters are outside any field

    def make_batch(r: random.Random) -> tuple[torch.Tensor, ...]:
        examples = []
        for _ in range(batch):
            encoded, tags = encode_page(augment(r.choice(train), r), vocab)
            examples.append(sample_window(encoded, tags, config.max_tokens, r))
        return collate(examples)

    def loss_of(m: nn.Module, b: tuple[torch.Tensor, ...]) -> torch.Tensor:
        ids, boxes, mask, tags = b
        logits = m(ids, boxes, mask)
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, len(TAGS)), tags.reshape(-1), weight=weights, ignore_index=IGNORE
        )
        if teacher is None:
            return loss
        with torch.no_grad():
            soft = (teacher(ids, boxes, mask) / _DISTIL_TEMPERATURE).softmax(-1)
        log_probs = (logits / _DISTIL_TEMPERATURE).log_softmax(-1)
        divergence = nn.functional.kl_div(log_probs, soft, reduction="none").sum(-1)
        real = mask.bool()
        return loss + divergence[real].mean() * _DISTIL_TEMPERATURE**2

    def evaluate(m: nn.Module) -> dict:
        correct = total = entity_correct = entity_total = 0
        for start in range(0, len(val_examples), 32):
            ids, boxes, mask, tags = collate(val_examples[start : start + 32])
            predicted = m(ids, boxes, mask).argmax(-1)
            real = tags != IGNORE
            correct += int((predicted[real] == tags[real]).sum())
            total += int(real.sum())
            entity = real & (tags > 0)
            entity_correct += int((predicted[entity] == tags[entity]).sum())
            entity_total += int(entity.sum())
        return {
            "val_token_accuracy": round(correct / max(total, 1), 4),
            "val_entity_recall": round(entity_correct / max(entity_total, 1), 4),
        }

    history = _fit(
        model,
        make_batch,
        loss_of,
        evaluate,
        steps=steps,
        lr=lr,
        rng=rng,
        eval_every=max(1, steps // 10),
        score_key="val_entity_recall",
        log=log,
    )
    return TrainedModel(model, config, vocab, TAGS, history)
