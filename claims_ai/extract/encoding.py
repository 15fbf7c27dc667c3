"""Pages as model inputs: one token per character, each with its box in the upright page (0–1000 grid).

Shared by training (``training/``) and serving, so both see exactly the same inputs. Pure numpy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims_ai.geometry import upright_points

__all__ = ["GRID", "EncodedPage", "Vocabulary", "encode_lines"]

GRID = 1000  # coordinates are scaled to 0..GRID in the upright page
PAD, UNK, SEP, CLS = 0, 1, 2, 3
_SPECIALS = ("[PAD]", "[UNK]", "[SEP]", "[CLS]")


@dataclass(frozen=True)
class Vocabulary:
    """Characters the models know; anything else is [UNK]. Stored in the ONNX metadata as JSON."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c: i + len(_SPECIALS) for i, c in enumerate(self.chars)})

    def __len__(self) -> int:
        return len(self.chars) + len(_SPECIALS)

    def id_of(self, char: str) -> int:
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        return index.get(char, UNK)

    def ids_of(self, text: str) -> list[int]:
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        return [index.get(char, UNK) for char in text]

    def to_json(self) -> str:
        return json.dumps(list(self.chars), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        return cls(tuple(json.loads(text)))


@dataclass(frozen=True)
class EncodedPage:
    """``ids`` (L,), ``boxes`` (L, 4) as x0, y0, x1, y1 on the grid, and where each token came from."""

    ids: np.ndarray
    boxes: np.ndarray
    line_index: np.ndarray  # -1 for [CLS] / [SEP]
    char_index: np.ndarray  # position of the character inside its line's text

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def encode_lines(
    texts: Sequence[str],
    quads: np.ndarray,
    width: int,
    height: int,
    vocab: Vocabulary,
    *,
    orientation: int = 0,
    max_tokens: int | None = None,
) -> EncodedPage:
    """[CLS] then every line's characters followed by [SEP], in the order given (reading order).

    A character's box is its share of the line's box along the reading direction. Built with array operations:
    this runs on every page served.
    """
    upright, frame_w, frame_h = upright_points(np.asarray(quads).reshape(-1, 4, 2), orientation, width, height)
    upright = upright * np.array([GRID / max(frame_w, 1), GRID / max(frame_h, 1)])
    kept = [index for index, text in enumerate(texts) if text]
    ids = [CLS]
    for index in kept:
        ids += vocab.ids_of(texts[index])
        ids.append(SEP)
    chars = np.array([len(texts[index]) for index in kept], dtype=np.int64)
    line = np.repeat(np.array(kept, dtype=np.int64), chars + 1)  # each character and the line's [SEP]
    position = np.arange(len(line)) - np.repeat(np.cumsum(chars + 1) - (chars + 1), chars + 1)
    count = np.repeat(chars, chars + 1)
    separator = position == count
    low, high = upright.min(axis=1)[line], upright.max(axis=1)[line]  # (T, 2): x, y
    step = (high[:, 0] - low[:, 0]) / np.maximum(count, 1)
    left = np.where(separator, high[:, 0], low[:, 0] + step * position)
    right = np.where(separator, high[:, 0], low[:, 0] + step * (position + 1))
    boxes = np.concatenate(
        [[[0.0, 0.0, float(GRID), float(GRID)]], np.stack([left, low[:, 1], right, high[:, 1]], axis=1)]
    )
    lines = np.concatenate([[-1], np.where(separator, -1, line)])
    positions = np.concatenate([[-1], np.where(separator, -1, position)])
    end = len(ids) if max_tokens is None else max_tokens
    return EncodedPage(
        ids=np.asarray(ids[:end], dtype=np.int64),
        boxes=np.clip(np.rint(boxes[:end]), 0, GRID).astype(np.int64),
        line_index=lines[:end].astype(np.int64),
        char_index=positions[:end].astype(np.int64),
    )
