"""CHIP-CDN-style scoring: each text's predicted standard names against its gold names, as sets, micro-averaged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SetScores", "set_f1"]


@dataclass(frozen=True)
class SetScores:
    precision: float
    recall: float
    f1: float
    exact: float  # share of texts whose predicted set equals the gold set
    texts: int

    def as_dict(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def set_f1(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> SetScores:
    """``pairs`` of (predicted names, gold names). Equivalent to comparing the ``##``-joined strings as sets."""
    tp = n_pred = n_gold = exact = texts = 0
    for predicted, gold in pairs:
        p, g = set(predicted), set(gold)
        tp += len(p & g)
        n_pred += len(p)
        n_gold += len(g)
        exact += p == g
        texts += 1
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SetScores(precision, recall, f1, exact / texts if texts else 0.0, texts)
