"""Does the project's OCR read the key ground-truth values back from generated pages?

A page counts as recovered when every readable key field it has (total, dates, hospital) is found in the OCR
text after normalising separators and spaces. Reported per capture mode.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from pathlib import Path

from claims_datasets.generate import GenerationOptions, make_page
from claims_datasets.schema import CaptureMode, PageTruth, Split, check_seed_range

__all__ = ["KEY_FIELDS", "field_recovered", "normalise", "run_ocr_check"]

KEY_FIELDS = ("total_amount", "issue_date", "admission_date", "discharge_date", "hospital_name")
_MODES = (CaptureMode.ELECTRONIC, CaptureMode.SCAN, CaptureMode.PHOTO)
_DROP = re.compile(r"[\s,，.。:：;；|/\-—_年月日()（）¥￥]")


def normalise(text: str) -> str:
    return _DROP.sub("", text).replace("O", "0").replace("o", "0").upper()


def field_recovered(printed: str, value: str, ocr_text: str) -> bool:
    """True when the printed text (or its normalised value) appears in the page's OCR text."""
    hay = normalise(ocr_text)
    return any(normalise(c) and normalise(c) in hay for c in (printed, value))


def _keys(truth: PageTruth) -> dict[str, tuple[str, str]]:
    return {k: (f.text, f.value) for k, f in truth.fields.items() if k in KEY_FIELDS and not f.masked}


def run_ocr_check(out: Path, *, pages: int, seed: int, split: Split = Split.TEST) -> dict:
    """Generate ``pages`` pages, OCR them, and write ``report.json`` / ``report.md`` under ``out``."""
    from claims_ai.config import Settings
    from claims_ai.ocr.ppocr import PpOcrEngine
    from claims_ai.runtime.manifest import ModelManifest

    check_seed_range(split, seed, pages)
    settings = Settings()
    engine = PpOcrEngine(settings.ocr, ModelManifest.load(settings.models_dir))
    out.mkdir(parents=True, exist_ok=True)
    per_mode: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_field: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses = []
    started = time.perf_counter()
    for i in range(pages):
        # Cycle the capture modes so each gets about a third of the pages (paper forms asked for an
        # electronic capture are scanned instead).
        captured, truth = make_page(seed + i, GenerationOptions(split=split), mode=_MODES[i % 3])
        keys = _keys(truth)
        if not keys:
            continue
        result = engine.read(captured.image)
        text = "".join(line.text for line in result.lines)
        mode = truth.capture["mode"]
        found = {k: field_recovered(p, v, text) for k, (p, v) in keys.items()}
        per_mode[mode]["pages"] += 1
        per_mode[mode]["recovered"] += all(found.values())
        for k, ok in found.items():
            per_field[k]["present"] += 1
            per_field[k]["recovered"] += ok
        if not all(found.values()):
            misses.append(
                {
                    "page": truth.page_id,
                    "doc_type": truth.doc_type,
                    "mode": mode,
                    "missed": {k: keys[k][0] for k, ok in found.items() if not ok},
                }
            )
    seconds = time.perf_counter() - started
    report = {
        "pages_checked": sum(m["pages"] for m in per_mode.values()),
        "seeds": [seed, seed + pages - 1],
        "split": split.value,
        "seconds": round(seconds, 1),
        "per_capture_mode": {
            m: {**v, "share": round(v["recovered"] / max(v["pages"], 1), 3)} for m, v in sorted(per_mode.items())
        },
        "per_field": {
            k: {**v, "share": round(v["recovered"] / max(v["present"], 1), 3)} for k, v in sorted(per_field.items())
        },
        "misses": misses,
    }
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        "# OCR recovery of key fields on generated pages",
        "",
        f"{report['pages_checked']} pages ({split.value} seeds {seed}..{seed + pages - 1}), {seconds:.0f} s",
        "",
        "| capture mode | pages | all key fields recovered | share |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {m} | {v['pages']} | {v['recovered']} | {v['share']:.0%} |" for m, v in report["per_capture_mode"].items()
    ]
    lines += ["", "| field | pages with it | recovered | share |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {v['present']} | {v['recovered']} | {v['share']:.0%} |" for k, v in report["per_field"].items()]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
