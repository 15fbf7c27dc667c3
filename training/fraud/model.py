"""The fraud model: gradient-boosted trees, calibrated, exported to ONNX with a parity check.

Why gradient boosting (scikit-learn's ``HistGradientBoostingClassifier``) and not a small network: the inputs are
a few dozen heterogeneous tabular signals (flags, day counts, ratios, forensic z-scores) with many missing values;
boosted trees take them without scaling, route missing values natively, learn thresholds and interactions
("items don't add up *and* the figure was re-printed") from a thousand claims, and train in seconds on a CPU.
Calibration: ``CalibratedClassifierCV`` (sigmoid / Platt, 5 folds) so the score reads as a probability.
skl2onnx converts both into one ONNX graph (TreeEnsemble + sigmoid), served by onnxruntime without sklearn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import skl2onnx.common.tree_ensemble as _tree_ensemble
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier

from claims_ai.errors import ExportParityError

__all__ = ["PARITY_TOLERANCE", "ExportResult", "export_onnx", "fit_model"]

# float32 inputs against thresholds learnt in float64: a value on a split point can take the other branch
PARITY_TOLERANCE = 1e-3

_add_node = _tree_ensemble.add_node


def _add_node_int_flags(*args: Any, nodes_missing_value_tracks_true: Any = 0, **kwargs: Any) -> Any:
    # skl2onnx 1.20 passes numpy booleans here, which onnx ≥ 1.17 rejects in an INTS attribute.
    return _add_node(*args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true), **kwargs)


_tree_ensemble.add_node = _add_node_int_flags


def fit_model(x: np.ndarray, y: np.ndarray, *, seed: int = 0) -> CalibratedClassifierCV:
    x = x.copy()
    x[:, np.isnan(x).all(axis=0)] = 0.0  # a never-known input (no signal in this data) becomes constant: unused
    folds = int(min(5, np.bincount(y).min()))
    trees = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=10,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=30,
        random_state=seed,
    )
    return CalibratedClassifierCV(trees, method="sigmoid", cv=max(folds, 2)).fit(x, y)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size_bytes: int
    max_abs_diff: float


def export_onnx(
    model: CalibratedClassifierCV, x_check: np.ndarray, path: Path, *, input_name: str = "features"
) -> ExportResult:
    """Write the ONNX model and check it against scikit-learn on ``x_check``; raise when they disagree."""
    onx = to_onnx(
        model,
        initial_types=[(input_name, FloatTensorType([None, x_check.shape[1]]))],
        options={id(model): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(onx.SerializeToString())
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(["probabilities"], {input_name: x_check.astype(np.float32)})[0][:, 1]
    want = model.predict_proba(x_check.astype(np.float32))[:, 1]
    diff = float(np.abs(got - want).max()) if len(want) else 0.0
    if diff > PARITY_TOLERANCE:
        raise ExportParityError(f"ONNX and scikit-learn probabilities differ by {diff:.2e} (> {PARITY_TOLERANCE:.0e}).")
    return ExportResult(path, path.stat().st_size, diff)
