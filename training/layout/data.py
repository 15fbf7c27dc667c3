"""Tensors from training pages: vocabulary, encoding, windows and batches."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import torch

from claims_ai.extract.encoding import EncodedPage, Vocabulary, encode_lines
from training.layout.pages import Page

__all__ = ["IGNORE", "Example", "build_vocabulary", "collate", "encode_page", "windows"]

IGNORE = -100


def build_vocabulary(pages: Iterable[Page], min_count: int = 2, limit: int = 6000) -> Vocabulary:
    counts = Counter(char for page in pages for line in page.lines for char in line.text)
    kept = [char for char, n in counts.most_common(limit) if n >= min_count]
    return Vocabulary(tuple(sorted(kept)))


Example = tuple[np.ndarray, np.ndarray, np.ndarray]  # ids, boxes, token tags


def encode_page(page: Page, vocab: Vocabulary) -> tuple[EncodedPage, np.ndarray]:
    encoded = encode_lines(
        [ln.text for ln in page.lines],
        np.array([ln.quad for ln in page.lines]).reshape(-1, 4, 2),
        page.width,
        page.height,
        vocab,
    )
    tags = np.full(len(encoded), IGNORE, dtype=np.int64)
    for position, (line, char) in enumerate(zip(encoded.line_index, encoded.char_index, strict=True)):
        if line >= 0:
            tags[position] = page.lines[line].tags[char]
    return encoded, tags


def windows(length: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Start/end of overlapping windows covering ``length`` tokens."""
    if length <= size:
        return [(0, length)]
    starts = [*range(0, length - size, stride), length - size]
    return [(s, s + size) for s in starts]


def sample_window(encoded: EncodedPage, tags: np.ndarray, size: int, rng: random.Random) -> Example:
    start, end = rng.choice(windows(len(encoded), size, size // 2))
    return encoded.ids[start:end], encoded.boxes[start:end], tags[start:end]


def collate(examples: Sequence[Example]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    length = max(len(ids) for ids, _, _ in examples)
    batch = len(examples)
    ids = torch.zeros(batch, length, dtype=torch.long)
    boxes = torch.zeros(batch, length, 4, dtype=torch.long)
    mask = torch.zeros(batch, length, dtype=torch.long)
    tags = torch.full((batch, length), IGNORE, dtype=torch.long)
    for row, (i, b, t) in enumerate(examples):
        n = len(i)
        ids[row, :n] = torch.from_numpy(i)
        boxes[row, :n] = torch.from_numpy(b)
        mask[row, :n] = 1
        tags[row, :n] = torch.from_numpy(t)
    return ids, boxes, mask, tags
