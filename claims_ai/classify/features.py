"""Page features for the document-type model: each text line as hashed character n-grams plus its geometry.

Shared by training and serving. The hash is CRC-32 (stable across processes, unlike ``hash``).
"""

from __future__ import annotations

import functools
import itertools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims_ai.geometry import upright_points

__all__ = ["BUCKETS", "GEOMETRY", "MAX_LINES", "MAX_NGRAMS", "PageFeatures", "page_features"]

BUCKETS = 8192  # id 0 is padding
MAX_LINES = 64  # the top of a page says what it is
GEOMETRY = 7
MAX_NGRAMS = 48


@dataclass(frozen=True)
class PageFeatures:
    ngrams: np.ndarray  # (MAX_LINES, MAX_NGRAMS) int64, 0 = none
    geometry: np.ndarray  # (MAX_LINES, GEOMETRY) float32: x0, y0, x1, y1, height, line rank, off-centre, all 0..1
    line_mask: np.ndarray  # (MAX_LINES,) int64


@functools.lru_cache(maxsize=1 << 16)
def _bucket(gram: str) -> int:
    """Cached: the same characters and pairs recur on every page, and hashing them was most of the features' time."""
    return 1 + zlib.crc32(gram.encode("utf-8")) % (BUCKETS - 1)


def _ngram_ids(text: str) -> list[int]:
    grams = [c for c in text if not c.isspace()]
    grams += [a + b for a, b in itertools.pairwise(grams)]
    return [_bucket(g) for g in grams[:MAX_NGRAMS]]


def _text_middle(quads: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Where most of the text is: the area-weighted median of line centres. In a photo of several slips it lies
    in the main one, so a line's distance from it tells the model which slip the line belongs to."""
    top, side = quads[:, 1] - quads[:, 0], quads[:, 3] - quads[:, 0]
    areas = np.abs(top[:, 0] * side[:, 1] - top[:, 1] * side[:, 0]) + 1e-6
    middle = []
    for axis in range(2):
        order = np.argsort(centres[:, axis])
        cumulative = np.cumsum(areas[order])
        middle.append(centres[order[np.searchsorted(cumulative, cumulative[-1] / 2)], axis])
    return np.array(middle)


def page_features(
    texts: Sequence[str], quads: np.ndarray, width: int, height: int, orientation: int = 0
) -> PageFeatures:
    """Lines in reading order (as OCR gives them); boxes are taken into the upright frame first."""
    ngrams = np.zeros((MAX_LINES, MAX_NGRAMS), dtype=np.int64)
    geometry = np.zeros((MAX_LINES, GEOMETRY), dtype=np.float32)
    mask = np.zeros(MAX_LINES, dtype=np.int64)
    if len(texts) == 0:
        return PageFeatures(ngrams, geometry, mask)
    upright, frame_w, frame_h = upright_points(np.asarray(quads).reshape(-1, 4, 2), orientation, width, height)
    centres = upright.mean(axis=1) / (frame_w, frame_h)
    middle = _text_middle(upright, centres)
    rows: list[int] = []  # the lines kept, in order: those with any n-gram, at most MAX_LINES
    for index, text in enumerate(texts):
        if len(rows) == MAX_LINES:
            break
        ids = _ngram_ids(text)
        if ids:
            ngrams[len(rows), : len(ids)] = ids
            rows.append(index)
    if rows:
        kept = upright[rows] / (frame_w, frame_h)
        (x0, y0), (x1, y1) = kept.min(axis=1).T, kept.max(axis=1).T
        off_centre = np.hypot(*(centres[rows] - middle).T) / np.sqrt(2)
        rank = np.arange(len(rows)) / MAX_LINES
        geometry[: len(rows)] = np.clip(np.stack([x0, y0, x1, y1, (y1 - y0) * 20, rank, off_centre], axis=1), 0, 1)
        mask[: len(rows)] = 1
    return PageFeatures(ngrams, geometry, mask)
