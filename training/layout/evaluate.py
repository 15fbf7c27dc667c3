"""Evaluation on the held-out OCR'd test split through the serving code (onnxruntime), written as a report.

Document type: accuracy, per-type recall, confusion matrix (PNG), calibration. Fields: exact match per field
for rules alone, the model alone, and both combined.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from claims_ai.classify.doc_type import DocTypeClassifier
from claims_ai.extract.fields import FieldExtractor
from claims_ai.extract.rules import RuleExtractor
from claims_ai.extract.tagger import FieldTagger
from claims_ai.types import OcrResult, TextLine
from training.corpus import read_corpus

__all__ = ["evaluate_doc_type", "evaluate_fields", "ocr_of"]

_DATES_AND_TOTALS = {"total_amount", "issue_date", "admission_date", "discharge_date"}


def ocr_of(record: dict[str, Any]) -> OcrResult:
    lines = tuple(
        TextLine(ln["text"], ln["confidence"], tuple(tuple(p) for p in ln["box"]))  # type: ignore[arg-type]
        for ln in record["ocr"]["lines"]
    )
    return OcrResult(lines, record["ocr"]["orientation"])


def evaluate_doc_type(classifier: DocTypeClassifier, test: Path, out: Path) -> dict[str, Any]:
    labels: list[str] = []
    predicted: list[str] = []
    confidences: list[float] = []
    for record in read_corpus(test):
        truth = record["truth"]
        doc_type, confidence = classifier.classify(ocr_of(record), truth["width"], truth["height"])
        labels.append(truth["doc_type"])
        predicted.append(doc_type.value)
        confidences.append(confidence)
    names = sorted(set(labels) | set(predicted))
    matrix = np.zeros((len(names), len(names)), dtype=int)
    for t, p in zip(labels, predicted, strict=True):
        matrix[names.index(t), names.index(p)] += 1
    correct = np.array([t == p for t, p in zip(labels, predicted, strict=True)])
    conf = np.array(confidences)
    bins = np.linspace(0, 1, 11)
    ece = sum(
        abs(correct[(conf > lo) & (conf <= hi)].mean() - conf[(conf > lo) & (conf <= hi)].mean())
        * ((conf > lo) & (conf <= hi)).mean()
        for lo, hi in itertools.pairwise(bins)
        if ((conf > lo) & (conf <= hi)).any()
    )
    report = {
        "pages": len(labels),
        "accuracy": round(float(correct.mean()), 4) if labels else 0.0,
        "expected_calibration_error": round(float(ece), 4),
        "recall_per_type": {n: round(float(matrix[i, i] / max(matrix[i].sum(), 1)), 4) for i, n in enumerate(names)},
        "confusion": {"labels": names, "matrix": matrix.tolist()},
        "model_version": classifier.version,
    }
    out.mkdir(parents=True, exist_ok=True)
    _confusion_png(matrix, names, out / "doc_type_confusion.png")
    (out / "doc_type.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = [
        f"# Document type on {report['pages']} held-out OCR'd pages",
        "",
        f"Accuracy **{report['accuracy']:.2%}**, expected calibration error {report['expected_calibration_error']}.",
        "",
        "| type | recall |",
        "|---|---|",
    ]
    lines += [f"| {n} | {r:.2%} |" for n, r in report["recall_per_type"].items()]
    lines += ["", "![confusion matrix](doc_type_confusion.png)"]
    (out / "doc_type.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _confusion_png(matrix: np.ndarray, names: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 8))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=70, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(len(names)):
        for j in range(len(names)):
            if matrix[i, j]:
                ax.text(
                    j,
                    i,
                    str(matrix[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate_fields(tagger: FieldTagger, test: Path, out: Path) -> dict[str, Any]:
    layers = {
        "rules": FieldExtractor(RuleExtractor(), None),
        "model": FieldExtractor(_NoRules(), tagger),
        "combined": FieldExtractor(RuleExtractor(), tagger),
    }
    hits: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    boxes: list[tuple[float, bool]] = []  # served (combined) values that are right: IoU and centres agree
    by_capture: dict[str, Counter] = defaultdict(Counter)  # served: right and all, per capture mode and group
    in_ocr: Counter = Counter()  # values whose characters OCR returned at all: what any extractor could reach
    items: Counter = Counter()  # line items (as served) on pages that print them
    for record in read_corpus(test):
        truth = record["truth"]
        ocr = ocr_of(record)
        wanted = {k: v["value"] for k, v in truth["fields"].items() if not v.get("masked")}
        totals.update(wanted.keys())
        page_text = _squash("".join(line.text for line in ocr.lines))
        mode = truth["capture"].get("mode", "unknown")
        for name, value in wanted.items():
            printed = truth["fields"][name].get("text") or value
            in_ocr[_group(name)] += _squash(value) in page_text or _squash(printed) in page_text
            by_capture[mode][f"{_group(name)}_all"] += 1
        for layer, extractor in layers.items():
            fields, _ = extractor.extract(ocr, truth["width"], truth["height"], 1, {"page": 1})
            if layer == "combined" and truth.get("line_items"):
                items.update(_item_counts(truth["line_items"], fields.get("line_items")))
            for name, value in wanted.items():
                if name in fields and fields[name].value == value:
                    hits[layer][name] += 1
                    if layer == "combined":
                        by_capture[mode][f"{_group(name)}_right"] += 1
                        if fields[name].box is not None:
                            boxes.append(_box_agreement(fields[name].box, truth["fields"][name]["box"]))
    table = {
        name: {layer: round(hits[layer][name] / totals[name], 4) for layer in layers} | {"count": totals[name]}
        for name in sorted(totals)
    }
    summary = {}
    for layer in layers:
        groups = {
            "totals_and_dates": [n for n in totals if _group(n) == "totals_and_dates"],
            "other_fields": [n for n in totals if _group(n) == "other_fields"],
        }
        for group, names in groups.items():
            summary[f"{layer}_{group}"] = round(
                sum(hits[layer][n] for n in names) / max(sum(totals[n] for n in names), 1), 4
            )
    for group in ("totals_and_dates", "other_fields"):
        count = sum(totals[n] for n in totals if _group(n) == group)
        summary[f"ocr_ceiling_{group}"] = round(in_ocr[group] / max(count, 1), 4)
    capture = {
        mode: {g: round(c[f"{g}_right"] / max(c[f"{g}_all"], 1), 4) for g in ("totals_and_dates", "other_fields")}
        | {"values": c["totals_and_dates_all"] + c["other_fields_all"]}
        for mode, c in sorted(by_capture.items())
    }
    ious = np.array([iou for iou, _ in boxes] or [0.0])
    summary["boxes_compared"] = len(boxes)
    summary["box_centres_agree"] = round(float(np.mean([agree for _, agree in boxes] or [0.0])), 4)
    summary["box_mean_iou"] = round(float(ious.mean()), 4)
    line_items = dict(sorted(items.items()))
    report = {
        "fields": table,
        "summary": summary,
        "by_capture": capture,
        "line_items": line_items,
        "model_version": tagger.version,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "fields.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = [
        "# Field exact match on held-out OCR'd pages",
        "",
        "| field | n | rules | model | combined |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {n} | {r['count']} | {r['rules']:.1%} | {r['model']:.1%} | {r['combined']:.1%} |" for n, r in table.items()
    ]
    lines += ["", "| summary | exact match |", "|---|---|"]
    lines += [f"| {k} | {v:.2%} |" for k, v in summary.items() if not k.startswith("box")]
    lines += [
        "",
        "`ocr_ceiling_*`: share of values whose characters are in the page's OCR text at all, what reading the text",
        "can reach on this OCR (the amount in words and the settlement identities restore a few more).",
        "",
        "| capture (as served) | values | totals and dates | other fields |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {mode} | {c['values']} | {c['totals_and_dates']:.1%} | {c['other_fields']:.1%} |"
        for mode, c in capture.items()
    ]
    lines += [
        "",
        f"Boxes of the {summary['boxes_compared']} right values (as served): the centre of each lies inside the other "
        f"(the printed value's box, 2 px slack) for **{summary['box_centres_agree']:.1%}**; mean IoU "
        f"{summary['box_mean_iou']:.3f} (OCR line boxes are padded: a whole line's box has about twice the area of "
        "its print).",
    ]
    lines += [
        "",
        f"Line items (as served) on the {items['pages']} pages that print them (bills' rows, invoices' charge "
        f"grids): served on {items['pages_served']}, only where they add up to the page's total (figure or words); "
        f"{items['pages_exact']} of those are the printed list exactly. Rows: {items['rows_served']} served of "
        f"{items['rows_printed']} printed, {items['rows_right']} with name and amount right, "
        f"{items['amounts_right']} with the amount right.",
    ]
    (out / "fields.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _item_counts(printed: list[dict[str, Any]], served: Any) -> Counter:
    """Pages and rows of line items: printed, served, and served right (name and amount, or the amount)."""
    rows = served.value if served is not None else ()
    want = Counter((i["name"], i["amount"]) for i in printed)
    got = Counter((i.name, i.amount) for i in rows)
    amounts = Counter(a for _, a in want.elements()) & Counter(a for _, a in got.elements())
    return Counter(
        pages=1,
        pages_served=served is not None,
        pages_exact=served is not None and want == got,
        rows_printed=len(printed),
        rows_served=len(rows),
        rows_right=sum((want & got).values()),
        amounts_right=sum(amounts.values()),
    )


def _group(name: str) -> str:
    return "totals_and_dates" if name in _DATES_AND_TOTALS else "other_fields"


def _squash(text: str) -> str:
    """Text without the separators that formats differ in ("2020年12月23日" ~ "2020-12-23", "24,189.65")."""
    return re.sub(r"[\s,，.\-/年月日:：]", "", text)


def _box_agreement(found: Any, printed: Any) -> tuple[float, bool]:
    """IoU of two quads, and whether each one's centre lies inside the other (the printed box with 2 px slack)."""
    a, b = (np.asarray(q, dtype=np.float32).reshape(4, 2) for q in (found, printed))
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    inside = (
        cv2.pointPolygonTest(b, tuple(map(float, a.mean(axis=0))), True) >= -2
        and cv2.pointPolygonTest(a, tuple(map(float, b.mean(axis=0))), False) >= 0
    )
    return (float(inter / union) if union > 0 else 0.0), bool(inside)


class _NoRules(RuleExtractor):
    """The model alone: a rule layer that finds nothing."""

    def extract(self, ocr: OcrResult, width: int, height: int) -> dict:
        return {}
