"""Candidates for a diagnosis string and the features the re-ranker scores them on.

Shared by serving (``claims_ai.medical.normalizer``) and training (``training/diagnosis``), so the model sees the
same features in both. Pure Python and numpy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims_ai.medical.retrieval import NgramIndex
from claims_ai.medical.text import clean_text, expand_abbreviations, segment_diagnoses

__all__ = ["FEATURE_NAMES", "CandidateGenerator", "CandidateSet", "encode_chars"]

_CHAPTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TEXT_CUES = ("癌", "瘤", "术后", "化疗", "放疗", "转移", "孕", "伴", "复发", "治疗", "史", "损伤", "骨折", "炎")

FEATURE_NAMES: tuple[str, ...] = (
    "cos_full",
    "cos_best_segment",
    "log_rank",
    "char_coverage",
    "bigram_coverage",
    "segment_coverage",
    "substring",
    "cand_length",
    "text_length",
    "segments",
    "lcs_cand",
    "lcs_segment",
    "generic",
    "morphology_code",
    "prior",
    *(f"chapter_{c}" for c in _CHAPTERS),
    *(f"cue_{c}" for c in _TEXT_CUES),
    *(f"cand_cue_{c}" for c in _TEXT_CUES),
)

_SUBSPLIT = re.compile(r"伴|并发|合并|并|及|和")


def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if ca == cb else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def encode_chars(text: str, vocab: dict[str, int], length: int) -> np.ndarray:
    """Character ids (1 = unknown, 0 = padding), cut or padded to ``length``."""
    ids = [vocab.get(ch, 1) for ch in text[:length]]
    return np.asarray(ids + [0] * (length - len(ids)), dtype=np.int64)


@dataclass(frozen=True)
class CandidateSet:
    text: str  # cleaned text
    query: str  # cleaned text with abbreviation expansions
    indices: np.ndarray  # int64 indices into the generator's names
    features: np.ndarray  # float32 (candidates, len(FEATURE_NAMES))


class CandidateGenerator:
    """Retrieves candidates for the whole string and for each diagnosis inside it, and computes pair features.

    ``names``/``codes`` are the standard names and their codes; ``priors`` marks names that are common
    diagnoses (always offered as candidates when the text shares a character with them).
    """

    def __init__(
        self,
        names: Sequence[str],
        codes: Sequence[str],
        priors: Sequence[str] = (),
        *,
        k_text: int = 40,
        k_segment: int = 12,
    ) -> None:
        self.names = list(names)
        self.codes = list(codes)
        self.index = NgramIndex(self.names)
        self._position = {name: i for i, name in enumerate(self.names)}
        self.prior_ids = [self._position[p] for p in priors if p in self._position]
        self._prior_set = set(self.prior_ids)
        self.k_text = k_text
        self.k_segment = k_segment

    def position(self, name: str) -> int | None:
        return self._position.get(name)

    def queries(self, text: str) -> tuple[str, list[str]]:
        cleaned = clean_text(text)
        pieces: list[str] = []
        for segment in segment_diagnoses(cleaned):
            pieces.append(segment.core)
            parts = [p for p in _SUBSPLIT.split(segment.core) if len(p) >= 2]
            if len(parts) > 1:
                pieces.extend(parts)
        return cleaned, list(dict.fromkeys(pieces)) or [cleaned]

    def _context(self, text: str) -> tuple[str, str, list[str], np.ndarray, np.ndarray, np.ndarray]:
        cleaned, pieces = self.queries(text)
        query = expand_abbreviations(cleaned)
        full_scores = self.index.scores(query)
        order = np.argsort(-full_scores, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        piece_scores = np.stack([self.index.scores(expand_abbreviations(piece)) for piece in pieces])
        return cleaned, query, pieces, full_scores, piece_scores, rank

    def generate(self, text: str) -> CandidateSet:
        cleaned, query, pieces, full_scores, piece_scores, rank = self._context(text)
        order = np.argsort(-full_scores, kind="stable")[: self.k_text]
        chosen: dict[int, None] = dict.fromkeys(int(i) for i in order if full_scores[i] > 0)
        for scores in piece_scores:
            top = np.argpartition(-scores, self.k_segment)[: self.k_segment]
            top = top[np.argsort(-scores[top], kind="stable")]
            chosen.update(dict.fromkeys(int(i) for i in top if scores[i] > 0))
        text_chars = set(query)
        chosen.update(dict.fromkeys(i for i in self.prior_ids if text_chars & set(self.names[i])))
        indices = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
        features = self._matrix(query, pieces, indices, full_scores, piece_scores, rank)
        return CandidateSet(cleaned, query, indices, features)

    def features_for(self, text: str, indices: Sequence[int]) -> np.ndarray:
        """Features of given names for a text (training adds gold names retrieval missed)."""
        _, query, pieces, full_scores, piece_scores, rank = self._context(text)
        return self._matrix(query, pieces, np.asarray(indices, dtype=np.int64), full_scores, piece_scores, rank)

    def _matrix(
        self,
        query: str,
        pieces: list[str],
        indices: np.ndarray,
        full_scores: np.ndarray,
        piece_scores: np.ndarray,
        rank: np.ndarray,
    ) -> np.ndarray:
        if len(indices) == 0:
            return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        rows = [self._features(query, pieces, int(i), full_scores, piece_scores, rank) for i in indices]
        return np.stack(rows).astype(np.float32)

    def _features(
        self,
        query: str,
        pieces: list[str],
        i: int,
        full_scores: np.ndarray,
        piece_scores: np.ndarray,
        rank: np.ndarray,
    ) -> np.ndarray:
        name, code = self.names[i], self.codes[i]
        best = int(np.argmax(piece_scores[:, i]))
        segment = pieces[best] if best < len(pieces) else query
        name_chars = set(name)
        bigrams = _bigrams(name)
        lcs_text = _lcs(name, query)
        lcs_seg = _lcs(name, segment)
        chapter = np.zeros(len(_CHAPTERS), dtype=np.float32)
        morphology = bool(re.match(r"^M\d{4}", code))
        if code and not morphology and code[0] in _CHAPTERS:
            chapter[_CHAPTERS.index(code[0])] = 1.0
        cues = np.asarray([cue in query for cue in _TEXT_CUES], dtype=np.float32)
        cand_cues = np.asarray([cue in name for cue in _TEXT_CUES], dtype=np.float32)
        head = np.asarray(
            [
                full_scores[i],
                piece_scores[best, i],
                np.log1p(rank[i]) / 10.0,
                len(name_chars & set(query)) / max(len(name_chars), 1),
                len(bigrams & _bigrams(query)) / max(len(bigrams), 1),
                len(set(segment) & name_chars) / max(len(set(segment)), 1),
                float(name in query),
                len(name) / 10.0,
                len(query) / 20.0,
                len(pieces) / 5.0,
                lcs_text / max(len(name), 1),
                lcs_seg / max(len(segment), 1),
                float(len(name) <= 2),
                float(morphology),
                float(i in self._prior_set),
            ],
            dtype=np.float32,
        )
        return np.concatenate([head, chapter, cues, cand_cues])
