"""Diagnosis normalisation: a diagnosis string as written (or as OCR read it) → the standard diagnoses it holds.

retrieval (character n-gram TF-IDF, several queries per string) → re-ranker (ONNX) → every candidate at or above
the model's threshold (at least the best one) → each decision tied to the part of the string it came from, with
that part's qualifiers (negated, uncertain, history, metastasis, side) and the code in both ICD-10 editions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claims_ai.config import ExecutionProvider
from claims_ai.medical.candidates import CandidateGenerator
from claims_ai.medical.icd10 import Edition, Icd10Tables
from claims_ai.medical.reranker import Reranker, name_vocabulary
from claims_ai.medical.text import DiagnosisStatus, Laterality, Segment, clean_text, segment_diagnoses
from claims_ai.runtime.manifest import ModelManifest

__all__ = ["MODEL_NAME", "DiagnosisNormalizer", "DiagnosisResult", "NormalizedDiagnosis"]

MODEL_NAME = "diagnosis_reranker"


@dataclass(frozen=True)
class NormalizedDiagnosis:
    code: str  # Beijing clinical v6.01 code (the model's vocabulary)
    name: str  # standard name
    confidence: float
    yibao_code: str | None  # the same diagnosis in the 医保版 2.0 table, mapped by code
    segment: str  # the part of the written string this diagnosis was read from
    status: DiagnosisStatus
    metastasis: bool
    laterality: Laterality | None


@dataclass(frozen=True)
class DiagnosisResult:
    text: str
    normalized: tuple[NormalizedDiagnosis, ...]

    @property
    def current(self) -> tuple[NormalizedDiagnosis, ...]:
        """The diagnoses the patient has now (not negated, not only suspected, not history)."""
        return tuple(d for d in self.normalized if d.status is DiagnosisStatus.CURRENT)


class DiagnosisNormalizer:
    """Built once (tables, retrieval index, ONNX session); ``normalize`` is pure per call."""

    def __init__(self, tables: Icd10Tables, reranker: Reranker, *, max_diagnoses: int = 8) -> None:
        self.tables = tables
        self.reranker = reranker
        meta = reranker.meta
        self.names, self.codes = name_vocabulary(tables, meta.extra_names, meta.extra_codes)
        self.generator = CandidateGenerator(self.names, self.codes, meta.priors, k_text=80, k_segment=20)
        self.threshold = meta.threshold
        self.max_diagnoses = max_diagnoses
        self._yibao_cache: dict[str, str | None] = {}

    @classmethod
    def from_models_dir(
        cls,
        models_dir: Path,
        *,
        tables: Icd10Tables | None = None,
        provider: ExecutionProvider = ExecutionProvider.CPU,
        threads: int = 1,
    ) -> DiagnosisNormalizer:
        spec = ModelManifest.load(models_dir).get(MODEL_NAME)
        return cls(tables or Icd10Tables(), Reranker(spec, provider=provider, threads=threads))

    @property
    def version(self) -> str:
        return self.reranker.version

    def normalize(self, text: str) -> DiagnosisResult:
        cleaned = clean_text(text)
        if not cleaned:
            return DiagnosisResult(text, ())
        cands = self.generator.generate(cleaned)
        probs = self.reranker.score(cands, self.names)
        if len(probs) == 0:
            return DiagnosisResult(text, ())
        order = np.argsort(-probs, kind="stable")
        chosen = [int(i) for i in order if probs[i] >= self.threshold][: self.max_diagnoses] or [int(order[0])]
        segments = segment_diagnoses(cleaned)
        out = []
        for i in chosen:
            index = int(cands.indices[i])
            name, code = self.names[index], self.codes[index]
            segment = _best_segment(name, segments)
            out.append(
                NormalizedDiagnosis(
                    code=code,
                    name=name,
                    confidence=float(probs[i]),
                    yibao_code=self._yibao(code),
                    segment=segment.text if segment else cleaned,
                    status=segment.status if segment else DiagnosisStatus.CURRENT,
                    metastasis=(segment.metastasis if segment else False) or "继发" in name or "转移" in name,
                    laterality=segment.laterality if segment else None,
                )
            )
        return DiagnosisResult(text, tuple(out))

    def normalize_many(self, texts: Iterable[str]) -> tuple[DiagnosisResult, ...]:
        return tuple(self.normalize(t) for t in texts)

    def _yibao(self, code: str) -> str | None:
        if code not in self._yibao_cache:
            entry = self.tables.map_code(code, Edition.YIBAO) if code else None
            self._yibao_cache[code] = entry.code if entry else None
        return self._yibao_cache[code]


def _best_segment(name: str, segments: tuple[Segment, ...]) -> Segment | None:
    if not segments:
        return None
    chars = set(name)
    return max(segments, key=lambda s: len(chars & set(s.core)) / max(len(chars), 1))
