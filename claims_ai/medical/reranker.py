"""The diagnosis re-ranker: pre-processing (numpy) → onnxruntime session → scores; and the name vocabulary.

The ONNX model scores (diagnosis text, candidate standard name) pairs. Everything it needs to be used correctly —
character vocabulary, label vocabulary, extra names, decision threshold, input lengths, feature names, version —
is written into its ``metadata_props`` at export and read back here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims_ai.config import ExecutionProvider
from claims_ai.errors import InferenceError, ModelIntegrityError
from claims_ai.medical.candidates import FEATURE_NAMES, CandidateSet, encode_chars
from claims_ai.medical.icd10 import Edition, Icd10Tables
from claims_ai.runtime.manifest import ModelSpec, open_model

__all__ = [
    "RERANKER_INPUTS",
    "Reranker",
    "RerankerMetadata",
    "encode_pairs",
    "name_vocabulary",
]

RERANKER_INPUTS = ("text_chars", "cand_chars", "label_ids", "features")


def name_vocabulary(
    tables: Icd10Tables, extra_names: Sequence[str] = (), extra_codes: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """Standard names to choose from (v601 names, first code of each name, in table order) plus extra names."""
    names: list[str] = []
    codes: list[str] = []
    seen: set[str] = set()
    for entry in tables.entries(Edition.V601):
        if entry.name not in seen:
            seen.add(entry.name)
            names.append(entry.name)
            codes.append(entry.code)
    for name, code in zip(extra_names, extra_codes, strict=True):
        if name not in seen:
            seen.add(name)
            names.append(name)
            codes.append(code)
    return names, codes


@dataclass(frozen=True)
class RerankerMetadata:
    version: str
    chars: str  # character i+2 has id i+2 (0 padding, 1 unknown)
    labels: tuple[str, ...]  # label i+1 has id i+1 (0: a name not seen in training)
    extra_names: tuple[str, ...]
    extra_codes: tuple[str, ...]
    priors: tuple[str, ...]
    threshold: float
    text_length: int
    cand_length: int

    @property
    def char_ids(self) -> dict[str, int]:
        return {ch: i + 2 for i, ch in enumerate(self.chars)}

    @property
    def label_ids(self) -> dict[str, int]:
        return {name: i + 1 for i, name in enumerate(self.labels)}

    def to_props(self) -> dict[str, str]:
        return {
            "version": self.version,
            "chars": self.chars,
            "labels": json.dumps(self.labels, ensure_ascii=False),
            "extra_names": json.dumps(self.extra_names, ensure_ascii=False),
            "extra_codes": json.dumps(self.extra_codes, ensure_ascii=False),
            "priors": json.dumps(self.priors, ensure_ascii=False),
            "threshold": repr(self.threshold),
            "text_length": str(self.text_length),
            "cand_length": str(self.cand_length),
            "feature_names": json.dumps(FEATURE_NAMES),
            "inputs": json.dumps(RERANKER_INPUTS),
        }

    @classmethod
    def from_props(cls, props: dict[str, str], model: str = "diagnosis_reranker") -> RerankerMetadata:
        try:
            if tuple(json.loads(props["feature_names"])) != FEATURE_NAMES:
                raise ModelIntegrityError(
                    f"Model {model!r} was trained on other features than this claims_ai computes; re-export it."
                )
            return cls(
                version=props["version"],
                chars=props["chars"],
                labels=tuple(json.loads(props["labels"])),
                extra_names=tuple(json.loads(props["extra_names"])),
                extra_codes=tuple(json.loads(props["extra_codes"])),
                priors=tuple(json.loads(props["priors"])),
                threshold=float(props["threshold"]),
                text_length=int(props["text_length"]),
                cand_length=int(props["cand_length"]),
            )
        except (KeyError, ValueError) as exc:
            raise ModelIntegrityError(f"Model {model!r} lacks valid metadata ({exc}); re-export it.") from exc


def encode_pairs(cands: CandidateSet, names: Sequence[str], meta: RerankerMetadata) -> dict[str, np.ndarray]:
    """The model's four inputs for every candidate of one text."""
    chars = meta.char_ids
    labels = meta.label_ids
    n = len(cands.indices)
    text = encode_chars(cands.query, chars, meta.text_length)
    return {
        "text_chars": np.repeat(text[None, :], n, axis=0),
        "cand_chars": np.stack([encode_chars(names[i], chars, meta.cand_length) for i in cands.indices])
        if n
        else np.zeros((0, meta.cand_length), dtype=np.int64),
        "label_ids": np.asarray([labels.get(names[i], 0) for i in cands.indices], dtype=np.int64),
        "features": cands.features.astype(np.float32),
    }


class Reranker:
    """Scores candidates with the ONNX re-ranker (probabilities in [0, 1])."""

    def __init__(self, spec: ModelSpec, *, provider: ExecutionProvider = ExecutionProvider.CPU, threads: int = 1):
        self.spec = spec
        self._session = open_model(spec, provider=provider, threads=threads)
        props = dict(self._session.get_modelmeta().custom_metadata_map)
        self.meta = RerankerMetadata.from_props(props, spec.name)

    @property
    def version(self) -> str:
        return self.spec.version_tag

    def score(self, cands: CandidateSet, names: Sequence[str]) -> np.ndarray:
        if len(cands.indices) == 0:
            return np.zeros(0, dtype=np.float32)
        inputs = encode_pairs(cands, names, self.meta)
        try:
            (logits,) = self._session.run(["score"], inputs)
        except Exception as exc:  # onnxruntime raises untyped errors
            raise InferenceError(f"The diagnosis re-ranker failed: {exc}") from exc
        return (1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))).astype(np.float32)
