"""Candidate retrieval: character n-gram TF-IDF over standard diagnosis names, as an inverted index in numpy.

Character n-grams (1–3) tolerate OCR errors, missing characters and word-order changes that defeat exact lookup.
Scores are cosine similarities in [0, 1].
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["NgramIndex", "char_ngrams"]


def char_ngrams(text: str, sizes: tuple[int, ...] = (1, 2, 3)) -> Counter[str]:
    text = text.lower()
    grams: Counter[str] = Counter()
    for size in sizes:
        for i in range(len(text) - size + 1):
            gram = text[i : i + size]
            if not gram.isspace():
                grams[gram] += 1
    return grams


class NgramIndex:
    """Cosine similarity between a query and every document, over sub-linear TF × IDF character n-gram weights."""

    def __init__(self, documents: Sequence[str], sizes: tuple[int, ...] = (1, 2, 3)) -> None:
        self.sizes = sizes
        self.size = len(documents)
        vectors = [char_ngrams(doc, sizes) for doc in documents]
        df: Counter[str] = Counter()
        for vec in vectors:
            df.update(vec.keys())
        self.idf = {gram: math.log((1 + self.size) / (1 + count)) + 1.0 for gram, count in df.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc_id, vec in enumerate(vectors):
            weights = {g: (1.0 + math.log(tf)) * self.idf[g] for g, tf in vec.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for gram, weight in weights.items():
                ids, values = postings.setdefault(gram, ([], []))
                ids.append(doc_id)
                values.append(weight / norm)
        self._postings = {
            gram: (np.asarray(ids, dtype=np.int32), np.asarray(values, dtype=np.float32))
            for gram, (ids, values) in postings.items()
        }

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of the query with every document (float32, one per document)."""
        out = np.zeros(self.size, dtype=np.float32)
        vec = char_ngrams(query, self.sizes)
        weights = {g: (1.0 + math.log(tf)) * self.idf[g] for g, tf in vec.items() if g in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if norm == 0:
            return out
        for gram, weight in weights.items():
            ids, values = self._postings[gram]
            out[ids] += values * np.float32(weight / norm)
        return out

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents as (index, score), best first; documents scoring 0 are left out."""
        scores = self.scores(query)
        k = min(k, self.size)
        if k <= 0:
            return []
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(int(i), float(scores[i])) for i in idx if scores[i] > 0]
