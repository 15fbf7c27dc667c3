"""The committed data cards cover every document type, layout, capture mode and fraud pattern.

Regenerate them with::

    claims-ai dataset generate --out out/plan2000 --claims 2000 --seed 0 --plan-only
    cp out/plan2000/datacard.json datasets/docs/datacard_2000_claims.json
    claims-ai dataset generate --out out/claims150 --claims 150 --seed 0 --workers 1
    cp out/claims150/datacard.json datasets/docs/datacard_150_claims_rendered.json
    claims-ai dataset generate --out out/pages36 --pages 36 --seed 0   # contact_sheet.png
    claims-ai dataset generate --out out/other40 --pages 40 --seed 0 --doc-type other --no-contact
    claims-ai dataset contact-sheet --pages-dir out/other40/pages --out datasets/docs/contact_sheet_other.png --limit 40
"""

import itertools
import json
from pathlib import Path

from claims_datasets.bundles import plan_claim
from claims_datasets.generate import GenerationOptions, planned_capture_mode, render_planned_document
from claims_datasets.layouts import LAYOUTS, is_born_digital
from claims_datasets.schema import SEED_RANGES, CaptureMode, DocType, FraudPattern, Split, check_seed_range

DOCS = Path(__file__).resolve().parents[2] / "datasets" / "docs"
CARD = DOCS / "datacard_2000_claims.json"
RENDERED = DOCS / "datacard_150_claims_rendered.json"


def test_committed_2000_claim_card_covers_everything() -> None:
    card = json.loads(CARD.read_text(encoding="utf-8"))
    counts = card["counts"]
    assert card["claims"] == 2000
    assert set(counts["doc_type"]) == {t.value for t in DocType}  # incl. other: irrelevant uploads
    assert set(counts["capture_mode"]) == {m.value for m in CaptureMode}
    assert {p.value for p in FraudPattern} <= set(counts["fraud_pattern"])
    assert min(counts["fraud_pattern"][p.value] for p in FraudPattern) >= 10
    assert {f"{t}/{name}" for t, names in LAYOUTS.items() for name in names} <= set(counts["layout"])
    assert {"mild", "severe", "not_covered"} <= set(counts["severity_tier"])
    assert counts["claims_with_missing_materials"]["True"] > 300


def test_committed_rendered_run_shows_rotations_and_multi_slip_photos() -> None:
    card = json.loads(RENDERED.read_text(encoding="utf-8"))
    counts = card["counts"]
    assert card["pages_rendered"] and card["pages_per_second"] > 0
    assert set(counts["capture_mode"]) == {m.value for m in CaptureMode}
    assert set(counts["rotation"]) == {"0", "90", "180", "270"}
    assert counts["multi_slip_photo"]["True"] > 0


def test_planned_capture_mode_is_the_rendered_one() -> None:
    options = GenerationOptions()
    checked = 0
    for seed in range(3):
        plan = plan_claim(seed)
        for doc in plan.documents[:3]:
            page, captured = render_planned_document(plan, doc, options)
            assert captured.params["mode"] == planned_capture_mode(doc, options).value
            assert page.born_digital == is_born_digital(doc.doc_type, doc.layout)
            checked += 1
    assert checked == 9


def test_split_seed_ranges_do_not_overlap() -> None:
    ranges = sorted(SEED_RANGES.values(), key=lambda r: r.start)
    for a, b in itertools.pairwise(ranges):
        assert a.stop <= b.start
    check_seed_range(Split.VALIDATION, 100_000_000, 10)
    for split, first in ((Split.TEST, 0), (Split.TRAIN, 99_999_999), (Split.VALIDATION, 110_000_000)):
        try:
            check_seed_range(split, first, 2)
        except ValueError:
            continue
        raise AssertionError(f"{split} accepted seed {first}")


def test_doc_types_match_the_runtime_contract() -> None:
    from claims_ai import types

    runtime = getattr(types, "DocType", None)
    if runtime is None:  # the runtime enum has not landed in this checkout
        return
    assert {d.value for d in DocType} == {d.value for d in runtime}
