"""Pages that are not claim materials (DocType other), the doc_types filter, and the second clinical layouts."""

import json
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from claims_datasets.bundles import REQUIRED_MATERIALS, FraudRates, plan_claim
from claims_datasets.canvas import box_quad
from claims_datasets.capture import capture
from claims_datasets.cli import app
from claims_datasets.content import make_claim_content
from claims_datasets.generate import (
    GenerationOptions,
    make_page,
    page_doc_type,
    planned_capture_mode,
    render_planned_document,
)
from claims_datasets.layouts import LAYOUTS, is_born_digital, render_document
from claims_datasets.layouts.nonclaim import credit_code
from claims_datasets.schema import CaptureMode, DocType, FraudPattern
from claims_datasets.truth import page_truth

OTHER = DocType.OTHER.value
ONLY_OTHER = GenerationOptions(doc_types=(OTHER,))


def _inside(quad: tuple, width: int, height: int, slack: float = 2.0) -> bool:
    return all(-slack <= x <= width + slack and -slack <= y <= height + slack for x, y in quad)


@pytest.mark.parametrize("layout", LAYOUTS[OTHER])
def test_other_pages_have_text_but_no_claim_fields(layout: str) -> None:
    page = render_document(OTHER, layout, make_claim_content(21), random.Random(4))
    assert page.doc_type == OTHER and page.layout == layout
    assert not page.fields and not page.extra_fields and not page.diagnoses and not page.line_items
    if not page.scene:
        assert len(page.lines) >= 10
    for rec in page.lines:
        x0, y0, x1, y1 = rec["box"]
        assert 0 <= x0 < x1 <= page.image.width and 0 <= y0 < y1 <= page.image.height, rec


@pytest.mark.parametrize("layout", LAYOUTS[OTHER])
def test_other_pages_go_through_capture_with_boxes_inside_the_image(layout: str) -> None:
    page = render_document(OTHER, layout, make_claim_content(8), random.Random(8))
    modes = [CaptureMode.PHOTO, CaptureMode.ELECTRONIC if is_born_digital(OTHER, layout) else CaptureMode.SCAN]
    for mode in modes:
        captured = capture(page, mode, random.Random(9))
        truth = page_truth(page, captured, page_id="P", image_name="P.jpg", seed=8, split="train")
        assert truth.doc_type == OTHER and not truth.fields and not truth.extra_fields
        assert truth.capture["mode"] == mode.value
        for line in truth.text_lines:
            assert _inside(line.box, truth.width, truth.height), (mode, line)


def test_capture_modes_of_other_pages() -> None:
    """Other pages get every capture mode, but nobody scans a picture of their room."""
    modes: dict[bool, set[str]] = {}
    for seed in range(40):
        plan = plan_claim(seed, FraudRates(other_page_rate=1.0))
        doc = next(d for d in plan.documents if d.doc_type == OTHER)
        mode = planned_capture_mode(doc, GenerationOptions()).value
        modes.setdefault(doc.layout in ("room_photo", "desk_photo"), set()).add(mode)
    assert CaptureMode.SCAN.value not in modes[True]
    assert modes[False] == {m.value for m in CaptureMode}


@pytest.mark.parametrize("layout", ["room_photo", "desk_photo"])
def test_scene_photo_fills_the_frame(layout: str) -> None:
    """A picture of a room is not a sheet on a desk: the turned, zoomed picture covers every frame corner."""
    for seed in range(2):
        page = render_document(OTHER, layout, make_claim_content(seed), random.Random(seed))
        captured = capture(page, CaptureMode.PHOTO, random.Random(seed))
        w, h = captured.params["frame_width"], captured.params["frame_height"]
        outline = captured.point_map(np.array(box_quad((0, 0, page.image.width, page.image.height)))).astype(np.float32)
        for corner in ((0.0, 0.0), (w - 1.0, 0.0), (w - 1.0, h - 1.0), (0.0, h - 1.0)):
            assert cv2.pointPolygonTest(outline, corner, False) >= 0
        assert captured.params["scene"] and captured.params["mode"] == CaptureMode.PHOTO.value


def test_other_pages_are_deterministic() -> None:
    a, ta = make_page(3, ONLY_OTHER)
    b, tb = make_page(3, ONLY_OTHER)
    assert a.encoded == b.encoded and ta == tb


def test_doc_types_filter_and_other_rate() -> None:
    assert {page_doc_type(s, ONLY_OTHER) for s in range(50)} == {OTHER}
    pair = GenerationOptions(doc_types=(DocType.ID_CARD.value, DocType.LAB_REPORT.value))
    assert {page_doc_type(s, pair) for s in range(200)} == {DocType.ID_CARD.value, DocType.LAB_REPORT.value}
    default = [page_doc_type(s) for s in range(3000)]
    assert 0.03 < default.count(OTHER) / len(default) < 0.07
    none = GenerationOptions(other_rate=0.0)
    for seed, doc_type in enumerate(default):
        if doc_type != OTHER:  # the other draw has its own stream: claim pages do not move
            assert page_doc_type(seed, none) == doc_type
    assert OTHER not in {page_doc_type(s, none) for s in range(500)}
    _, truth = make_page(7, ONLY_OTHER)
    assert truth.doc_type == page_doc_type(7, ONLY_OTHER) == OTHER
    with pytest.raises(ValueError, match="unknown document types"):
        GenerationOptions(doc_types=("receipt",))


def test_an_other_page_never_counts_as_a_material() -> None:
    with_other = FraudRates(fraud_rate=0.5, missing_rate=0.5, other_page_rate=1.0)
    without = FraudRates(fraud_rate=0.5, missing_rate=0.5, other_page_rate=0.0)
    for seed in range(40):
        plan, base = plan_claim(seed, with_other), plan_claim(seed, without)
        others = [d for d in plan.documents if d.doc_type == OTHER]
        assert len(others) == 1
        assert OTHER not in {t.value for types in REQUIRED_MATERIALS.values() for t in types}
        assert plan.missing == base.missing and plan.fraud == base.fraud and plan.facts == base.facts
        assert [d.doc_type for d in plan.documents if d.doc_type != OTHER] == [d.doc_type for d in base.documents]
        assert [d.document_id for d in plan.documents] == [
            f"{plan.claim_id}-D{i:02d}" for i in range(len(plan.documents))
        ]
        for f in plan.fraud:
            assert f.get("doc_type") != OTHER
    for seed in (5, 6, 7):
        doc = next(d for d in plan_claim(seed, with_other).documents if d.doc_type == OTHER)
        page, captured = render_planned_document(plan_claim(seed, with_other), doc, GenerationOptions())
        truth = page_truth(page, captured, page_id=doc.document_id, image_name="x.jpg", seed=seed, split="train")
        assert truth.doc_type == OTHER and not truth.fields
        assert truth.capture["mode"] == planned_capture_mode(doc, GenerationOptions()).value


def test_name_mismatch_never_targets_an_other_page() -> None:
    rates = FraudRates(fraud_rate=1.0, missing_rate=0.0, other_page_rate=1.0, weights={FraudPattern.NAME_MISMATCH: 1})
    assert all(plan_claim(s, rates).fraud[0]["doc_type"] != OTHER for s in range(30))


def test_credit_codes_carry_a_valid_check_character() -> None:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    rng = random.Random(0)
    for _ in range(50):
        code = credit_code(rng)
        total = sum(chars.index(c) * w for c, w in zip(code, weights, strict=False))
        assert len(code) == 18 and (total + chars.index(code[17])) % 31 == 0


CLINICAL_AND_FORMS = [
    DocType.ADMISSION_RECORD,
    DocType.DIAGNOSIS_CERTIFICATE,
    DocType.PATHOLOGY_REPORT,
    DocType.IMAGING_REPORT,
    DocType.LAB_REPORT,
    DocType.MEDICAL_RECORD_FRONT_PAGE,
    DocType.DEATH_CERTIFICATE,
    DocType.CLAIM_FORM,
]


@pytest.mark.parametrize("doc_type", CLINICAL_AND_FORMS)
def test_second_layouts_differ_from_the_first(doc_type: DocType) -> None:
    groups = ("thyroid_cancer",) if doc_type == DocType.PATHOLOGY_REPORT else None
    content = make_claim_content(31, groups=groups)
    first, second = (render_document(doc_type, name, content, random.Random(2)) for name in LAYOUTS[doc_type][:2])
    assert len(LAYOUTS[doc_type]) >= 2
    assert set(first.fields) <= set(second.fields) | {"id_number", "issue_date"}
    labels = {line["text"] for line in first.lines if line["kind"] == "form"}
    other_labels = {line["text"] for line in second.lines if line["kind"] == "form"}
    assert len(labels ^ other_labels) >= 5  # different pre-printed wording and structure


@pytest.mark.parametrize(("doc_type", "layout"), [(t, name) for t in CLINICAL_AND_FORMS for name in LAYOUTS[t]])
def test_field_boxes_sit_on_their_ink(doc_type: str, layout: str) -> None:
    groups = ("prostate_cancer",) if doc_type == DocType.PATHOLOGY_REPORT else None
    page = render_document(doc_type, layout, make_claim_content(41, groups=groups), random.Random(6))
    grey = np.asarray(page.image, dtype=np.float32).mean(axis=2)
    for name, rec in [*page.fields.items(), *page.extra_fields.items()]:
        if rec["masked"]:
            continue
        x0, y0, x1, y1 = (round(v) for v in rec["box"])
        crop = grey[y0:y1, x0:x1]
        assert crop.size and np.percentile(crop, 5) < np.median(grey) - 40, (layout, name)


def test_cli_generates_only_the_chosen_doc_types(tmp_path: Path) -> None:
    out = tmp_path / "others"
    args = ["generate", "--out", str(out), "--pages", "3", "--doc-type", "other", "--workers", "1", "--no-contact"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "pages").glob("*.json"))]
    assert len(truths) == 3 and {t["doc_type"] for t in truths} == {OTHER}
    card = json.loads((out / "datacard.json").read_text(encoding="utf-8"))
    assert card["doc_types"] == [OTHER] and card["counts"]["doc_type"] == {OTHER: 3}
    refused = CliRunner().invoke(app, ["generate", "--out", str(out), "--claims", "1", "--doc-type", "other"])
    assert refused.exit_code != 0
