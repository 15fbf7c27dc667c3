"""CHIP-CDN data for the diagnosis re-ranker: reading, the fixed split, the name vocabulary, training pairs.

The file is read from ``../shared/data/chip_cdn/train.json`` (never copied into the repository).

Fixed split, by a seeded hash of the raw text (so duplicates of one text always land together and the split never
changes with file order): ``bucket = int(sha256("chip-cdn-split-v1:" + text)[:8], 16) % 100``;
``bucket < 20`` → **test** (held-out, reported by ``claims-ai evaluate diagnosis``), ``20 ≤ bucket < 30`` →
**validation** (early stopping and the decision threshold), the rest → **train**.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claims_ai.config import PROJECT_ROOT
from claims_ai.medical.candidates import CandidateGenerator, CandidateSet
from claims_ai.medical.icd10 import Icd10Tables
from claims_ai.medical.reranker import name_vocabulary
from claims_ai.medical.retrieval import NgramIndex

__all__ = [
    "DEFAULT_CHIP_PATH",
    "SPLIT_SALT",
    "Example",
    "build_vocabulary",
    "char_vocabulary",
    "iter_pairs",
    "load_examples",
    "split_of",
]

DEFAULT_CHIP_PATH = PROJECT_ROOT.parent / "shared" / "data" / "chip_cdn" / "train.json"
SPLIT_SALT = "chip-cdn-split-v1:"


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]


def split_of(text: str) -> str:
    bucket = int(hashlib.sha256((SPLIT_SALT + text).encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < 20:
        return "test"
    if bucket < 30:
        return "validation"
    return "train"


def load_examples(path: Path = DEFAULT_CHIP_PATH) -> dict[str, list[Example]]:
    """The three splits of the CHIP-CDN file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    splits: dict[str, list[Example]] = {"train": [], "validation": [], "test": []}
    for item in raw:
        labels = tuple(dict.fromkeys(x for x in item["normalized_result"].split("##") if x))
        splits[split_of(item["text"])].append(Example(item["text"], labels))
    return splits


def build_vocabulary(
    tables: Icd10Tables, train: Iterable[Example], n_priors: int = 100
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """Names and codes to retrieve over (the v601 table plus training label names missing from it, each coded like
    its nearest v601 name), the extra names and their codes, and the most frequent training labels (priors)."""
    base_names, base_codes = name_vocabulary(tables)
    counts = Counter(label for ex in train for label in ex.labels)
    known = set(base_names)
    extras = sorted(label for label in counts if label not in known)
    extra_codes: list[str] = []
    if extras:
        index = NgramIndex(base_names)
        for extra in extras:
            top = index.top(extra.strip('"'), 1)
            extra_codes.append(base_codes[top[0][0]] if top else "")
    names, codes = name_vocabulary(tables, extras, extra_codes)
    priors = [label for label, _ in counts.most_common(n_priors)]
    return names, codes, extras, extra_codes, priors


def char_vocabulary(texts: Iterable[str], min_count: int = 2) -> dict[str, int]:
    """Character → id; 0 is padding, 1 unknown."""
    counts = Counter(ch for text in texts for ch in text)
    chars = sorted(ch for ch, n in counts.items() if n >= min_count)
    return {ch: i + 2 for i, ch in enumerate(chars)}


def iter_pairs(
    generator: CandidateGenerator, examples: Iterable[Example], *, add_missing_gold: bool
) -> Iterator[tuple[Example, CandidateSet, np.ndarray]]:
    """Per example: its candidates and 0/1 targets. With ``add_missing_gold`` (training only) gold names the
    retrieval missed are added, so the model learns from them too."""
    for example in examples:
        cands = generator.generate(example.text)
        if add_missing_gold:
            present = set(cands.indices.tolist())
            missing = [p for p in (generator.position(label) for label in example.labels) if p is not None]
            missing = [p for p in dict.fromkeys(missing) if p not in present]
            if missing:
                extra = generator.features_for(example.text, missing)
                cands = CandidateSet(
                    cands.text,
                    cands.query,
                    np.concatenate([cands.indices, np.asarray(missing, dtype=np.int64)]),
                    np.concatenate([cands.features, extra]),
                )
        gold = {generator.position(label) for label in example.labels}
        targets = np.asarray([1.0 if int(i) in gold else 0.0 for i in cands.indices], dtype=np.float32)
        yield example, cands, targets
