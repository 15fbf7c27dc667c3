"""Benchmark: page forensics (``PageForensicsAnalyzer.analyze``) on rendered bill pages of synthetic claim bundles.

Reports CPU time per page (``time.process_time``: what one core spends, whatever else the shared machine runs) and
wall time, median and p95, with the page sizes.

    .venv/bin/python scripts/bench_fraud_forensics.py out/fraud/test_claims [--pages 100] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from claims_ai.fraud.forensics import PageForensicsAnalyzer

BILLS = ("medical_invoice_inpatient", "medical_invoice_outpatient", "itemized_bill")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", type=Path)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("out/fraud/bench_forensics.json"))
    args = parser.parse_args()
    analyzer = PageForensicsAnalyzer()
    cpu, wall, pixels = [], [], []
    for truth_path in sorted((args.bundles / "pages").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth["doc_type"] not in BILLS:
            continue
        data = truth_path.with_suffix(".jpg").read_bytes()
        image = cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        boxes = {k: v["box"] for k, v in truth["fields"].items() if not v.get("masked")}
        c, w = time.process_time(), time.perf_counter()
        analyzer.analyze(image, data, boxes)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
        pixels.append(image.shape[0] * image.shape[1] / 1e6)
        if len(cpu) >= args.pages:
            break
    figures = {
        "pages": len(cpu),
        "megapixels_median": round(float(np.median(pixels)), 2),
        "cpu_ms_median": round(float(np.median(cpu)), 1),
        "cpu_ms_p95": round(float(np.percentile(cpu, 95)), 1),
        "wall_ms_median": round(float(np.median(wall)), 1),
        "wall_ms_p95": round(float(np.percentile(wall, 95)), 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
