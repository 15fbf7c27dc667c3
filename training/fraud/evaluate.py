"""``claims-ai evaluate fraud``: the shipped scorer on held-out synthetic claims (test seeds).

Reports (``fraud.md`` / ``fraud.json`` / ``fraud_routing.png`` / ``fraud_roc.png`` under the report folder):

1. ROC-AUC and PR-AUC of the score (target ROC-AUC ≥ 0.95).
2. For each fraudulent claim, whether the injected pattern's reason code is among its top three reasons (target
   ≥ 90% overall), per pattern — over all fraudulent claims, and over those whose pattern left evidence the stage
   can see (an amount on an invoice, bill or claim form for amount patterns; the re-used invoice's source claim
   filed earlier with that very invoice, for re-use patterns).
3. Routing: the decision for every claim at the configured policy (materials, severity tier, checks, fraud band);
   investigations avoided against investigating every claim, fraud that slips through, and the cost at 2,500 and
   3,000 yuan per field investigation — plus the same across fraud-score thresholds (curve and table).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from claims_ai.config import PROJECT_ROOT, Settings
from claims_ai.decision import Route, route
from claims_ai.fraud.assessor import FraudAssessor
from claims_ai.fraud.duplicates import MemoryDuplicateIndex, invoice_keys
from claims_ai.fraud.scorer import FraudScorer
from claims_ai.materials.missing import MaterialsChecker
from claims_ai.medical.normalizer import DiagnosisNormalizer
from claims_ai.medical.severity import DiagnosisInput, SeverityAssessor
from training.fraud.metrics import held_out_metrics, plot_curves
from training.fraud.synthetic import ClaimInputs, iter_claims

__all__ = ["COSTS_YUAN", "evaluate_fraud", "record_in_manifest", "threshold_curve"]

COSTS_YUAN = (2500, 3000)
_AMOUNT_PATTERNS = {"altered_amount", "items_dont_add_up", "words_figure_mismatch", "inflated_amount"}
_REUSE_PATTERNS = {"invoice_reused", "image_reused"}


def _observable(item: ClaimInputs, pattern: str, invoices_seen: set[str]) -> bool:
    """Did the pattern leave evidence the fraud stage can see on this claim?"""
    if pattern in _AMOUNT_PATTERNS:
        return any(d.value("total_amount") for d in item.evidence.documents)
    if pattern in _REUSE_PATTERNS:  # the source claim filed that very invoice earlier in the run
        label = next(f for f in item.claim["labels"]["fraud"] if f["pattern"] == pattern)
        return label.get("source_claim") in invoices_seen
    return True


def _invoice_as_issued(item: ClaimInputs) -> bool:
    """The claim filed its own invoice unchanged (a later claim re-using that invoice would match it)."""
    for label in item.claim["labels"]["fraud"]:
        if label["pattern"] in _AMOUNT_PATTERNS | _REUSE_PATTERNS:
            return False
        if str(label.get("doc_type", "")).startswith("medical_invoice"):
            return False
    return True


def threshold_curve(scores: np.ndarray, fraud: np.ndarray, steps: int = 101) -> list[dict[str, float]]:
    """Investigate every claim scoring ≥ t: investigations, fraud caught and slipped, cost, per threshold."""
    n, frauds = len(scores), max(int(fraud.sum()), 1)
    rows = []
    for t in np.linspace(0, 1, steps):
        flagged = scores >= t
        caught = int((flagged & (fraud == 1)).sum())
        row = {
            "threshold": round(float(t), 2),
            "investigations": int(flagged.sum()),
            "avoided": int(n - flagged.sum()),
            "avoided_share": round(float(1 - flagged.mean()), 4),
            "fraud_caught": caught,
            "fraud_slipped": int(fraud.sum()) - caught,
            "fraud_slipped_share": round(1 - caught / frauds, 4),
        }
        for cost in COSTS_YUAN:
            row[f"cost_{cost}"] = int(flagged.sum()) * cost
        rows.append(row)
    return rows


def _plot_curve(curve: list[dict[str, float]], out: Path, configured: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [r["threshold"] for r in curve]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.plot(t, [1 - r["avoided_share"] for r in curve], label="claims investigated (share)")
    ax.plot(t, [r["fraud_slipped_share"] for r in curve], label="fraud not investigated (share)")
    ax.axvline(configured, linestyle=":", color="grey", label=f"configured high band from {configured:.2f}")
    ax.set(xlabel="investigate when fraud score ≥ threshold", ylabel="share", ylim=(0, 1.02))
    ax2 = ax.twinx()
    ax2.plot(t, [r["cost_2500"] / 1e4 for r in curve], color="tab:green", alpha=0.5, label="cost @2,500 (10k yuan)")
    ax2.plot(t, [r["cost_3000"] / 1e4 for r in curve], color="tab:red", alpha=0.5, label="cost @3,000 (10k yuan)")
    ax2.set_ylabel("investigation cost, 10,000 yuan")
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(lines, labels, loc="center right", fontsize=7)
    ax.set_title("Investigations and slipped fraud across thresholds")
    fig.tight_layout()
    fig.savefig(out / "fraud_routing.png", dpi=110)
    plt.close(fig)


def evaluate_fraud(
    bundles: Path, models_dir: Path = PROJECT_ROOT / "models", out: Path = PROJECT_ROOT / "models" / "reports"
) -> dict[str, Any]:
    settings = Settings()
    scorer = FraudScorer.from_models_dir(models_dir, name=settings.fraud.model_name, threads=1)
    assessor = FraudAssessor(scorer, MemoryDuplicateIndex(), settings.fraud)
    normalizer = DiagnosisNormalizer.from_models_dir(models_dir, threads=1)
    severity_assessor, materials_checker = SeverityAssessor(), MaterialsChecker()
    scores, labels, routes = [], [], Counter()
    fraud_routes: Counter[str] = Counter()
    top3: dict[str, list[int]] = defaultdict(list)
    top3_seen: dict[str, list[int]] = defaultdict(list)
    invoices_seen: set[str] = set()
    examples: list[dict[str, Any]] = []
    ms: list[float] = []
    for item in iter_claims(bundles):
        result = assessor.assess(
            item.evidence, item.checks, item.diagnosis_codes, item.forensics, item.page_hashes, claim_id=item.claim_id
        )
        assessor.register(item.claim_id, item.evidence, item.page_hashes)
        if invoice_keys(item.evidence) and _invoice_as_issued(item):
            invoices_seen.add(item.claim_id)
        written = (item.claim["labels"].get("primary_diagnosis") or {}).get("written") or ""
        diagnoses = (
            [DiagnosisInput.from_normalized(d) for d in normalizer.normalize(written).normalized] if written else []
        )
        severity = severity_assessor.assess(diagnoses, item.evidence)
        materials = materials_checker.check(item.evidence, severity_assessor.disease_groups(diagnoses))
        decision = route(materials, severity, item.checks, result, settings.decision)
        routes[decision.route.value] += 1
        scores.append(result.score)
        labels.append(1 if item.patterns else 0)
        ms += list(item.forensics_ms)
        codes = [r.code for r in result.reasons[:3]]
        for pattern in item.patterns:
            hit = int(pattern in codes)
            top3[pattern].append(hit)
            if _observable(item, pattern, invoices_seen - {item.claim_id}):
                top3_seen[pattern].append(hit)
            fraud_routes[decision.route.value] += 1
            if len(examples) < 12 and (not hit or len(examples) < 6):
                examples.append(
                    {
                        "claim": item.claim_id,
                        "pattern": pattern,
                        "score": round(result.score, 3),
                        "hit": bool(hit),
                        "top_reasons": codes,
                        "route": decision.route.value,
                    }
                )
    y, p = np.array(labels), np.array(scores)
    report = _report(bundles, y, p, routes, fraud_routes, top3, top3_seen, settings, examples, ms)
    out.mkdir(parents=True, exist_ok=True)
    plot_curves(y, p, out / "fraud_plots", "held-out synthetic claims")
    for name in ("roc", "pr"):
        (out / "fraud_plots" / f"{name}.png").replace(out / f"fraud_{name}.png")
    (out / "fraud_plots").rmdir()
    _plot_curve(report["threshold_curve"], out, settings.fraud.high_from)
    (out / "fraud.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "fraud.md").write_text(_markdown(report), encoding="utf-8")
    if out.resolve() == (models_dir / "reports").resolve() and (out / "fraud_training.json").is_file():
        from training.fraud.card import write_fraud_card

        write_fraud_card(models_dir)  # the card quotes the held-out figures
        record_in_manifest(models_dir, settings.fraud.model_name, report)
    return report


def record_in_manifest(models_dir: Path, name: str, report: dict[str, Any]) -> None:
    """Add the held-out figures to the model's manifest entry (as the other models' entries carry theirs)."""
    path = models_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["models"]:
        if entry["name"] == name:
            entry.setdefault("metrics", {}).update(
                {
                    "test_roc_auc": report["roc_auc"],
                    "test_pr_auc": report["pr_auc"],
                    "test_top3_reason_hit_rate": report["top3_hit_rate"],
                    "test_claims": report["claims"],
                }
            )
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _rate(hits: list[int]) -> float:
    return round(sum(hits) / len(hits), 4) if hits else 0.0


def _report(
    bundles: Path,
    y: np.ndarray,
    p: np.ndarray,
    routes: Counter[str],
    fraud_routes: Counter[str],
    top3: dict[str, list[int]],
    top3_seen: dict[str, list[int]],
    settings: Settings,
    examples: list[dict[str, Any]],
    ms: list[float],
) -> dict[str, Any]:
    n, frauds = len(y), int(y.sum())
    investigated = routes.get(Route.INVESTIGATE.value, 0)
    all_hits = [h for v in top3.values() for h in v]
    seen_hits = [h for v in top3_seen.values() for h in v]
    routing = {
        "claims": n,
        "fraudulent": frauds,
        "routes": dict(routes),
        "fraud_routes": dict(fraud_routes),
        "investigations_if_all": n,
        "investigations": investigated,
        "investigations_avoided": n - investigated,
        "investigations_avoided_share": round((n - investigated) / n, 4) if n else 0.0,
        "fraud_not_investigated": frauds - fraud_routes.get(Route.INVESTIGATE.value, 0),
        "fraud_not_investigated_share": round(1 - fraud_routes.get(Route.INVESTIGATE.value, 0) / max(frauds, 1), 4),
        "fraud_auto_approved": fraud_routes.get(Route.AUTO_APPROVE.value, 0),
        "cost": {
            str(c): {"all": n * c, "policy": investigated * c, "saved": (n - investigated) * c} for c in (2500, 3000)
        },
    }
    return {
        "bundles": str(bundles),
        "claims": n,
        **held_out_metrics(y, p),
        "top3_hit_rate": _rate(all_hits),
        "top3_hit_rate_observable": _rate(seen_hits),
        "top3_by_pattern": {
            k: {
                "claims": len(v),
                "hit_rate": _rate(v),
                "observable": len(top3_seen[k]),
                "observable_hit_rate": _rate(top3_seen[k]),
            }
            for k, v in sorted(top3.items())
        },
        "policy": {
            "medium_from": settings.fraud.medium_from,
            "high_from": settings.fraud.high_from,
            "investigate_rules": list(settings.decision.investigate_rules),
        },
        "routing": routing,
        "threshold_curve": threshold_curve(p, y),
        "forensics_ms_per_page": {
            "pages": len(ms),
            "median": round(float(np.median(ms)), 1) if ms else None,
            "p95": round(float(np.percentile(ms, 95)), 1) if ms else None,
        },
        "examples": examples,
    }


def _markdown(r: dict[str, Any]) -> str:
    rt = r["routing"]
    patterns = "\n".join(
        f"| {k} | {v['claims']} | {v['hit_rate']:.1%} | {v['observable']} | {v['observable_hit_rate']:.1%} |"
        for k, v in r["top3_by_pattern"].items()
    )
    curve = "\n".join(
        f"| {c['threshold']:.2f} | {c['investigations']} | {c['avoided_share']:.1%} | {c['fraud_slipped']} "
        f"({c['fraud_slipped_share']:.1%}) | {c['cost_2500']:,} | {c['cost_3000']:,} |"
        for c in r["threshold_curve"]
        if round(c["threshold"] * 100) % 5 == 0
    )
    cost = "\n".join(
        f"| {c:,} | {v['all']:,} | {v['policy']:,} | {v['saved']:,} |"
        for c, v in ((int(k), v) for k, v in rt["cost"].items())
    )
    routes = ", ".join(f"{k} {v}" for k, v in sorted(rt["routes"].items()))
    fraud_routes = ", ".join(f"{k} {v}" for k, v in sorted(rt["fraud_routes"].items()))
    return f"""# Fraud risk on held-out synthetic claims

Bundles `{r["bundles"]}`: {r["claims"]} claims (test seeds), {r["positives"]} fraudulent.
Extraction is simulated by ground truth (see `models/cards/fraud.md`); checks, forensics on the rendered page
images, page hashes and duplicate lookups (against the earlier claims of this run) are real.

## Score

| ROC-AUC | PR-AUC | Brier | mean score | base rate |
|---:|---:|---:|---:|---:|
| **{r["roc_auc"]:.4f}** | {r["pr_auc"]:.4f} | {r["brier"]:.4f} | {r["mean_score"]:.3f} | {r["base_rate"]:.3f} |

Curves: `fraud_roc.png`, `fraud_pr.png`.

## Is the injected pattern among the top three reasons?

All fraudulent claims: **{r["top3_hit_rate"]:.1%}**; claims whose pattern left visible evidence:
**{r["top3_hit_rate_observable"]:.1%}** (amount patterns need an amount on an invoice, bill or claim form; re-use
patterns need the source claim to have filed that very invoice earlier in the run).

| pattern | claims | in top 3 | observable | in top 3 (observable) |
|---|---:|---:|---:|---:|
{patterns}

## Routing at the configured policy

Bands: medium from {r["policy"]["medium_from"]}, high from {r["policy"]["high_from"]}; investigate the high band and
fired rules {", ".join(r["policy"]["investigate_rules"])}.

- routes: {routes}
- fraudulent claims by route: {fraud_routes}
- investigations: {rt["investigations"]} of {rt["claims"]} claims — **{rt["investigations_avoided"]} avoided
  ({rt["investigations_avoided_share"]:.1%})** against investigating every claim
- fraud not sent to investigation: {rt["fraud_not_investigated"]} of {rt["fraudulent"]}
  ({rt["fraud_not_investigated_share"]:.1%}); paid automatically: {rt["fraud_auto_approved"]}

| yuan per investigation | investigate all | at the policy | saved |
|---:|---:|---:|---:|
{cost}

## Across thresholds (investigate when score ≥ t; `fraud_routing.png`)

| t | investigations | avoided | fraud slipped | cost @2,500 | cost @3,000 |
|---:|---:|---:|---:|---:|---:|
{curve}

Forensics: {r["forensics_ms_per_page"]["pages"]} bill pages, median {r["forensics_ms_per_page"]["median"]} ms,
p95 {r["forensics_ms_per_page"]["p95"]} ms per page (shared 2-core machine under load).
"""
