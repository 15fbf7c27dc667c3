"""The model card of the shipped synthetic-claims scorer (``models/cards/fraud.md``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from claims_ai.fraud.features import FEATURE_CODES, MODEL_FEATURES, RULE_SIGNALS
from training.layout.publish import write_card

__all__ = ["fraud_card", "training_summary", "write_fraud_card"]


def training_summary(metrics: dict[str, Any], info: list[dict[str, Any]]) -> dict[str, Any]:
    """What the card needs from a training run (kept in ``models/reports/fraud_training.json``)."""
    return {
        "metrics": metrics,
        "patterns": dict(sorted(Counter(p for i in info for p in i["patterns"]).items())),
        "first_claim": info[0]["claim_id"],
        "last_claim": info[-1]["claim_id"],
    }


def fraud_card(training: dict[str, Any], evaluation: dict[str, Any] | None = None) -> str:
    metrics, patterns = training["metrics"], training["patterns"]
    wall = f"{metrics['forensics_ms_per_page_median']} ms (p95 {metrics['forensics_ms_per_page_p95']} ms)"
    forensics = training.get("bench_forensics")
    bench = (
        f" Measured alone (`scripts/bench_fraud_forensics.py`, {forensics['pages']} pages of "
        f"{forensics['megapixels_median']} MP): {forensics['cpu_ms_median']} ms CPU per page, p95 "
        f"{forensics['cpu_ms_p95']} ms."
        if forensics
        else ""
    )
    pattern_rows = "\n".join(f"| {k} | {v} |" for k, v in sorted(patterns.items()))
    features = "\n".join(f"| `{n}` | `{FEATURE_CODES[n]}` |" for n in MODEL_FEATURES)
    rules = ", ".join(f"`{n}`" for n in RULE_SIGNALS)
    if evaluation:
        by_pattern = "\n".join(
            f"| {k} | {v['claims']} | {v['hit_rate']:.1%} | {v['observable_hit_rate']:.1%} |"
            for k, v in evaluation["top3_by_pattern"].items()
        )
        held_out = f"""On {evaluation["claims"]} held-out claims (test seeds, {evaluation["positives"]} fraudulent;
full report `models/reports/fraud.md`): **ROC-AUC {evaluation["roc_auc"]:.4f}**, PR-AUC {evaluation["pr_auc"]:.4f},
Brier {evaluation["brier"]:.4f}. The injected pattern is among the top three reasons for
**{evaluation["top3_hit_rate"]:.1%}** of fraudulent claims ({evaluation["top3_hit_rate_observable"]:.1%} of those
whose pattern left evidence on the pages).

| pattern | claims | in top 3 | in top 3 (observable) |
|---|---:|---:|---:|
{by_pattern}
"""
    else:
        held_out = "Run `claims-ai evaluate fraud --bundles …` for the held-out figures (`models/reports/fraud.md`)."
    return f"""
## What it does

Scores a claim's probability of being fraudulent from {len(MODEL_FEATURES)} named signals
(`claims_ai.fraud.features`): timing against the policy start and waiting period, symptoms and past history in the
notes, the cross-document checks, invoice arithmetic (charge lines, amount in words), the amount against the usual
cost of the diagnosis at that hospital level (`claims_ai/fraud/data/usual_costs.csv`), the bed-fee share, image
forensics of the total amount's region (font/ink, background, noise, ELA, copy-move), and duplicate lookups (same
invoice key, same bill image) in other claims. {rules} are reported as rules only: the synthetic claims carry no
signal for them. Reasons are the signals that moved the score most (sampled Shapley values against a typical
legitimate claim, one batched onnxruntime call) plus every rule that fired.

## Model and why

Gradient-boosted trees (`HistGradientBoostingClassifier`) calibrated with `CalibratedClassifierCV` (sigmoid,
5 folds), exported by skl2onnx to one ONNX graph (input `features`, output `probabilities[:, 1]`) and served by
onnxruntime + numpy. Trees suit this table: a few dozen heterogeneous signals (flags, day counts, ratios,
z-scores), many of them missing on a given claim (no invoice, no clinical notes), a thousand training claims, and
interactions that matter (charge lines that do not add up *and* a re-printed figure mean an altered amount; the
first alone means an invoice that never added up). A small network would need imputation, scaling and more data
for the same result, and its reasons would be no easier to compute. Calibration makes the score a probability
(Brier {metrics["brier"]:.4f} held out) so band thresholds read as risks.

## Training data

{metrics["claims"]} synthetic claims from `claims_datasets` (train seeds {training["first_claim"]} …
{training["last_claim"]}, fraud rate 0.5 so each of the 10 patterns has enough examples; {metrics["fraud_claims"]}
fraudulent), rendered with `claims-ai train fraud-bundles` (bill pages captured as the generator plans — photo, scan
or electronic; other pages as clean electronic copies because capture simulation is most of the render time and
those pages feed text signals only). Image forensics took a median {wall} of wall time per bill page
({metrics["bill_pages"]} pages) while the 2-core machine ran three other jobs.{bench}

| pattern | claims |
|---|---:|
{pattern_rows}

**Extraction is simulated by ground truth.** Fields, boxes, charge lines, the amount in words and the diagnosis code
come from the generator's page truth through `training.materials.evaluate.load_bundle`, not from OCR and the field
extractor. What that means: the model learned how the signals behave when the fields are read right. In service,
OCR misreads make checks fail on honest claims (a misread name fails `same_patient`, a misread total breaks the
charge-line sum) and hide fraud (an unread 大写 amount gives no words/figure signal), so expect a lower ROC-AUC
and more rule reasons on honest claims until the model is retrained on features computed from the pipeline's own
extraction (same code path: `FeatureBuilder` over the pipeline's `ClaimEvidence`). Everything else is real: checks,
forensics on the rendered images, hashes, and duplicate lookups against an index of the run's earlier claims.

## Held-out figures

Split of the training claims (25%, stratified): ROC-AUC {metrics["roc_auc"]:.4f}, PR-AUC {metrics["pr_auc"]:.4f}.
ONNX parity with scikit-learn: max |Δp| {metrics["parity_max_abs_diff"]:.1e}.

{held_out}

## Inputs (in order) and the reason code each one explains

| input | reason code |
|---|---|
{features}

## Limits

- Synthetic fraud patterns are clean and one per claim; real fraud mixes patterns and hides better.
- Forensics were tuned on the generator's altered totals (a patch in another face and ink); other edits (digit
  splicing inside one JPEG, screen re-photographs) rely on ELA, copy-move and moiré rules whose thresholds were set
  on synthetic examples only.
- Inflated amounts on outpatient bills stay inside the usual range and are rarely caught; a claim without an
  invoice or bill shows no amount at all.
- A re-used invoice is found only if its first use was indexed (the index holds what was filed before).
"""


def write_fraud_card(models_dir: Path) -> Path:
    """``cards/fraud.md`` from ``reports/fraud_training.json`` and, once evaluated, ``reports/fraud.json``."""
    reports = models_dir / "reports"
    training = json.loads((reports / "fraud_training.json").read_text(encoding="utf-8"))
    bench = reports / "fraud_bench_forensics.json"
    if bench.is_file():
        training["bench_forensics"] = json.loads(bench.read_text(encoding="utf-8"))
    report = reports / "fraud.json"
    evaluation = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None
    path = models_dir / "cards" / "fraud.md"
    write_card(path, title="Fraud risk model (`fraud`)", body=fraud_card(training, evaluation))
    return path
