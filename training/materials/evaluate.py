"""``claims-ai evaluate materials``: is the missing-materials list exactly right on held-out synthetic claim bundles?

Reads bundles written by ``claims-ai dataset generate --claims …`` (``claims_datasets``): ``claims/<id>.json``
(facts, documents with their ``doc_type``, labels ``missing_materials``, ``severity_tier``,
``primary_diagnosis.written``) and ``pages/<page_id>.json`` (each page's ground-truth fields and text lines).

Each claim becomes a :class:`ClaimEvidence` built from the ground-truth pages (every document usable: the quality
gate and the extractor are not under test here), its primary diagnosis goes through the ONNX normaliser, the
severity rules give the disease groups, and :class:`MaterialsChecker` lists what is missing. A claim counts as right
when the set of missing document types equals the label's set. The severity tier is compared too (secondary).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from claims_ai.config import PROJECT_ROOT, ClaimType, Settings
from claims_ai.materials.missing import MaterialsChecker
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, FieldValue
from claims_ai.medical.normalizer import DiagnosisNormalizer
from claims_ai.medical.severity import DiagnosisInput, SeverityAssessor
from claims_ai.pipeline import InputFile, Pipeline
from claims_ai.types import ClaimFacts

__all__ = ["evaluate_materials", "load_bundle"]


def _facts(raw: dict) -> ClaimFacts:
    start = raw.get("policy_start_date")
    return ClaimFacts(
        claim_type=ClaimType(raw["claim_type"]) if raw.get("claim_type") else None,
        member_age=raw.get("member_age"),
        plan=raw.get("plan"),
        policy_start_date=dt.date.fromisoformat(start) if start else None,
        waiting_period_days=raw.get("waiting_period_days"),
    )


def load_bundle(claim_path: Path) -> tuple[dict, ClaimEvidence]:
    claim = json.loads(claim_path.read_text(encoding="utf-8"))
    pages_dir = claim_path.parent.parent / "pages"
    documents = []
    for doc in claim["documents"]:
        fields: dict[str, FieldValue] = {}
        texts: list[str] = []
        numbers: list[int] = []
        for number, page_id in enumerate(doc["pages"], 1):
            page_path = pages_dir / f"{page_id}.json"
            if not page_path.is_file():
                continue
            page = json.loads(page_path.read_text(encoding="utf-8"))
            numbers.append(number)
            for name, value in page.get("fields", {}).items():
                if value.get("value") and not value.get("masked"):
                    fields.setdefault(name, FieldValue(str(value["value"]), 1.0, number))
            diagnoses = [d["value"] for d in page.get("diagnoses", []) if d.get("value")]
            if diagnoses:
                fields.setdefault("diagnoses", FieldValue("##".join(diagnoses), 1.0, number))
            texts.extend(line["text"] for line in page.get("text_lines", []) if line.get("slip", 0) == 0)
        documents.append(
            DocumentEvidence(
                DocType(doc["doc_type"]),
                doc["document_id"],
                tuple(numbers) or (1,),
                fields=fields,
                text="\n".join(texts),
            )
        )
    return claim, ClaimEvidence(tuple(documents), _facts(claim["facts"]))


def _through_pipeline(claim: dict, pages_dir: Path, pipeline: Pipeline) -> tuple[list[str], str, dict]:
    """Missing document types, tier, and fraud score and route as the whole pipeline finds them from the claim's
    page images."""
    files = [
        InputFile(f"{page_id}.jpg", (pages_dir / f"{page_id}.jpg").read_bytes())
        for doc in claim["documents"]
        for page_id in doc["pages"]
        if (pages_dir / f"{page_id}.jpg").is_file()
    ]
    assessment = pipeline.assess(files, _facts(claim["facts"]))
    materials, severity = assessment.materials or {}, assessment.severity or {}
    fraud, decision = assessment.fraud or {}, assessment.decision or {}
    outcome = {"score": fraud.get("score"), "band": fraud.get("band"), "route": decision.get("route")}
    return sorted({m["doc_type"] for m in materials.get("missing", [])}), str(severity.get("tier")), outcome


def evaluate_materials(
    bundles: Path,
    models_dir: Path = PROJECT_ROOT / "models",
    out_dir: Path = Path("out/materials/eval"),
    *,
    through_pipeline: bool = False,
    limit: int | None = None,
) -> dict:
    """``through_pipeline``: read each claim's page images with the whole pipeline (OCR, types, fields, medical,
    materials) instead of its ground-truth pages — slow (seconds per page), but the figure a member would see."""
    normalizer = DiagnosisNormalizer.from_models_dir(models_dir, threads=2)
    assessor = SeverityAssessor()
    checker = MaterialsChecker()
    claims = sorted((bundles / "claims").glob("*.json"))[:limit]
    pipeline = Pipeline.from_settings(Settings()) if through_pipeline else None
    outcomes: list[dict] = []
    right = tier_right = 0
    errors: list[dict] = []
    splits: Counter[str] = Counter()
    tiers: Counter[tuple[str, str]] = Counter()
    for path in claims:
        claim, evidence = load_bundle(path)
        labels = claim["labels"]
        splits[claim.get("split", "?")] += 1
        written = (labels.get("primary_diagnosis") or {}).get("written") or ""
        diagnoses = (
            [DiagnosisInput.from_normalized(d) for d in normalizer.normalize(written).normalized] if written else []
        )
        if pipeline is not None:
            predicted, tier, outcome = _through_pipeline(claim, bundles / "pages", pipeline)
            outcomes.append(outcome | {"claim": claim["claim_id"], "is_fraud": bool(labels.get("is_fraud"))})
        else:
            result = checker.check(evidence, assessor.disease_groups(diagnoses))
            predicted = sorted({m.doc_type.value for m in result.missing})
            tier = assessor.assess(diagnoses, evidence).tier.value
        expected = sorted(set(labels.get("missing_materials", [])))
        if predicted == expected:
            right += 1
        else:
            errors.append(
                {
                    "claim": claim["claim_id"],
                    "expected": expected,
                    "predicted": predicted,
                    "claim_type": claim["facts"]["claim_type"],
                    "diagnosis": written,
                }
            )
        tiers[(labels.get("severity_tier", "?"), tier)] += 1
        tier_right += tier == labels.get("severity_tier")
    n = len(claims)
    report = {
        "mode": "pipeline (page images)" if through_pipeline else "ground-truth pages",
        "bundles": str(bundles),
        "claims": n,
        "splits": dict(splits),
        "missing_exactly_right": round(right / n, 4) if n else 0.0,
        "severity_tier_agreement": round(tier_right / n, 4) if n else 0.0,
        "tier_confusion": {f"{a}->{b}": c for (a, b), c in sorted(tiers.items())},
        "errors": errors[:50],
    }
    if outcomes:
        report["fraud_through_pipeline"] = _fraud_summary(outcomes)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    confusion = "\n".join(f"| {k} | {v} |" for k, v in report["tier_confusion"].items())
    (out_dir / "report.md").write_text(
        f"""# Missing materials on synthetic claim bundles

- mode: {report["mode"]}
- bundles: `{bundles}` ({n} claims; splits {dict(splits)})
- **missing-materials list exactly right: {report["missing_exactly_right"]:.4f}** ({right}/{n})
- severity tier equal to the bundle's label: {report["severity_tier_agreement"]:.4f}

| label -> assessed tier | claims |
|---|---|
{confusion}
""",
        encoding="utf-8",
    )
    return report


def _fraud_summary(outcomes: list[dict]) -> dict:
    """Fraud scores and routes of the pipeline's own reading, by label (ROC-AUC when both classes occur)."""
    scores = [(o["score"], o["is_fraud"]) for o in outcomes if isinstance(o["score"], int | float)]
    positives = [s for s, f in scores if f]
    negatives = [s for s, f in scores if not f]
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    routes = Counter((("fraud" if o["is_fraud"] else "legit"), o["route"]) for o in outcomes)
    return {
        "claims": len(outcomes),
        "fraudulent": len(positives),
        "roc_auc": round(sum(pairs) / len(pairs), 4) if pairs else None,
        "routes": {f"{kind}:{route}": n for (kind, route), n in sorted(routes.items())},
        "claims_detail": outcomes,
    }
