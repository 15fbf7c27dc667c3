"""Fraud signals: each computed from the claim with evidence pointing at the document, field and box it read;
NaN (not 0) when the claim does not allow it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import pytest
from fraud_helpers import claim, quad, with_document

from claims_ai.fraud.clinical_text import amount_in_words, past_history, shares_disease, symptom_days
from claims_ai.fraud.costs import HospitalLevel, default_costs, hospital_level
from claims_ai.fraud.features import MODEL_FEATURES, FeatureBuilder, reason_code
from claims_ai.fraud.types import (
    DuplicateHit,
    DuplicateKind,
    ForensicCheck,
    ForensicFinding,
    MemberHistory,
    PageForensics,
)
from claims_ai.materials.checks import CrossDocumentChecker
from claims_ai.medical.evidence import ClaimEvidence


def _signals(evidence: ClaimEvidence, **kwargs):
    checks = CrossDocumentChecker().check(evidence)
    return FeatureBuilder().build(evidence, checks, kwargs.pop("codes", ("C73.x00",)), **kwargs).signals


def test_an_honest_claim_fires_nothing() -> None:
    signals = _signals(claim())
    assert [n for n, s in signals.items() if s.fired] == []
    assert signals["check_same_patient_failed"].value == 0.0
    assert signals["amount_words_mismatch"].value == 0.0
    assert signals["figure_contradicted"].value == 0.0
    assert signals["invoice_items_gap_ratio"].value == pytest.approx(0.0)
    assert set(MODEL_FEATURES) <= set(signals)


def test_name_mismatch_points_at_both_documents() -> None:
    s = _signals(claim(discharge_name="李四"))["check_same_patient_failed"]
    assert s.value == 1.0 and s.fired
    assert {e.document_id for e in s.evidence} == {"D-invoice", "D-discharge"}
    discharge = next(e for e in s.evidence if e.document_id == "D-discharge")
    assert (
        discharge.field == "patient_name"
        and discharge.box == quad(80, 60, 140, 80)
        and discharge.file == "discharge.jpg"
    )


def test_figure_that_disagrees_with_words_and_items_is_an_altered_amount() -> None:
    signals = _signals(claim(total="94189.65"))  # words and charge lines still say 24189.65
    s = signals["figure_contradicted"]
    assert s.fired and reason_code("figure_contradicted", signals) == "altered_amount"
    assert s.evidence[0].field == "total_amount" and s.evidence[0].box == quad(400, 300, 520, 330)
    assert signals["amount_words_mismatch"].fired and signals["invoice_items_gap_ratio"].fired


def test_words_alone_differing_is_a_words_figure_mismatch_not_an_alteration() -> None:
    signals = _signals(claim(words="34189.65"))
    assert signals["amount_words_mismatch"].fired
    assert not signals["figure_contradicted"].fired
    assert not signals["invoice_items_gap_ratio"].fired


def test_amount_in_words_is_read_from_the_text_when_no_field_carries_it() -> None:
    evidence = claim(total="24189.65")
    invoice = evidence.documents[0]
    fields = {k: v for k, v in invoice.fields.items() if k != "amount_in_words"}
    evidence = with_document(evidence, "D-invoice", fields=fields, text="合计（大写）\n叁万肆仟壹佰捌拾玖元陆角伍分")
    assert _signals(evidence)["amount_words_mismatch"].value == 1.0


def test_timing_before_the_policy_and_in_the_waiting_period() -> None:
    before = _signals(claim(policy_start=dt.date(2021, 4, 1)))
    assert before["days_policy_start_to_event"].value < 0 and before["days_policy_start_to_event"].fired
    assert reason_code("days_policy_start_to_event", before) == "before_policy_start"
    waiting = _signals(claim(policy_start=dt.date(2021, 1, 20), waiting_days=90))
    assert waiting["days_waiting_end_to_event"].fired and not waiting["days_policy_start_to_event"].fired
    assert reason_code("check_waiting_period_failed", waiting) == "in_waiting_period"
    assert waiting["days_policy_start_to_event"].evidence[0].field == "admission_date"


def test_past_history_of_the_same_disease_before_the_policy() -> None:
    signals = _signals(claim(history="有甲状腺结节病史3年，规律复查。", policy_start=dt.date(2020, 1, 1)))
    s = signals["past_history_before_policy"]
    assert s.value == 1.0 and s.fired and s.evidence[0].document_id == "D-discharge"
    unrelated = _signals(claim(history="有高血压病史5年，规律服药。"))["past_history_before_policy"]
    assert unrelated.value == 0.0


def test_symptom_duration_and_history_parsing() -> None:
    assert symptom_days("患者因发现“宫颈占位性病变”6月余入院。") == 180
    assert symptom_days("患者2周前出现咳嗽") == 14
    assert symptom_days("既往史：高血压病史5年") is None
    assert past_history("既往史：\n既往体健，否认高血压病史。") == ()
    assert past_history("无相关段落") is None
    assert shares_disease("甲状腺结节", "甲状腺乳头状癌") and not shares_disease("高血压", "甲状腺乳头状癌")
    assert amount_in_words("（小写）42,468.99\n伍万零贰佰捌拾壹元玖角玖分") == "50281.99"


def test_amount_against_usual_cost_for_the_diagnosis_and_level() -> None:
    assert hospital_level("贵阳市第一人民医院") is HospitalLevel.TERTIARY
    assert hospital_level("贵阳市南明区人民医院") is HospitalLevel.SECONDARY
    assert hospital_level("花溪区青岩镇卫生院") is HospitalLevel.PRIMARY
    usual = default_costs().usual("C73.x00", HospitalLevel.TERTIARY, inpatient=True)
    assert usual is not None and usual.key == "C73"
    assert default_costs().usual("Q99.9", HospitalLevel.UNKNOWN, inpatient=True).key == "*"  # type: ignore[union-attr]
    normal = _signals(claim())["amount_vs_usual_cost"]
    assert normal.value == pytest.approx(24189.65 / usual.high) and not normal.fired
    items = (("床位费", "1200.00"), ("西药费", "148989.65"))
    inflated = _signals(claim(total="150189.65", words="150189.65", items=items))
    assert inflated["amount_vs_usual_cost"].fired
    assert inflated["bed_fee_share"].value == pytest.approx(1200 / 150189.65)
    assert "C73" in (inflated["amount_vs_usual_cost"].evidence[0].note or "")


def test_foreign_invoice_needs_another_hospital_and_another_patient_or_stay() -> None:
    assert _signals(claim(invoice_name="王五", invoice_hospital="昆明市中心医院"))["foreign_invoice"].fired
    assert not _signals(claim(invoice_name="王五"))["foreign_invoice"].fired  # a name mismatch
    assert not _signals(claim(invoice_hospital="昆明市中心医院"))["foreign_invoice"].fired  # a hospital mismatch
    evidence = claim(invoice_hospital="昆明市中心医院")
    invoice = evidence.documents[0]
    fields = {k: v for k, v in invoice.fields.items() if k != "patient_name"}  # name blacked out
    fields["admission_date"] = replace(fields["admission_date"], value="2020-11-02")
    s = _signals(with_document(evidence, "D-invoice", fields=fields))["foreign_invoice"]
    assert s.fired and s.evidence[0].document_id == "D-invoice" and s.evidence[0].field == "hospital_name"


def test_forensics_duplicates_and_history_carry_their_evidence() -> None:
    box = quad(400, 300, 520, 330)
    page = PageForensics("invoice.jpg", 1, (ForensicFinding(ForensicCheck.FONT, 9.0, "total_amount", box, "z"),))
    hit = DuplicateHit(DuplicateKind.INVOICE, "C-older", "C-older-D03", "D-invoice")
    history = MemberHistory(claims_last_12_months=4, earlier_icd10=("C73.x00",))
    signals = _signals(claim(), page_forensics=[page], duplicates=[hit], history=history)
    font = signals["forensics_font"]
    assert font.fired and font.evidence[0].document_id == "D-invoice" and font.evidence[0].box == box
    dup = signals["duplicate_invoice"]
    assert dup.value == 1.0 and dup.fired and "C-older" in (dup.evidence[0].note or "")
    assert signals["history_claims_12m"].fired and signals["history_same_diagnosis"].fired


def test_what_cannot_be_computed_is_nan() -> None:
    evidence = claim()
    no_invoice = ClaimEvidence(evidence.documents[1:], evidence.facts)
    signals = _signals(no_invoice)
    for name in ("amount_vs_usual_cost", "amount_words_mismatch", "check_invoice_items_sum_failed", "forensics_font"):
        assert math.isnan(signals[name].value), name
    assert math.isnan(signals["history_claims_12m"].value)
