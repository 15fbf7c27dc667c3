"""Learned layer of field extraction: the layout model tags characters (BIO); spans become candidates."""

from __future__ import annotations

import math

import numpy as np

from claims_ai.extract.encoding import EncodedPage
from claims_ai.extract.normalize import date_spans
from claims_ai.extract.onnx_model import LayoutModel, softmax
from claims_ai.extract.rules import Candidate, normalise, sub_box
from claims_ai.extract.tags import ValueKind, kind_of
from claims_ai.types import OcrResult

__all__ = ["FieldTagger", "whole_number", "windows"]

# What may lie inside a number of each kind: a span that stops among these characters stopped too early.
_DIGITS = set("0123456789")
_NUMBER_CHARS = {ValueKind.AMOUNT: _DIGITS | set(".,"), ValueKind.AGE: _DIGITS, ValueKind.DATE: _DIGITS}
_DATE_MARKS = set("年月日")


def whole_number(text: str, begin: int, end: int, kind: ValueKind) -> tuple[int, int]:
    """A numeric span widened to the whole number it cuts into: the tagger often leaves off a first or last
    digit ("2岁" of "62岁", ".00" of "0.00"). A date span becomes the date written where it lies ("2020-01" of
    "2019-12-30-2020-01-25" is 2020-01-25); elsewhere it grows over digits only."""
    if kind is ValueKind.DATE:
        for start, stop in date_spans(text):
            if start < end and begin < stop:
                return start, stop
    inside = _NUMBER_CHARS.get(kind)
    if inside is None:
        return begin, end
    if begin < end and text[begin] in inside:
        while begin > 0 and text[begin - 1] in inside:
            begin -= 1
    if begin < end and text[end - 1] in inside:
        while end < len(text) and text[end] in inside:
            end += 1
    return begin, end


def windows(length: int, size: int, overlap: int = 64) -> list[tuple[int, int]]:
    """As few windows of at most ``size`` tokens as cover ``length``, of equal length, neighbours sharing at
    least ``overlap`` tokens (so no token is read without context on both sides). Attention costs the square of
    a window's length: two windows of 300 cost far less than two of 512."""
    if length <= size:
        return [(0, length)]
    overlap = min(overlap, size // 4)
    count = math.ceil((length - overlap) / (size - overlap))
    width = math.ceil((length + (count - 1) * overlap) / count)
    starts = [round(i * (length - width) / (count - 1)) for i in range(count)]
    return [(s, s + width) for s in starts]


def _in_a_date(text: str, begin: int, end: int) -> bool:
    """A number beside 年, 月 or 日 is part of a date ("06" of "2024年06月08日"), never an amount."""
    return (begin > 0 and text[begin - 1] in _DATE_MARKS) or (end < len(text) and text[end] in _DATE_MARKS)


class FieldTagger:
    def __init__(self, model: LayoutModel) -> None:
        self._model = model
        self._entities = [label[2:] for label in model.labels]  # "" for "O"
        self._outside = model.labels.index("O")

    @property
    def version(self) -> str:
        return self._model.spec.version_tag

    def tag(self, ocr: OcrResult, width: int, height: int) -> dict[str, list[Candidate]]:
        if not ocr.lines:
            return {}
        encoded = self._model.encode(ocr, width, height)
        probs = self._probabilities(encoded)
        best, top = probs.argmax(axis=1), probs.max(axis=1)
        found: dict[str, list[Candidate]] = {}
        # Only lines with a tagged character can hold a span: most of a page is "O". A line's characters are
        # consecutive tokens.
        line_index = encoded.line_index
        numbers, firsts, counts = np.unique(line_index, return_index=True, return_counts=True)
        tagged = set(np.unique(line_index[(best != self._outside) & (line_index >= 0)]).tolist())
        for line_number, first_token, count in zip(numbers.tolist(), firsts.tolist(), counts.tolist(), strict=True):
            if line_number not in tagged:
                continue
            line = ocr.lines[line_number]
            tokens = slice(first_token, first_token + count)
            for entity, first, last, confidence in self._spans(best[tokens].tolist(), top[tokens].tolist()):
                kind = kind_of(entity)
                begin, end = whole_number(line.text, first, last, kind)
                if kind is ValueKind.AMOUNT and _in_a_date(line.text, begin, end):
                    continue
                text = line.text[begin:end]
                value = normalise(entity, text)
                if value:
                    box = sub_box(line, begin, end)
                    score = round(confidence * line.confidence, 4)
                    found.setdefault(entity, []).append(Candidate(entity, value, text, score, box))
        for candidates in found.values():
            candidates.sort(key=lambda c: -c.confidence)
        return found

    def _probabilities(self, encoded: EncodedPage) -> np.ndarray:
        """(tokens, tags): each token's tag probabilities, averaged over the windows that read it."""
        spans = windows(len(encoded), self._model.max_tokens)
        if len(spans) == 1:  # most pages: no overlaps to average
            return softmax(self._model.run(encoded.ids, encoded.boxes).astype(np.float64))
        probs = np.zeros((len(encoded), len(self._model.labels)), dtype=np.float64)
        seen = np.zeros(len(encoded), dtype=np.float64)
        for start, end in spans:
            probs[start:end] += softmax(self._model.run(encoded.ids[start:end], encoded.boxes[start:end]))
            seen[start:end] += 1
        return probs / np.maximum(seen, 1)[:, None]

    def _spans(self, tags: list[int], top: list[float]) -> list[tuple[str, int, int, float]]:
        """(entity, start, end, mean probability of the tags) for each run of B-x I-x… (a lone I-x starts a run
        too). Plain Python over one line's tags: numpy's per-call cost is more than the work here."""
        spans = []
        current, start = "", 0
        labels = self._model.labels
        for position in range(len(tags) + 1):
            label = labels[tags[position]] if position < len(tags) else "O"
            entity = self._entities[tags[position]] if position < len(tags) else ""
            continues = label.startswith("I-") and entity == current
            if current and not continues:
                spans.append((current, start, position, sum(top[start:position]) / (position - start)))
                current = ""
            if label != "O" and not continues:
                current, start = entity, position
        return spans
