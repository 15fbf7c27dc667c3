"""Rendered and captured pages: determinism, contract fields, boxes that land on the printed ink."""

import random

import numpy as np
import pytest

from claims_datasets.canvas import box_quad
from claims_datasets.capture import capture
from claims_datasets.content import make_claim_content
from claims_datasets.generate import GenerationOptions, make_page
from claims_datasets.layouts import LAYOUTS, Overrides, render_document
from claims_datasets.layouts.invoices import INVOICE_LAYOUTS
from claims_datasets.money import amount_in_words, cents
from claims_datasets.schema import CaptureMode, DocType, FieldName

INVOICE_FIELDS = {
    "patient_name",
    "hospital_name",
    "invoice_number",
    "issue_date",
    "total_amount",
    "insurance_fund_paid",
    "personal_cash_paid",
    "self_pay_category",
    "self_expense",
}
EXPECTED_FIELDS = {
    DocType.MEDICAL_INVOICE_INPATIENT: INVOICE_FIELDS | {"admission_date", "discharge_date", "department"},
    DocType.MEDICAL_INVOICE_OUTPATIENT: INVOICE_FIELDS | {"department"},
    DocType.ITEMIZED_BILL: {
        "patient_name",
        "hospital_name",
        "department",
        "admission_date",
        "discharge_date",
        "total_amount",
    },
    DocType.DISCHARGE_SUMMARY: {
        "patient_name",
        "patient_gender",
        "patient_age",
        "hospital_name",
        "department",
        "admission_date",
        "discharge_date",
    },
    DocType.DIAGNOSIS_CERTIFICATE: {"patient_name", "hospital_name", "issue_date"},
    DocType.PATHOLOGY_REPORT: {"patient_name", "hospital_name", "pathology_diagnosis", "tnm_stage", "issue_date"},
    DocType.ADMISSION_RECORD: {"patient_name", "hospital_name", "admission_date"},
    DocType.MEDICAL_RECORD_FRONT_PAGE: {
        "patient_name",
        "hospital_name",
        "admission_date",
        "discharge_date",
        "total_amount",
    },
}


def _content_for(doc_type: str, seed: int):
    groups = ("thyroid_cancer", "prostate_cancer") if doc_type == DocType.PATHOLOGY_REPORT else None
    return make_claim_content(seed, groups=groups, inpatient=doc_type != DocType.MEDICAL_INVOICE_OUTPATIENT)


@pytest.mark.parametrize(("doc_type", "layout"), [(t, name) for t, names in LAYOUTS.items() for name in names])
def test_every_layout_renders_its_contract_fields(doc_type: str, layout: str) -> None:
    content = _content_for(doc_type, 11)
    page = render_document(doc_type, layout, content, random.Random(3))
    assert page.doc_type == doc_type and page.layout == layout
    assert set(page.fields) <= {f.value for f in FieldName}
    assert EXPECTED_FIELDS.get(doc_type, set()) <= set(page.fields)
    for rec in page.fields.values():
        x0, y0, x1, y1 = rec["box"]
        assert 0 <= x0 < x1 <= page.image.width and 0 <= y0 < y1 <= page.image.height
    if doc_type in (DocType.DISCHARGE_SUMMARY, DocType.DIAGNOSIS_CERTIFICATE, DocType.ADMISSION_RECORD):
        assert [d["value"] for d in page.diagnoses] == [d.written for d in content.diagnoses]
    if "total_amount" in page.fields:
        assert page.fields["total_amount"]["value"] == f"{content.stay.settlement.total / 100:.2f}"
    if "issue_date" in page.fields:
        assert len(page.fields["issue_date"]["value"]) == 10


@pytest.mark.parametrize("layout", list(INVOICE_LAYOUTS))
def test_invoice_items_words_and_settlement_agree(layout: str) -> None:
    content = make_claim_content(7)
    page = render_document(DocType.MEDICAL_INVOICE_INPATIENT, layout, content, random.Random(1))
    total = cents(page.fields["total_amount"]["value"])
    assert sum(cents(i["amount"]) for i in page.line_items) == total
    words = page.extra_fields["amount_in_words"]
    assert words["text"] == amount_in_words(total) and words["value"] == page.fields["total_amount"]["value"]
    paid = sum(cents(page.fields[f]["value"]) for f in ("insurance_fund_paid", "personal_cash_paid"))
    assert paid + content.stay.settlement.account_paid == total


def test_fraud_overrides_change_only_what_they_name() -> None:
    content = make_claim_content(7)
    true_total = content.stay.settlement.total
    page = render_document(
        DocType.MEDICAL_INVOICE_INPATIENT,
        "einvoice_table2",
        content,
        random.Random(1),
        Overrides(words_cents=true_total + 10000),
    )
    assert page.fields["total_amount"]["value"] == f"{true_total / 100:.2f}"
    assert page.extra_fields["amount_in_words"]["text"] == amount_in_words(true_total + 10000)
    altered = render_document(
        DocType.MEDICAL_INVOICE_INPATIENT,
        "slip_grid3",
        content,
        random.Random(1),
        Overrides(altered_total_cents=true_total + 500000),
    )
    assert altered.fields["total_amount"]["value"] == f"{(true_total + 500000) / 100:.2f}"
    assert altered.edits and sum(cents(i["amount"]) for i in altered.line_items) == true_total


def test_pages_are_deterministic_by_seed() -> None:
    a_img, a = make_page(123)
    b_img, b = make_page(123)
    assert a == b
    assert np.array_equal(a_img.image, b_img.image)
    _, c = make_page(124)
    assert c != a


def _ink_darkness(image: np.ndarray, quad: tuple) -> tuple[float, float]:
    """Darkest pixel inside the quad's bounding box versus the median of the image (luminance)."""
    grey = image.mean(axis=2)
    pts = np.array(quad)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    h, w = grey.shape
    crop = grey[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]
    return float(np.percentile(crop, 5)), float(np.median(crop))


@pytest.mark.parametrize("mode", list(CaptureMode))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_boxes_follow_every_warp_and_land_on_ink(mode: CaptureMode, seed: int) -> None:
    doc_type = DocType.MEDICAL_INVOICE_INPATIENT
    layout = "einvoice_table2"
    content = make_claim_content(seed)
    page = render_document(doc_type, layout, content, random.Random(seed))
    captured = capture(page, mode, random.Random(seed + 100))
    img = captured.image
    h, w = img.shape[:2]
    on_ink = 0
    checked = 0
    for rec in page.lines:
        if not rec["legible"] or len(rec["text"]) < 4:
            continue
        quad = captured.map_quad(rec["box"])
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        assert min(xs) >= -2 and max(xs) <= w + 2 and min(ys) >= -2 and max(ys) <= h + 2
        dark, paper = _ink_darkness(img, quad)
        checked += 1
        on_ink += paper - dark > 20  # ink strokes are clearly darker than the paper inside the box
    assert checked > 20
    assert on_ink / checked > 0.9


def test_box_misplacement_would_be_detected() -> None:
    """The ink test above is not vacuous: boxes shifted by a line height mostly land on blank paper."""
    content = make_claim_content(4)
    page = render_document(DocType.DISCHARGE_SUMMARY, "discharge_record", content, random.Random(4))
    captured = capture(page, CaptureMode.SCAN, random.Random(9))
    hits = []
    for rec in page.lines:
        x0, y0, x1, y1 = rec["box"]
        quad = captured.map_quad((x0 + 400, y0 + 1000, x1 + 400, y1 + 1000))
        h, w = captured.image.shape[:2]
        if min(p[1] for p in quad) >= 0 and max(p[1] for p in quad) < h - 2 and max(p[0] for p in quad) < w - 2:
            dark, paper = _ink_darkness(captured.image, quad)
            hits.append(paper - dark > 20)
    assert hits and sum(hits) / len(hits) < 0.7


def test_page_truth_has_capture_parameters_and_quads_in_image() -> None:
    for seed in range(6):
        captured, truth = make_page(seed, GenerationOptions())
        assert truth.capture["mode"] in {m.value for m in CaptureMode}
        assert truth.width == captured.image.shape[1] and truth.height == captured.image.shape[0]
        assert truth.text_lines
        for line in truth.text_lines:
            assert len(line.box) == 4
        for f in truth.fields.values():
            assert len(f.box) == 4
            cx = sum(p[0] for p in f.box) / 4
            cy = sum(p[1] for p in f.box) / 4
            assert -5 <= cx <= truth.width + 5 and -5 <= cy <= truth.height + 5


def test_rotated_photo_keeps_text_direction_in_quads() -> None:
    for seed in range(40):
        page_rng = random.Random(seed)
        content = make_claim_content(seed)
        page = render_document(DocType.MEDICAL_INVOICE_INPATIENT, "slip_grid2", content, page_rng)
        captured = capture(page, CaptureMode.PHOTO, random.Random(seed))
        if captured.rotation == 90:
            quad = np.array(captured.map_quad(page.fields["total_amount"]["box"]))
            # Turned clockwise by 90°: the text's reading direction (first → second point) now points down.
            assert quad[1][1] - quad[0][1] > abs(quad[1][0] - quad[0][0])
            assert box_quad((0, 0, 1, 1))[0] == (0, 0)
            return
    pytest.fail("no 90° photo among 40 seeds")
