"""``claims-ai evaluate diagnosis``: CHIP-CDN-style F1 of the serving normaliser (ONNX re-ranker through
onnxruntime, exactly as the service runs it) on the fixed held-out split; writes ``report.md`` and ``report.json``.

The report holds figures only; it never quotes CHIP-CDN texts (they must not be copied into the repository).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from claims_ai.config import PROJECT_ROOT
from claims_ai.medical.normalizer import DiagnosisNormalizer
from training.diagnosis.data import DEFAULT_CHIP_PATH, SPLIT_SALT, load_examples
from training.diagnosis.metrics import set_f1

__all__ = ["evaluate"]


def evaluate(
    chip_path: Path = DEFAULT_CHIP_PATH,
    models_dir: Path = PROJECT_ROOT / "models",
    out_dir: Path = Path("out/diagnosis/eval"),
    split: str = "test",
) -> dict:
    examples = load_examples(chip_path)[split]
    normalizer = DiagnosisNormalizer.from_models_dir(models_dir, threads=2)
    started = time.perf_counter()
    pairs = []
    candidate_hits = gold_total = 0
    by_count: dict[str, list[tuple[list[str], tuple[str, ...]]]] = {}
    for example in examples:
        result = normalizer.normalize(example.text)
        predicted = [d.name for d in result.normalized]
        pairs.append((predicted, example.labels))
        bucket = str(min(len(example.labels), 3)) + ("+" if len(example.labels) >= 3 else "")
        by_count.setdefault(bucket, []).append((predicted, example.labels))
        cands = normalizer.generator.generate(example.text)
        retrieved = {normalizer.names[int(i)] for i in cands.indices}
        candidate_hits += sum(label in retrieved for label in example.labels)
        gold_total += len(example.labels)
    seconds = time.perf_counter() - started
    scores = set_f1(pairs)
    report = {
        "task": "CHIP-CDN diagnosis normalisation (set match of ##-joined standard names, micro-averaged)",
        "split": split,
        "split_rule": f"bucket = int(sha256('{SPLIT_SALT}' + text)[:8], 16) % 100; test < 20, validation 20-29",
        "texts": len(examples),
        "model": normalizer.version,
        "threshold": normalizer.threshold,
        **scores.as_dict(),
        "candidate_recall": round(candidate_hits / gold_total, 4) if gold_total else 0.0,
        "by_gold_count": {k: set_f1(v).as_dict() for k, v in sorted(by_count.items())},
        "ms_per_text": round(1000 * seconds / max(len(examples), 1), 2),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = "\n".join(
        f"| {k} | {v['texts']} | {v['precision']:.4f} | {v['recall']:.4f} | {v['f1']:.4f} |"
        for k, v in report["by_gold_count"].items()
    )
    (out_dir / "report.md").write_text(
        f"""# Diagnosis normalisation: CHIP-CDN held-out evaluation

- split: `{split}` ({report["texts"]} texts); {report["split_rule"]}
- model: `{report["model"]}`, decision threshold {report["threshold"]:.3f}
- **F1 {report["f1"]:.4f}** (precision {report["precision"]:.4f}, recall {report["recall"]:.4f}); exact set match
  {report["exact"]:.4f}
- candidate recall (gold names among the retrieved candidates): {report["candidate_recall"]:.4f}
- {report["ms_per_text"]} ms per text on this machine (retrieval + features + onnxruntime)

| gold names per text | texts | precision | recall | F1 |
|---|---|---|---|---|
{rows}
""",
        encoding="utf-8",
    )
    return report
