"""``claims-ai train fraud --csv FILE --label COLUMN --out DIR``: the fraud model on any labelled claims table.

Steps: read and infer column kinds (``table``), encode with the same :class:`FeatureSpec` code the service uses,
stratified held-out split (25%), fit calibrated gradient boosting (``model``), measure on the held-out rows
(``metrics.json`` with ``roc_auc``, ``pr_auc``, Brier and counts; ``roc.png``, ``pr.png``), refit on all rows,
export ``model.onnx`` (parity-checked) with ``model.spec.json`` (columns, categories, baseline) and a model card.
The synthetic-claims scorer (``training.fraud.synthetic``) goes through :func:`train_tabular` too.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from claims_ai.fraud.tabular import FeatureSpec
from training.fraud.metrics import held_out_metrics, plot_curves
from training.fraud.model import export_onnx, fit_model
from training.fraud.table import infer_spec, read_table

__all__ = ["baseline_of", "train_from_csv", "train_tabular"]


def baseline_of(x: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    """Per input, a typical legitimate claim: NaN when most legitimate rows lack it, else their median."""
    legit = x[y == 0]
    out = []
    for j in range(x.shape[1]):
        col = legit[:, j]
        known = col[~np.isnan(col)]
        out.append(math.nan if len(known) < 0.5 * len(col) else float(np.median(known)))
    return tuple(out)


def train_tabular(
    x: np.ndarray,
    y: np.ndarray,
    spec: FeatureSpec,
    out: Path,
    *,
    title: str,
    seed: int = 0,
    test_size: float = 0.25,
    version: str = "1.0.0",
) -> dict[str, Any]:
    """Held-out evaluation, then the final model on all rows, exported with its spec; returns the metrics."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, stratify=y, random_state=seed)
    held_out = fit_model(x_train, y_train, seed=seed)
    p_test = held_out.predict_proba(x_test)[:, 1]
    metrics = held_out_metrics(y_test, p_test)
    plot_curves(y_test, p_test, out, title)
    final = fit_model(x, y, seed=seed)
    exported = export_onnx(final, x, out / "model.onnx", input_name=spec.model_input)
    label = {**spec.label, "base_rate": round(float(y.mean()), 4)}  # the prevalence the probabilities are calibrated to
    final_spec = replace(spec, baseline=baseline_of(x, y), version=version, label=label)
    final_spec.save(out / "model.spec.json")
    metrics.update(
        {
            "rows": len(y),
            "train_rows": len(y_train),
            "test_rows": len(y_test),
            "inputs": len(spec.input_names),
            "seconds": round(time.perf_counter() - start, 1),
            "onnx_bytes": exported.size_bytes,
            "parity_max_abs_diff": exported.max_abs_diff,
            "seed": seed,
        }
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def train_from_csv(csv_path: Path, label: str, out: Path, *, seed: int = 0) -> dict[str, Any]:
    table = read_table(csv_path, label)
    spec = infer_spec(table)
    x = spec.encode(table.rows)
    metrics = train_tabular(x, table.labels, spec, out, title=csv_path.name, seed=seed)
    write_csv_card(out, csv_path, spec, metrics)
    return metrics


def write_csv_card(out: Path, csv_path: Path, spec: FeatureSpec, metrics: dict[str, Any]) -> None:
    kinds: dict[str, list[str]] = {}
    for c in spec.columns:
        kinds.setdefault(c.kind.value, []).append(c.name)
    dropped = "\n".join(f"- `{k}`: {v}" for k, v in spec.dropped.items()) or "- none"
    counts = f"{metrics['positives']} / {metrics['negatives']}"
    columns = "\n".join(f"- {k} ({len(v)}): " + ", ".join(f"`{n}`" for n in v) for k, v in kinds.items())
    card = f"""# Fraud model trained on `{csv_path.name}`

Label `{spec.label.get("column")}` (fraud = {", ".join(map(str, spec.label.get("positive", [])))}),
{metrics["rows"]} rows. The figures below are on a stratified 25% held-out split ({metrics["test_rows"]} rows);
the shipped model is then refit on all rows.

## Held-out figures

| ROC-AUC | PR-AUC | Brier | held-out frauds / legit | base rate |
|---:|---:|---:|---|---:|
| {metrics["roc_auc"]:.4f} | {metrics["pr_auc"]:.4f} | {metrics["brier"]:.4f} | {counts} | {metrics["base_rate"]:.3f} |

Curves: `roc.png`, `pr.png`. ONNX parity with scikit-learn: max |Δp| {metrics["parity_max_abs_diff"]:.1e}.

## Model

Gradient-boosted trees (scikit-learn `HistGradientBoostingClassifier`, early stopping) inside
`CalibratedClassifierCV` (sigmoid, 5 folds), so the score is a calibrated probability. Chosen over a small network
because the table is small and heterogeneous (numbers, categories, dates, missing values): trees need no scaling,
route missing values natively, find thresholds and interactions, and train in seconds on a CPU. Exported with
skl2onnx into one ONNX graph (`model.onnx`, input `{spec.model_input}`, output `{spec.model_output}[:, 1]`) and
served by onnxruntime; `model.spec.json` turns raw rows into its {len(spec.input_names)} inputs.

## Columns

{columns}

Dropped:
{dropped}

## Limits

Figures come from one held-out split of this file; a different split moves them by a few points on small files.
The model knows only what the columns say: it finds the patterns of the past labels, including their biases.
"""
    (out / "model_card.md").write_text(card, encoding="utf-8")
