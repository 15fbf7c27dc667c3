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

    A character's box is its share of the line's box along the reading direction.
    """
    upright, frame_w, frame_h = upright_points(np.asarray(quads).reshape(-1, 4, 2), orientation, width, height)
    scale = np.array([GRID / max(frame_w, 1), GRID / max(frame_h, 1)])
    ids, lines, chars = [CLS], [-1], [-1]
    boxes: list[list[float]] = [[0.0, 0.0, float(GRID), float(GRID)]]
    for index, text in enumerate(texts):
        if not text:
            continue
        quad = upright[index] * scale
        x0, x1 = float(quad[:, 0].min()), float(quad[:, 0].max())
        y0, y1 = float(quad[:, 1].min()), float(quad[:, 1].max())
        step = (x1 - x0) / len(text)
        for position, char in enumerate(text):
            ids.append(vocab.id_of(char))
            boxes.append([x0 + step * position, y0, x0 + step * (position + 1), y1])
            lines.append(index)
            chars.append(position)
        ids.append(SEP)
        boxes.append([x1, y0, x1, y1])
        lines.append(-1)
        chars.append(-1)
    if max_tokens is not None:
        ids, boxes, lines, chars = ids[:max_tokens], boxes[:max_tokens], lines[:max_tokens], chars[:max_tokens]
    return EncodedPage(
        ids=np.asarray(ids, dtype=np.int64),
        boxes=np.clip(np.rint(np.asarray(boxes, dtype=np.float64)), 0, GRID).astype(np.int64),
        line_index=np.asarray(lines, dtype=np.int64),
        char_index=np.asarray(chars, dtype=np.int64),
    )
