"""Training pages: lines (text, quad in the upright frame, one tag per character) with the page's document type.

Built from the corpus either from what OCR read (labels aligned to the ground truth by box overlap and text
match) or from the renderer's own text lines; augmentation then imitates OCR's mistakes on both.
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from claims_ai.extract.tags import SCALAR_FIELDS, tag_id
from claims_ai.geometry import upright_points

__all__ = ["Line", "Page", "augment", "page_from_gt", "page_from_ocr"]


@dataclass(frozen=True)
class Line:
    text: str
    quad: np.ndarray  # (4, 2) in the upright frame's pixels
    tags: tuple[int, ...]  # one per character


@dataclass(frozen=True)
class Page:
    page_id: str
    doc_type: str
    width: int  # of the upright frame
    height: int
    lines: tuple[Line, ...]
    truth: dict[str, Any]


def _bbox(quad: Any) -> tuple[float, float, float, float]:
    q = np.asarray(quad, dtype=np.float64)
    return q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()


def _covered(target: Any, line: Any) -> float:
    """Share of ``target``'s box that ``line``'s box covers."""
    ax0, ay0, ax1, ay1 = _bbox(target)
    bx0, by0, bx1, by1 = _bbox(line)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    area = max((ax1 - ax0) * (ay1 - ay0), 1e-6)
    return inter / area


def _find(text: str, wanted: str, fuzzy: bool) -> tuple[int, int] | None:
    start = text.find(wanted)
    if start >= 0:
        return start, start + len(wanted)
    if not fuzzy or len(wanted) < 2:
        return None
    best, best_span = 0.0, None
    for size in {len(wanted) - 1, len(wanted), len(wanted) + 1}:
        for begin in range(0, max(1, len(text) - size + 1)):
            ratio = difflib.SequenceMatcher(None, text[begin : begin + size], wanted).ratio()
            if ratio > best:
                best, best_span = ratio, (begin, min(len(text), begin + size))
    return best_span if best >= 0.7 else None


def _entities(truth: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(entity, printed text, box) for everything the tagger should find on this page."""
    found = []
    for name, value in truth["fields"].items():
        if name in SCALAR_FIELDS and not value.get("masked") and value.get("text"):
            found.append((name, value["text"], value["box"]))
    for diagnosis in truth.get("diagnoses", []):
        if not diagnosis.get("masked") and diagnosis.get("text"):
            found.append(("diagnosis", diagnosis["text"], diagnosis["box"]))
    for item in truth.get("line_items", []):
        found.append(("item_name", item["name"], item["box"]))
        found.append(("item_amount", item["amount_text"] if "amount_text" in item else item["amount"], item["box"]))
    return found


def _label(texts: list[str], quads: list[Any], truth: dict[str, Any], fuzzy: bool) -> list[list[int]]:
    tags = [[0] * len(text) for text in texts]
    for entity, wanted, box in _entities(truth):
        candidates = sorted(range(len(texts)), key=lambda i: -_covered(box, quads[i]))
        for index in candidates[:3]:
            if _covered(box, quads[index]) < 0.3:
                break
            span = _find(texts[index], wanted, fuzzy)
            if span is None or any(tags[index][span[0] : span[1]]):
                continue
            tags[index][span[0]] = tag_id(f"B-{entity}")
            for position in range(span[0] + 1, span[1]):
                tags[index][position] = tag_id(f"I-{entity}")
            break
    return tags


def _page(truth: dict[str, Any], texts: list[str], quads: list[Any], orientation: int, fuzzy: bool) -> Page:
    tags = _label(texts, quads, truth, fuzzy)
    width, height = truth["width"], truth["height"]
    upright, frame_w, frame_h = upright_points(
        np.asarray(quads, dtype=np.float64).reshape(-1, 4, 2), orientation, width, height
    )
    lines = tuple(Line(t, upright[i], tuple(tags[i])) for i, t in enumerate(texts) if t)
    return Page(truth["page_id"], truth["doc_type"], frame_w, frame_h, lines, truth)


def page_from_ocr(record: dict[str, Any]) -> Page:
    ocr = record["ocr"]
    texts = [line["text"] for line in ocr["lines"]]
    quads = [line["box"] for line in ocr["lines"]] or np.zeros((0, 4, 2))
    return _page(record["truth"], texts, quads, ocr["orientation"], fuzzy=True)


def page_from_gt(truth: dict[str, Any]) -> Page:
    lines = [ln for ln in truth["text_lines"] if ln.get("legible", True)]
    texts = [ln["text"] for ln in lines]
    quads = [ln["box"] for ln in lines] or np.zeros((0, 4, 2))
    return _page(truth, texts, quads, truth["capture"].get("rotation", 0), fuzzy=False)


# Characters OCR confuses on receipts (seal-covered, dot-matrix), used to imitate its errors.
_CONFUSIONS = {
    "0": "OD8", "1": "l7I", "2": "Z", "3": "8", "5": "S6", "6": "5b8", "7": "1", "8": "B30", "9": "g",
    ".": ",·", ",": ".，", "：": ":", ":": "：", "日": "曰目", "人": "入", "元": "无", "院": "阮", "费": "赛",
    "医": "区", "期": "朗", "住": "往", "年": "午", "月": "舟", "号": "弓",
}  # fmt: skip


def _noisy(line: Line, rng: random.Random, rate: float) -> Line:
    text, tags = list(line.text), list(line.tags)
    out_text, out_tags = [], []
    for char, tag in zip(text, tags, strict=True):
        roll = rng.random()
        if roll < rate * 0.3 and len(text) > 2:  # dropped character
            continue
        if roll < rate and char in _CONFUSIONS:
            char = rng.choice(_CONFUSIONS[char])
        out_text.append(char)
        out_tags.append(tag)
        if roll > 1 - rate * 0.2:  # a stray space OCR inserted
            out_text.append(" ")
            out_tags.append(tag if tag and out_tags and tag % 2 == 0 else 0)
    return replace(line, text="".join(out_text), tags=tuple(out_tags))


def _merge(a: Line, b: Line) -> Line:
    quad = np.array([a.quad[0], b.quad[1], b.quad[2], a.quad[3]])
    return Line(a.text + b.text, quad, a.tags + b.tags)


def augment(page: Page, rng: random.Random, strength: float = 1.0) -> Page:
    """OCR-like damage: misread and dropped characters, merged and missing lines, shifted layout."""
    lines = list(page.lines)
    out: list[Line] = []
    for line in lines:
        if rng.random() < 0.03 * strength:
            continue  # lost under a seal or a fold
        line = _noisy(line, rng, 0.03 * strength)
        if out and rng.random() < 0.15 * strength and abs(out[-1].quad[:, 1].mean() - line.quad[:, 1].mean()) < 12:
            out[-1] = _merge(out[-1], line)  # OCR read two cells of a row as one line
            continue
        out.append(line)
    dx, dy = rng.uniform(-0.05, 0.05) * page.width, rng.uniform(-0.05, 0.05) * page.height
    scale = rng.uniform(0.9, 1.1)
    shifted = tuple(replace(ln, quad=ln.quad * scale + np.array([dx, dy])) for ln in out if ln.text)
    return replace(page, lines=shifted)
