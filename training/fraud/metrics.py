"""Held-out metrics and plots of a fraud model: ROC-AUC, PR-AUC, Brier score, counts; ROC and PR curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, precision_recall_curve, roc_auc_score, roc_curve

__all__ = ["held_out_metrics", "plot_curves"]


def held_out_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "pr_auc": round(float(average_precision_score(y, p)), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "positives": int(y.sum()),
        "negatives": int(len(y) - y.sum()),
        "base_rate": round(float(y.mean()), 4),
        "mean_score": round(float(p.mean()), 4),
    }


def plot_curves(y: np.ndarray, p: np.ndarray, out_dir: Path, title: str) -> dict[str, str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    fpr, tpr, _ = roc_curve(y, p)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot(fpr, tpr, label=f"ROC-AUC {roc_auc_score(y, p):.3f}")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"{title}: ROC")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out_dir / "roc.png", dpi=110)
    plt.close(fig)
    precision, recall, _ = precision_recall_curve(y, p)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot(recall, precision, label=f"PR-AUC {average_precision_score(y, p):.3f}")
    ax.axhline(float(y.mean()), linestyle=":", color="grey", label=f"base rate {y.mean():.2f}")
    ax.set(xlabel="recall", ylabel="precision", title=f"{title}: precision-recall", ylim=(0, 1.02))
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(out_dir / "pr.png", dpi=110)
    plt.close(fig)
    return {"roc": "roc.png", "pr": "pr.png"}
