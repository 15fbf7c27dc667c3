"""Claim bundles: requested fraud patterns and missing materials appear, labelled, and are really on the pages."""

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claims_datasets.bundles import REQUIRED_MATERIALS, FraudRates, plan_claim
from claims_datasets.cli import app
from claims_datasets.generate import GenerationOptions, render_planned_document
from claims_datasets.money import amount_in_words, cents
from claims_datasets.schema import FraudPattern, Split
from claims_datasets.truth import page_truth


def _plan_with(pattern: FraudPattern, start: int = 0):
    rates = FraudRates(fraud_rate=1.0, missing_rate=0.0, weights={pattern.value: 1.0})
    for seed in range(start, start + 50):
        plan = plan_claim(seed, rates, min_seed=0)
        if plan.fraud:
            return plan
    raise AssertionError(f"no claim with {pattern}")


@pytest.mark.parametrize("pattern", list(FraudPattern))
def test_every_pattern_is_injected_and_labelled(pattern: FraudPattern) -> None:
    plan = _plan_with(pattern, 5)
    assert [f["pattern"] for f in plan.fraud] == [pattern.value]
    start = dt.date.fromisoformat(plan.facts["policy_start_date"])
    admission = plan.content.stay.admission_date
    waiting = dt.timedelta(days=plan.facts["waiting_period_days"])
    if pattern == FraudPattern.BEFORE_POLICY_START:
        assert admission < start
    elif pattern == FraudPattern.IN_WAITING_PERIOD:
        assert start <= admission < start + waiting
    else:
        assert start + waiting <= admission
    if pattern == FraudPattern.INFLATED_AMOUNT:
        assert plan.content.stay.settlement.total > 2 * plan.content.primary.row.cost_min * 100
    if pattern in (FraudPattern.INVOICE_REUSED, FraudPattern.IMAGE_REUSED):
        reused = [d for d in plan.documents if d.source_claim_seed is not None]
        assert len(reused) == 1 and reused[0].source_claim_seed != plan.seed
        assert plan.fraud[0]["source_claim"] == f"C{reused[0].source_claim_seed:09d}"


def test_no_fraud_and_no_missing_at_zero_rates() -> None:
    rates = FraudRates(fraud_rate=0.0, missing_rate=0.0)
    for seed in range(30):
        plan = plan_claim(seed, rates)
        assert not plan.fraud and not plan.missing
        present = {d.doc_type for d in plan.documents}
        assert set(REQUIRED_MATERIALS[plan.claim_type]) <= present


def test_missing_materials_are_left_out_and_labelled() -> None:
    rates = FraudRates(fraud_rate=0.0, missing_rate=1.0)
    for seed in range(30):
        plan = plan_claim(seed, rates)
        assert 1 <= len(plan.missing) <= 2
        present = {d.doc_type for d in plan.documents}
        assert not set(plan.missing) & present
        assert set(plan.missing) <= {t.value for t in REQUIRED_MATERIALS[plan.claim_type]} | {"pathology_report"}


def _truth(plan, doc_type: str):
    """Render and capture one document of a planned claim (the other pages are not needed here)."""
    doc = next(d for d in plan.documents if d.doc_type == doc_type)
    page, captured = render_planned_document(plan, doc, GenerationOptions())
    return page_truth(page, captured, page_id=doc.document_id, image_name="x.jpg", seed=plan.seed, split="train")


def test_invoice_patterns_show_on_the_rendered_page() -> None:
    for pattern in (FraudPattern.WORDS_FIGURE_MISMATCH, FraudPattern.ITEMS_DONT_ADD_UP, FraudPattern.ALTERED_AMOUNT):
        plan = _plan_with(pattern)
        truth = _truth(plan, plan.fraud[0]["doc_type"])
        total = cents(truth.fields["total_amount"].value)
        items = sum(cents(i.amount) for i in truth.line_items)
        words = truth.extra_fields["amount_in_words"]
        if pattern == FraudPattern.WORDS_FIGURE_MISMATCH:
            assert words.text != amount_in_words(total) and items == total
        elif pattern == FraudPattern.ITEMS_DONT_ADD_UP:
            assert items != total and words.text == amount_in_words(total)
        else:
            assert items != total and truth.capture["local_edits"]


def test_reused_invoice_matches_its_source_claim() -> None:
    plan = _plan_with(FraudPattern.INVOICE_REUSED, 10)
    doc = next(d for d in plan.documents if d.source_claim_seed is not None)
    reused = _truth(plan, doc.doc_type)
    source_plan = plan_claim(doc.source_claim_seed, FraudRates(fraud_rate=0.0, missing_rate=0.0))
    source = _truth(source_plan, doc.doc_type)
    assert source.fields["invoice_number"].value == reused.fields["invoice_number"].value
    assert source.fields["total_amount"].value == reused.fields["total_amount"].value
    assert reused.fields["patient_name"].value == source_plan.content.person.name != plan.content.person.name
    assert reused.capture != source.capture  # captured anew


def test_reused_image_is_the_source_capture_lightly_edited() -> None:
    plan = _plan_with(FraudPattern.IMAGE_REUSED, 10)
    doc = next(d for d in plan.documents if d.source_claim_seed is not None)
    reused = _truth(plan, doc.doc_type)
    source = _truth(plan_claim(doc.source_claim_seed, FraudRates(fraud_rate=0.0, missing_rate=0.0)), doc.doc_type)
    edit = reused.capture["reused_edit"]
    assert {k: v for k, v in reused.capture.items() if k != "reused_edit"} == source.capture
    first, again = source.fields["total_amount"].box[0], reused.fields["total_amount"].box[0]
    assert again == (first[0] - edit["crop_left"], first[1] - edit["crop_top"])


def test_name_mismatch_is_printed_on_one_document() -> None:
    plan = _plan_with(FraudPattern.NAME_MISMATCH)
    label = plan.fraud[0]
    assert _truth(plan, label["doc_type"]).fields["patient_name"].value == label["printed_name"]
    other = next(d.doc_type for d in plan.documents if d.doc_type not in (label["doc_type"], "bank_card"))
    assert _truth(plan, other).fields["patient_name"].value == label["true_name"] == plan.content.person.name


def test_cli_generates_claims_with_data_card(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--out",
            str(out),
            "--claims",
            "2",
            "--seed",
            "100000000",
            "--split",
            "validation",
            "--workers",
            "2",
            "--fraud-rate",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "pages/s" in result.output
    card = json.loads((out / "datacard.json").read_text(encoding="utf-8"))
    assert card["claims"] == 2 and card["split"] == "validation"
    claims = sorted((out / "claims").glob("*.json"))
    assert len(claims) == 2
    record = json.loads(claims[0].read_text(encoding="utf-8"))
    assert record["labels"]["is_fraud"] and record["labels"]["severity_tier"]
    for doc in record["documents"]:
        for page_id in doc["pages"]:
            assert (out / "pages" / f"{page_id}.jpg").is_file()
            truth = json.loads((out / "pages" / f"{page_id}.json").read_text(encoding="utf-8"))
            assert truth["doc_type"] == doc["doc_type"] and truth["claim_id"] == record["claim_id"]
    assert (out / "contact_sheet.png").is_file()


def test_cli_refuses_seeds_outside_the_split(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", "--out", str(tmp_path), "--pages", "2", "--seed", "0", "--split", "test"]
    )
    assert result.exit_code != 0
    assert Split.TEST.value in result.output
