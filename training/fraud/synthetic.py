"""Synthetic claims → the fraud stage's inputs, the training table, and the shipped scorer.

Extraction is simulated by ground truth: each bundle goes through :func:`training.materials.evaluate.load_bundle`
(the path every synthetic evaluation uses), then gets what that loader leaves out and the fraud stage needs — field
boxes, charge lines, the amount in words, the page each document came from. Everything after that is real: the
cross-document checks, image forensics on the rendered page images, page hashes, and duplicate lookups against an
index holding the earlier claims of the same run (claims are processed in seed order, as they would arrive).
Forensics and hashes are cached per page under ``<bundles>/fraud_cache`` because they dominate the run time.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from claims_ai.fraud.duplicates import MemoryDuplicateIndex, PageHash, invoice_keys, page_hash
from claims_ai.fraud.features import MODEL_FEATURES, FeatureBuilder
from claims_ai.fraud.forensics import PageForensicsAnalyzer
from claims_ai.fraud.tabular import ColumnKind, ColumnSpec, FeatureSpec
from claims_ai.fraud.types import ForensicCheck, ForensicFinding, PageForensics
from claims_ai.materials.checks import CheckResult, CrossDocumentChecker
from claims_ai.medical.evidence import ClaimEvidence, DocumentEvidence, FieldValue
from training.fraud.render import AMOUNT_DOC_TYPES
from training.layout.publish import update_manifest
from training.materials.evaluate import load_bundle

__all__ = ["ClaimInputs", "iter_claims", "synthetic_table", "train_synthetic"]


@dataclass(frozen=True)
class ClaimInputs:
    """What the pipeline would hand the fraud stage for one claim, plus the claim's labels."""

    claim: dict
    evidence: ClaimEvidence
    checks: tuple[CheckResult, ...]
    diagnosis_codes: tuple[str, ...]
    forensics: tuple[PageForensics, ...]
    page_hashes: tuple[PageHash, ...]
    forensics_ms: tuple[float, ...]

    @property
    def claim_id(self) -> str:
        return str(self.claim["claim_id"])

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(f["pattern"] for f in self.claim["labels"]["fraud"])


def _quad(box: Any) -> Any:
    return tuple((float(x), float(y)) for x, y in box) if box else None


def _enrich(doc: DocumentEvidence, raw_doc: dict, pages_dir: Path) -> DocumentEvidence:
    """Boxes, charge lines, amount in words and the page file, from the document's ground-truth pages."""
    fields = dict(doc.fields)
    items: list[tuple[str, str]] = []
    page_id = raw_doc["pages"][0] if raw_doc["pages"] else doc.document_id
    for number, pid in enumerate(raw_doc["pages"], 1):
        path = pages_dir / f"{pid}.json"
        if not path.is_file():
            continue
        truth = json.loads(path.read_text(encoding="utf-8"))
        for name, value in truth.get("fields", {}).items():
            if name in fields and fields[name].page == number and fields[name].box is None:
                fields[name] = replace(fields[name], box=_quad(value["box"]))
        words = truth.get("extra_fields", {}).get("amount_in_words")
        if words and not words.get("masked") and "amount_in_words" not in fields:
            fields["amount_in_words"] = FieldValue(str(words["value"]), 1.0, number, _quad(words["box"]))
        items += [(i["name"], i["amount"]) for i in truth.get("line_items", [])]
    return replace(doc, fields=fields, line_items=tuple(items), file=page_id, pages=(1,))


def _decode(path: Path) -> tuple[np.ndarray, bytes]:
    data = path.read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), data


def _page_results(
    page_id: str, pages_dir: Path, analyzer: PageForensicsAnalyzer, cache: Path
) -> tuple[PageForensics, PageHash | None]:
    cached = cache / f"{page_id}.json"
    if cached.is_file():
        raw = json.loads(cached.read_text(encoding="utf-8"))
        findings = tuple(
            ForensicFinding(ForensicCheck(f["check"]), f["score"], f["field"], _quad(f["box"]), f["note"])
            for f in raw["findings"]
        )
        h = raw.get("hash")
        hashed = PageHash(None, page_id, 1, h[0], h[1]) if h else None
        return PageForensics(page_id, 1, findings, raw["ms"]), hashed
    truth = json.loads((pages_dir / f"{page_id}.json").read_text(encoding="utf-8"))
    boxes = {k: _quad(v["box"]) for k, v in truth.get("fields", {}).items() if not v.get("masked")}
    image, data = _decode(pages_dir / f"{page_id}.jpg")
    forensics = analyzer.analyze(image, data, boxes, file=page_id, page=1)
    hashed = page_hash(image, boxes, file=page_id, page=1)
    record = {
        "findings": [f.to_dict() for f in forensics.findings],
        "ms": forensics.milliseconds,
        "hash": [hashed.value, hashed.page_value] if hashed else None,
    }
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(record), encoding="utf-8")
    return forensics, hashed


def claim_inputs(claim_path: Path, analyzer: PageForensicsAnalyzer, checker: CrossDocumentChecker) -> ClaimInputs:
    claim, evidence = load_bundle(claim_path)
    pages_dir = claim_path.parent.parent / "pages"
    cache = claim_path.parent.parent / "fraud_cache"
    raw_docs = {d["document_id"]: d for d in claim["documents"]}
    documents = tuple(_enrich(d, raw_docs[d.document_id], pages_dir) for d in evidence.documents)
    evidence = replace(evidence, documents=documents)
    forensics, hashes, ms = [], [], []
    for doc in documents:
        if doc.doc_type.value not in AMOUNT_DOC_TYPES or not (pages_dir / f"{doc.file}.jpg").is_file():
            continue
        found, hashed = _page_results(doc.file, pages_dir, analyzer, cache)
        forensics.append(found)
        ms.append(found.milliseconds)
        if hashed is not None:
            hashes.append(replace(hashed, document_id=doc.document_id))
    code = (claim["labels"].get("primary_diagnosis") or {}).get("icd10") or ""
    return ClaimInputs(
        claim, evidence, checker.check(evidence), (code,) if code else (), tuple(forensics), tuple(hashes), tuple(ms)
    )


def iter_claims(bundles: Path) -> Iterator[ClaimInputs]:
    """Claims in seed order (the order they would have arrived in)."""
    analyzer, checker = PageForensicsAnalyzer(), CrossDocumentChecker()
    for path in sorted((bundles / "claims").glob("*.json")):
        yield claim_inputs(path, analyzer, checker)


def synthetic_table(bundles: Path) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """The training matrix (columns :data:`MODEL_FEATURES`), labels, and one info row per claim."""
    builder = FeatureBuilder()
    index = MemoryDuplicateIndex()
    rows, labels, info = [], [], []
    for item in iter_claims(bundles):
        hits = index.find(item.claim_id, item.page_hashes, invoice_keys(item.evidence))
        index.add(item.claim_id, item.page_hashes, invoice_keys(item.evidence))
        features = builder.build(item.evidence, item.checks, item.diagnosis_codes, item.forensics, hits)
        rows.append(features.vector(MODEL_FEATURES))
        labels.append(1 if item.patterns else 0)
        info.append(
            {"claim_id": item.claim_id, "patterns": list(item.patterns), "forensics_ms": list(item.forensics_ms)}
        )
    return np.stack(rows), np.array(labels, dtype=np.int64), info


def synthetic_spec() -> FeatureSpec:
    return FeatureSpec(
        columns=tuple(ColumnSpec(name, ColumnKind.NUMERIC) for name in MODEL_FEATURES),
        label={"column": "is_fraud", "positive": [1]},
    )


def train_synthetic(bundles: Path, models_dir: Path, out: Path, *, seed: int = 0, version: str = "1.0.0") -> dict:
    """Build the table from ``bundles`` (train seeds), train through :func:`train_tabular`, ship to ``models_dir``."""
    from training.fraud.train import train_tabular

    start = time.perf_counter()
    x, y, info = synthetic_table(bundles)
    table_seconds = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    _write_table(out / "features.csv", x, y, info)
    metrics = train_tabular(
        x, y, synthetic_spec(), out, title="synthetic claims (held-out train seeds)", seed=seed, version=version
    )
    ms = [m for i in info for m in i["forensics_ms"]]
    metrics.update(
        {
            "claims": len(y),
            "fraud_claims": int(y.sum()),
            "feature_table_seconds": round(table_seconds, 1),
            "forensics_ms_per_page_median": round(float(np.median(ms)), 1) if ms else None,
            "forensics_ms_per_page_p95": round(float(np.percentile(ms, 95)), 1) if ms else None,
            "bill_pages": len(ms),
        }
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    shutil.copyfile(out / "model.onnx", models_dir / "fraud.onnx")
    shutil.copyfile(out / "model.spec.json", models_dir / "fraud.spec.json")
    manifest_metrics = {k: metrics[k] for k in ("roc_auc", "pr_auc", "brier", "claims", "parity_max_abs_diff")}
    update_manifest(
        models_dir,
        name="fraud",
        version=version,
        filename="fraud.onnx",
        metrics=manifest_metrics,
        description="Fraud risk: calibrated gradient-boosted trees over claim signals; see models/cards/fraud.md.",
        inputs=("features",),
    )
    from training.fraud.card import training_summary, write_fraud_card

    summary = training_summary(metrics, info)
    reports = models_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "fraud_training.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    write_fraud_card(models_dir)
    return metrics


def _write_table(path: Path, x: np.ndarray, y: np.ndarray, info: list[dict[str, Any]]) -> None:
    header = ["claim_id", "patterns", *MODEL_FEATURES, "is_fraud"]
    lines = [",".join(header)]
    for row, label, meta in zip(x, y, info, strict=True):
        values = ["" if math.isnan(v) else f"{v:.6g}" for v in row.tolist()]
        lines.append(",".join([meta["claim_id"], "|".join(meta["patterns"]), *values, str(int(label))]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
