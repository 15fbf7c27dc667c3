"""List the served field values that miss on an OCR'd corpus split, to find what the rules should learn next.

    python scripts/field_misses.py out/corpus/validation.jsonl [--rules-only] [--field NAME] [--near]

One line per miss: seed, capture mode, field, the true value, what was served, and whether the value's
characters are in the page's OCR text at all (``in-ocr``: the extractor could have read it) or not (``lost``: the
OCR must change first). ``--near`` also prints the OCR lines whose boxes overlap the printed value's box.
Use it on the validation or train splits: the test split is for the figures only.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from claims_ai.config import Settings
from claims_ai.extract.fields import FieldExtractor
from claims_ai.extract.onnx_model import LayoutModel
from claims_ai.extract.rules import RuleExtractor
from claims_ai.extract.tagger import FieldTagger
from claims_ai.runtime.manifest import ModelManifest
from training.corpus import read_corpus
from training.layout.evaluate import _squash, ocr_of


def _overlaps(box: list, quad: tuple) -> bool:
    a, b = np.asarray(box, dtype=float), np.asarray(quad, dtype=float)
    (ax0, ay0), (ax1, ay1) = a.min(axis=0), a.max(axis=0)
    (bx0, by0), (bx1, by1) = b.min(axis=0), b.max(axis=0)
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rules-only", action="store_true", help="the rule layer alone, without the tagger")
    parser.add_argument("--field", help="only this field")
    parser.add_argument("--near", action="store_true", help="print the OCR lines over the printed value")
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    args = parser.parse_args()

    tagger = None
    if not args.rules_only:
        layout = LayoutModel(ModelManifest.load(args.models_dir).get("field_tagger"), Settings().ocr)
        tagger = FieldTagger(layout)
    extractor = FieldExtractor(RuleExtractor(), tagger)
    counts: Counter = Counter()
    for record in read_corpus(args.corpus):
        truth, ocr = record["truth"], ocr_of(record)
        fields, _ = extractor.extract(ocr, truth["width"], truth["height"], 1, {"page": 1})
        text = _squash("".join(line.text for line in ocr.lines))
        mode = truth["capture"].get("mode", "?")
        for name, wanted in truth["fields"].items():
            if wanted.get("masked") or (args.field and name != args.field):
                continue
            counts["values"] += 1
            got = fields[name].value if name in fields else None
            if got == wanted["value"]:
                continue
            reachable = _squash(wanted["value"]) in text or _squash(wanted.get("text") or "") in text
            counts["in-ocr" if reachable else "lost"] += 1
            print(
                f"{truth['seed']} {mode:10} {truth['doc_type']:28} {name:20} want={wanted['value']!r} "
                f"got={got!r} {'in-ocr' if reachable else 'lost'}"
            )
            if args.near:
                for line in ocr.lines:
                    if _overlaps(wanted["box"], line.box):
                        print(f"        | {line.text!r} ({line.confidence:.2f})")
    print(f"# {counts['values']} values, {counts['in-ocr']} missed but in the OCR text, {counts['lost']} lost by OCR")


if __name__ == "__main__":
    main()
