"""The fraud model at serving time: onnxruntime + numpy only.

The ONNX model (gradient-boosted trees with calibration, see ``models/cards/fraud.md``) maps the spec's float
inputs to class probabilities; column 1 is the calibrated probability of fraud. Why a claim scored as it did is
measured at serve time by sampled Shapley values against the spec's baseline (a typical legitimate claim):
for each of P random orders, inputs are switched one by one from the baseline to the claim's values and each
switch is credited with the change in probability. All P·(k−1)+2 rows go through ONE batched onnxruntime call
(k = inputs that differ from the baseline), and the credits add up exactly to score − baseline score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from claims_ai.config import ExecutionProvider
from claims_ai.errors import InferenceError, ModelError
from claims_ai.fraud.tabular import FeatureSpec
from claims_ai.runtime.manifest import ModelManifest, open_model

__all__ = ["Explanation", "FraudScorer", "spec_path_for"]


def spec_path_for(model_path: Path) -> Path:
    """``models/fraud.onnx`` → ``models/fraud.spec.json``."""
    return model_path.with_suffix(".spec.json")


@dataclass(frozen=True)
class Explanation:
    probability: float
    baseline_probability: float
    contributions: Mapping[str, float]  # input name → change in probability it accounts for


class FraudScorer:
    def __init__(self, session: ort.InferenceSession, spec: FeatureSpec, version: str) -> None:
        self._session = session
        self.spec = spec
        self.version = version
        names = [i.name for i in session.get_inputs()]
        if names != [spec.model_input]:
            raise ModelError(f"The fraud model takes inputs {names}; its spec says [{spec.model_input!r}].")
        width = session.get_inputs()[0].shape[-1]
        if isinstance(width, int) and width != len(spec.input_names):
            raise ModelError(f"The fraud model takes {width} inputs; its spec lists {len(spec.input_names)}.")

    @classmethod
    def from_models_dir(
        cls,
        models_dir: Path,
        *,
        name: str = "fraud",
        provider: ExecutionProvider = ExecutionProvider.CPU,
        threads: int = 1,
    ) -> FraudScorer:
        model = ModelManifest.load(models_dir).get(name)
        session = open_model(model, provider=provider, threads=threads)
        return cls(session, FeatureSpec.load(spec_path_for(model.path)), model.version_tag)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(fraud) for each row of the encoded input matrix."""
        try:
            out = self._session.run([self.spec.model_output], {self.spec.model_input: x.astype(np.float32)})[0]
        except Exception as exc:  # onnxruntime raises its own exception types
            raise InferenceError(f"The fraud model failed: {exc}") from exc
        return np.asarray(out, dtype=np.float64)[:, 1]

    def score_rows(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.probabilities(self.spec.encode(rows))

    def explain(self, row: Mapping[str, Any], *, permutations: int = 16, seed: int = 0) -> Explanation:
        x = self.spec.encode([row])[0]
        baseline = np.array(self.spec.baseline or [math.nan] * len(x), dtype=np.float32)
        return self.explain_vector(x, baseline, permutations=permutations, seed=seed)

    def explain_vector(
        self, x: np.ndarray, baseline: np.ndarray, *, permutations: int = 16, seed: int = 0
    ) -> Explanation:
        same = (x == baseline) | (np.isnan(x) & np.isnan(baseline))
        moved = np.flatnonzero(~same)
        names = self.spec.input_names
        if moved.size == 0:
            same_p = float(self.probabilities(x[None, :])[0])
            return Explanation(same_p, same_p, {})
        rng = np.random.default_rng(seed)
        orders = []
        for _ in range(max(1, permutations // 2)):
            order = rng.permutation(moved)
            orders += [order, order[::-1]]  # antithetic pairs halve the variance for the same rows
        # rows: baseline, then for each order the intermediate states (the last state is x itself), then x
        rows = [baseline]
        for order in orders:
            z = baseline.copy()
            for j in order[:-1]:
                z = z.copy()
                z[j] = x[j]
                rows.append(z)
        rows.append(x)
        p = self.probabilities(np.stack(rows))
        base_p, full_p = float(p[0]), float(p[-1])
        credit = np.zeros(len(x), dtype=np.float64)
        cursor = 1
        k = len(moved)
        for order in orders:
            path = np.concatenate([[base_p], p[cursor : cursor + k - 1], [full_p]])
            credit[order] += np.diff(path)
            cursor += k - 1
        credit /= len(orders)
        return Explanation(full_p, base_p, {names[j]: float(credit[j]) for j in moved})
