"""The fraud signals of one claim: named numbers, each with the evidence it was computed from.

:data:`MODEL_FEATURES` (in this order) feed the scorer; :data:`RULE_SIGNALS` are reported as rules only (member
history, photo of a screen): the synthetic training claims carry no signal for them, so a model could not learn
their weight. A value the claim does not allow is NaN — the model has seen missing values and routes them — so
"not applicable" never reads as "passed".

Each signal maps to a reason ``code`` (the names the adjuster workbench translates: ``altered_amount``,
``invoice_reused`` …); :func:`reason_code` resolves the timing codes from the values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from claims_ai.config import ClaimType, FraudSettings
from claims_ai.extract.normalize import contract_amount, contract_date, same_hospital
from claims_ai.fraud.clinical_text import amount_in_words, past_history, shares_disease, symptom_days
from claims_ai.fraud.costs import UsualCosts, default_costs, hospital_level
from claims_ai.fraud.forensics import AMOUNT_FIELDS
from claims_ai.fraud.types import (
    DuplicateHit,
    DuplicateKind,
    Evidence,
    ForensicCheck,
    MemberHistory,
    PageForensics,
    Signal,
)
from claims_ai.materials.checks import CheckResult, CheckStatus, names_compatible
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, EvidenceSpan

__all__ = ["FEATURE_CODES", "MODEL_FEATURES", "RULE_SIGNALS", "ClaimFeatures", "FeatureBuilder", "reason_code"]

_INVOICES = (DocType.MEDICAL_INVOICE_INPATIENT, DocType.MEDICAL_INVOICE_OUTPATIENT)
_CLINICAL_NOTES = (DocType.DISCHARGE_SUMMARY, DocType.ADMISSION_RECORD, DocType.MEDICAL_RECORD_FRONT_PAGE)
_CHECK_FEATURES = {
    "same_patient": "check_same_patient_failed",
    "same_hospital": "check_same_hospital_failed",
    "date_order": "check_date_order_failed",
    "policy_start": "check_policy_start_failed",
    "waiting_period": "check_waiting_period_failed",
    "invoice_vs_itemized": "check_invoice_vs_itemized_failed",
    "invoice_items_sum": "check_invoice_items_sum_failed",
}
_FORENSIC_FEATURES = {
    ForensicCheck.FONT: "forensics_font",
    ForensicCheck.BACKGROUND: "forensics_background",
    ForensicCheck.NOISE: "forensics_noise",
    ForensicCheck.ELA: "forensics_ela",
    ForensicCheck.COPY_MOVE: "forensics_copy_move",
}

# signal → reason code ("timing" is resolved by value, see ``reason_code``)
FEATURE_CODES: dict[str, str] = {
    "days_policy_start_to_event": "timing",
    "days_waiting_end_to_event": "timing",
    "days_policy_start_to_symptoms": "symptoms_before_policy",
    "past_history_before_policy": "pre_existing_condition",
    "check_same_patient_failed": "name_mismatch",
    "check_same_hospital_failed": "hospital_mismatch",
    "check_date_order_failed": "date_order",
    "check_policy_start_failed": "timing",
    "check_waiting_period_failed": "timing",
    "check_invoice_vs_itemized_failed": "invoice_vs_itemized",
    "check_invoice_items_sum_failed": "items_dont_add_up",
    "invoice_items_gap_ratio": "items_dont_add_up",
    "amount_words_mismatch": "words_figure_mismatch",
    "foreign_invoice": "invoice_reused",
    "figure_contradicted": "altered_amount",
    "claimed_amount_log": "inflated_amount",
    "amount_vs_usual_cost": "inflated_amount",
    "bed_fee_share": "inflated_amount",
    "stay_days": "unusual_stay",
    "forensics_font": "altered_amount",
    "forensics_background": "altered_amount",
    "forensics_noise": "altered_amount",
    "forensics_ela": "altered_amount",
    "forensics_copy_move": "altered_amount",
    "duplicate_invoice": "invoice_reused",
    "duplicate_page_image": "image_reused",
    "forensics_moire": "photo_of_screen",
    "history_claims_12m": "frequent_claims",
    "history_same_diagnosis": "repeat_diagnosis",
}
MODEL_FEATURES: tuple[str, ...] = tuple(
    n for n in FEATURE_CODES if n not in ("forensics_moire", "history_claims_12m", "history_same_diagnosis")
)
RULE_SIGNALS: tuple[str, ...] = ("forensics_moire", "history_claims_12m", "history_same_diagnosis")

NAN = float("nan")
_CENT = Decimal("0.01")


def reason_code(signal: str, signals: Mapping[str, Signal]) -> str:
    code = FEATURE_CODES.get(signal, signal)
    if code != "timing":
        return code
    event = signals.get("days_policy_start_to_event")
    if event is not None and event.known and event.value < 0:
        return "before_policy_start"
    return "in_waiting_period"


@dataclass(frozen=True)
class ClaimFeatures:
    """Every signal by name; ``vector()`` gives the model's inputs in a spec's order."""

    signals: Mapping[str, Signal]

    def vector(self, names: Sequence[str] = MODEL_FEATURES) -> np.ndarray:
        return np.array([self.signals[n].value if n in self.signals else NAN for n in names], dtype=np.float32)


def _field_evidence(doc: DocumentEvidence, name: str, note: str | None = None) -> Evidence:
    f = doc.fields.get(name)
    page = f.page if f is not None and f.page is not None else (doc.pages[0] if doc.pages else None)
    return Evidence(
        doc.document_id,
        doc.doc_type.value,
        doc.file or None,
        page,
        name,
        f.box if f is not None else None,
        f.value if f is not None else None,
        note,
    )


def _text_evidence(doc: DocumentEvidence, text: str | None, note: str) -> Evidence:
    """Evidence read from a document's running text (no field, no box): its first page."""
    first = doc.pages[0] if doc.pages else None
    return Evidence(doc.document_id, doc.doc_type.value, doc.file or None, first, "text", None, text, note)


def _span_evidence(span: EvidenceSpan, evidence: ClaimEvidence, note: str | None = None) -> Evidence:
    doc = next((d for d in evidence.documents if d.document_id == span.document_id), None)
    return Evidence(
        span.document_id,
        span.doc_type.value if span.doc_type is not None else None,
        doc.file or None if doc is not None else None,
        span.page,
        span.field,
        span.box,
        span.value,
        note,
    )


class FeatureBuilder:
    """Pure: the same inputs give the same signals. ``settings`` sets when a signal fires as a rule."""

    def __init__(self, settings: FraudSettings | None = None, costs: UsualCosts | None = None) -> None:
        self.settings = settings or FraudSettings()
        self.costs = costs or default_costs()

    def build(
        self,
        evidence: ClaimEvidence,
        checks: Sequence[CheckResult],
        diagnosis_codes: Sequence[str] = (),
        page_forensics: Sequence[PageForensics] = (),
        duplicates: Sequence[DuplicateHit] = (),
        history: MemberHistory | None = None,
    ) -> ClaimFeatures:
        signals: dict[str, Signal] = {}
        for part in (
            self._timing(evidence),
            self._clinical(evidence),
            self._checks(evidence, checks),
            self._amounts(evidence, diagnosis_codes),
            self._forensics(evidence, page_forensics),
            self._duplicates(evidence, duplicates),
            self._history(history, diagnosis_codes),
        ):
            for s in part:
                signals[s.name] = s
        return ClaimFeatures(signals)

    # ---- timing ----------------------------------------------------------------------------------------------
    def _event(self, evidence: ClaimEvidence) -> tuple[dt.date, Evidence] | None:
        """The earliest admission or diagnosis date (as the policy checks use it)."""
        found: list[tuple[dt.date, Evidence]] = []
        for doc in evidence.documents:
            names = ["admission_date"]
            if doc.doc_type in (DocType.DIAGNOSIS_CERTIFICATE, DocType.PATHOLOGY_REPORT):
                names.append("issue_date")
            for name in names:
                day = contract_date(doc.value(name))
                if day is not None:
                    found.append((day, _field_evidence(doc, name)))
        return min(found, key=lambda x: x[0]) if found else None

    def _timing(self, evidence: ClaimEvidence) -> list[Signal]:
        start, waiting = evidence.facts.policy_start_date, evidence.facts.waiting_period_days
        event = self._event(evidence)
        if start is None or event is None:
            return [Signal("days_policy_start_to_event", NAN), Signal("days_waiting_end_to_event", NAN)]
        day, where = event
        since_start = (day - start).days
        out = [Signal("days_policy_start_to_event", since_start, (where,), fired=since_start < 0)]
        if waiting is None:
            out.append(Signal("days_waiting_end_to_event", NAN, (where,)))
        else:
            since_end = since_start - waiting
            out.append(Signal("days_waiting_end_to_event", since_end, (where,), fired=0 <= since_start < waiting))
        return out

    def _clinical(self, evidence: ClaimEvidence) -> list[Signal]:
        """Symptoms and past history in the clinical notes against the policy start."""
        start = evidence.facts.policy_start_date
        event = self._event(evidence)
        notes = evidence.of_type(*_CLINICAL_NOTES, usable_only=False)
        onset: tuple[int, DocumentEvidence] | None = None
        history_value: float = NAN
        history_where: tuple[Evidence, ...] = ()
        diagnoses = [
            text
            for d in evidence.documents
            for text in [*(d.value("diagnoses") or "").split("##"), d.value("pathology_diagnosis") or ""]
            if text
        ]
        for doc in notes:
            days = symptom_days(doc.text)
            if days is not None and (onset is None or days > onset[0]):
                onset = (days, doc)
            mentions = past_history(doc.text)
            if mentions is None:
                continue
            history_value = 0.0 if math.isnan(history_value) else history_value
            for m in mentions:
                if not any(shares_disease(m.disease, d) for d in diagnoses) or event is None or start is None:
                    continue
                since = event[0] - dt.timedelta(days=365 * (m.years or 0))
                if since < start:
                    history_value = 1.0
                    note = f"既往史：{m.text}（约 {since} 起，早于生效日 {start}）"
                    history_where = (_text_evidence(doc, m.text, note),)
        out = [Signal("past_history_before_policy", history_value, history_where, fired=history_value == 1.0)]
        if onset is None or event is None or start is None:
            out.append(Signal("days_policy_start_to_symptoms", NAN))
        else:
            days, doc = onset
            symptoms = event[0] - dt.timedelta(days=days)
            gap = (symptoms - start).days
            note = f"症状约始于 {symptoms}（入院前 {days} 天）"
            where = _text_evidence(doc, None, note)
            # a feature, not a rule: notes often date symptoms months back, honest claims included
            out.append(Signal("days_policy_start_to_symptoms", gap, (where,)))
        return out

    # ---- cross-document checks -------------------------------------------------------------------------------
    def _checks(self, evidence: ClaimEvidence, checks: Sequence[CheckResult]) -> list[Signal]:
        out = []
        by_id = {c.id: c for c in checks}
        for check_id, name in _CHECK_FEATURES.items():
            c = by_id.get(check_id)
            if c is None or c.status is CheckStatus.NOT_APPLICABLE:
                out.append(Signal(name, NAN))
                continue
            failed = c.status is CheckStatus.FAILED
            where = tuple(_span_evidence(s, evidence, c.message_zh if failed else None) for s in c.evidence)
            out.append(Signal(name, 1.0 if failed else 0.0, where, fired=failed))
        out.extend(self._invoice_arithmetic(evidence))
        out.append(self._foreign_invoice(evidence))
        return out

    def _foreign_invoice(self, evidence: ClaimEvidence) -> Signal:
        """An invoice from another hospital than every other document names, and for another patient or another
        stay: someone else's bill. (Another hospital alone is a hospital mismatch; another name alone a name
        mismatch.) A blacked-out name leaves the dates to tell."""
        value = NAN
        where: tuple[Evidence, ...] = ()
        for doc in evidence.of_type(*_INVOICES, usable_only=False):
            hospital = doc.value("hospital_name")
            others = [d for d in evidence.documents if d.document_id != doc.document_id]
            hospitals = [h for d in others if d.doc_type not in _INVOICES and (h := d.value("hospital_name"))]
            if not hospital or not hospitals:
                continue
            name = doc.value("patient_name")
            names = [n for d in others if (n := d.value("patient_name"))]
            other_name = bool(name and names) and not any(names_compatible(name, n) for n in names)  # type: ignore[arg-type]
            stays = {
                (d.value("admission_date"), d.value("discharge_date")) for d in others if d.value("admission_date")
            }
            mine = (doc.value("admission_date"), doc.value("discharge_date"))
            other_stay = bool(stays) and mine[0] is not None and mine not in stays
            other_hospital = not any(same_hospital(hospital, h) for h in hospitals)
            foreign = other_hospital and (other_name or other_stay)
            if math.isnan(value) or foreign:
                value = 1.0 if foreign else 0.0
                if foreign:
                    note = (
                        f"发票为 {name or '（姓名被遮挡）'}、{hospital}、住院 {mine[0]}–{mine[1]}，"
                        f"其他材料为 {names[0] if names else '—'}、{hospitals[0]}"
                    )
                    where = (
                        _field_evidence(doc, "hospital_name", note),
                        _field_evidence(doc, "patient_name"),
                        _field_evidence(doc, "admission_date"),
                    )
            if foreign:
                break
        return Signal("foreign_invoice", value, where, fired=value == 1.0)

    def _invoice_arithmetic(self, evidence: ClaimEvidence) -> list[Signal]:
        """Charge lines vs total, 大写 vs figure, and both at once: when the words and the charge lines agree with
        each other but not with the figure, the figure is the odd one out — it was changed after printing."""
        gap, words, contradicted = NAN, NAN, NAN
        gap_where: tuple[Evidence, ...] = ()
        words_where: tuple[Evidence, ...] = ()
        contradicted_where: tuple[Evidence, ...] = ()
        for doc in evidence.of_type(*_INVOICES, usable_only=False):
            total = contract_amount(doc.value("total_amount"))
            if total is None or total <= 0:
                continue
            items = [contract_amount(a) for _, a in doc.line_items]
            summed = sum((x for x in items if x is not None), Decimal(0)) if items and None not in items else None
            if summed is not None:
                ratio = float(abs(summed - total) / total)
                if math.isnan(gap) or ratio > gap:
                    note = f"收费项目合计 {summed:.2f}，票面总额 {total:.2f}"
                    gap, gap_where = ratio, (_field_evidence(doc, "total_amount", note),)
            in_words = contract_amount(doc.value("amount_in_words") or amount_in_words(doc.text))
            if in_words is None:
                continue
            mismatch = 1.0 if abs(in_words - total) > _CENT else 0.0
            where = [_field_evidence(doc, "total_amount", f"大写 {in_words:.2f}，小写 {total:.2f}")]
            if "amount_in_words" in doc.fields:
                where.append(_field_evidence(doc, "amount_in_words"))
            if math.isnan(words) or mismatch > words:
                words, words_where = mismatch, tuple(where)
            if summed is not None:
                odd = 1.0 if mismatch and abs(in_words - summed) <= _CENT else 0.0
                if math.isnan(contradicted) or odd > contradicted:
                    note = f"大写 {in_words:.2f} 与收费项目合计 {summed:.2f} 一致，唯独小写 {total:.2f} 不同"
                    contradicted, contradicted_where = odd, (_field_evidence(doc, "total_amount", note), *where[1:])
        return [
            Signal("invoice_items_gap_ratio", gap, gap_where, fired=not math.isnan(gap) and gap > 0.001),
            Signal("amount_words_mismatch", words, words_where, fired=words == 1.0),
            Signal("figure_contradicted", contradicted, contradicted_where, fired=contradicted == 1.0),
        ]

    # ---- amounts ---------------------------------------------------------------------------------------------
    def _amounts(self, evidence: ClaimEvidence, diagnosis_codes: Sequence[str]) -> list[Signal]:
        invoices = [
            (d, a)
            for d in evidence.of_type(*_INVOICES, usable_only=False)
            if (a := contract_amount(d.value("total_amount"))) is not None
        ]
        for fallback in (DocType.ITEMIZED_BILL, DocType.CLAIM_FORM):  # no invoice: the bill, else the amount claimed
            if not invoices:
                docs = evidence.of_type(fallback, usable_only=False)
                invoices = [(d, a) for d in docs if (a := contract_amount(d.value("total_amount"))) is not None]
        stay = NAN
        for doc in evidence.documents:
            admitted, discharged = (
                contract_date(doc.value("admission_date")),
                contract_date(doc.value("discharge_date")),
            )
            if admitted is not None and discharged is not None and discharged >= admitted:
                stay = float((discharged - admitted).days)
                break
        out = [Signal("stay_days", stay)]
        if not invoices:
            return [
                *out,
                Signal("claimed_amount_log", NAN),
                Signal("amount_vs_usual_cost", NAN),
                Signal("bed_fee_share", NAN),
            ]
        claimed = float(sum((a for _, a in invoices), Decimal(0)))
        where = tuple(_field_evidence(d, "total_amount") for d, _ in invoices)
        out.append(Signal("claimed_amount_log", math.log10(max(claimed, 1.0)), where))
        inpatient = any(d.doc_type is not DocType.MEDICAL_INVOICE_OUTPATIENT for d, _ in invoices)
        if evidence.facts.claim_type is not None:
            inpatient = evidence.facts.claim_type is not ClaimType.OUTPATIENT
        hospital = next((d.value("hospital_name") for d, _ in invoices if d.value("hospital_name")), None)
        level = hospital_level(hospital)
        usual = self.costs.usual(diagnosis_codes[0] if diagnosis_codes else None, level, inpatient=inpatient)
        if usual is None:
            out.append(Signal("amount_vs_usual_cost", NAN))
        else:
            ratio = claimed / usual.high
            note = (
                f"申请金额 {claimed:.2f}，{usual.name_zh}（{usual.key}）{level.value} 医院通常 "
                f"{usual.low:.0f}–{usual.high:.0f} 元"
            )
            marked = tuple(
                Evidence(e.document_id, e.doc_type, e.file, e.page, e.field, e.box, e.value, note) for e in where
            )
            out.append(
                Signal("amount_vs_usual_cost", ratio, marked, fired=ratio >= self.settings.amount_ratio_threshold)
            )
        share = NAN
        share_where: tuple[Evidence, ...] = ()
        for doc, total in invoices:
            beds = [contract_amount(a) for name, a in doc.line_items if "床位" in name]
            if beds and total > 0 and all(b is not None for b in beds):
                bed = sum((b for b in beds if b is not None), Decimal(0))
                share = float(bed / total)
                share_where = (_field_evidence(doc, "total_amount", f"床位费 {bed:.2f} 占总额 {share:.1%}"),)
                break
        out.append(Signal("bed_fee_share", share, share_where))
        return out

    # ---- images ----------------------------------------------------------------------------------------------
    def _forensics(self, evidence: ClaimEvidence, pages: Sequence[PageForensics]) -> list[Signal]:
        thresholds = {
            ForensicCheck.FONT: self.settings.font_threshold,
            ForensicCheck.BACKGROUND: self.settings.background_threshold,
            ForensicCheck.NOISE: self.settings.noise_threshold,
            ForensicCheck.ELA: self.settings.ela_threshold,
            ForensicCheck.COPY_MOVE: self.settings.copy_move_threshold,
            ForensicCheck.MOIRE: self.settings.moire_threshold,
        }
        out = []
        for check, name in [*_FORENSIC_FEATURES.items(), (ForensicCheck.MOIRE, "forensics_moire")]:
            fields = None if check is ForensicCheck.MOIRE else AMOUNT_FIELDS
            best: tuple[float, Evidence] | None = None
            for page in pages:
                finding = page.worst(check, fields)
                if finding is None or (best is not None and finding.score <= best[0]):
                    continue
                doc = self._document_of(evidence, page)
                note = f"{check.value}: {finding.score:.2f} ({finding.note})"
                where = Evidence(
                    doc.document_id if doc else None,
                    doc.doc_type.value if doc else None,
                    page.file or None,
                    page.page,
                    finding.field,
                    finding.box,
                    None,
                    note,
                )
                best = (finding.score, where)
            if best is None:
                out.append(Signal(name, NAN))
            else:
                out.append(Signal(name, best[0], (best[1],), fired=best[0] >= thresholds[check]))
        return out

    @staticmethod
    def _document_of(evidence: ClaimEvidence, page: PageForensics) -> DocumentEvidence | None:
        return next((d for d in evidence.documents if d.file == page.file and page.page in d.pages), None)

    # ---- duplicates and history ------------------------------------------------------------------------------
    def _duplicates(self, evidence: ClaimEvidence, hits: Sequence[DuplicateHit]) -> list[Signal]:
        by_id = {d.document_id: d for d in evidence.documents}
        out = []
        for name, kinds in (
            ("duplicate_invoice", (DuplicateKind.INVOICE, DuplicateKind.INVOICE_DAY)),
            ("duplicate_page_image", (DuplicateKind.PAGE_IMAGE,)),
        ):
            found = [h for h in hits if h.kind in kinds]
            where = []
            for h in found[:5]:
                doc = by_id.get(h.document_id or "")
                distance = f"，汉明距离 {h.distance}" if h.distance is not None else ""
                note = f"与案件 {h.other_claim_id} 的材料 {h.other_document_id or ''} 重复{distance}"
                field = "total_amount" if doc is not None and "total_amount" in doc.fields else None
                if doc is not None:
                    e = _field_evidence(doc, field, note) if field else Evidence(doc.document_id, doc.doc_type.value)
                    where.append(
                        Evidence(
                            e.document_id, e.doc_type, e.file or h.file, e.page or h.page, e.field, e.box, e.value, note
                        )
                    )
                else:
                    where.append(Evidence(h.document_id, None, h.file, h.page, None, None, None, note))
            claims = {h.other_claim_id for h in found}
            out.append(Signal(name, float(len(claims)), tuple(where), fired=bool(claims)))
        return out

    def _history(self, history: MemberHistory | None, diagnosis_codes: Sequence[str]) -> list[Signal]:
        if history is None:
            return [Signal("history_claims_12m", NAN), Signal("history_same_diagnosis", NAN)]
        out = []
        if history.claims_last_12_months is None:
            out.append(Signal("history_claims_12m", NAN))
        else:
            n = history.claims_last_12_months
            note = f"近 12 个月理赔 {n} 次"
            out.append(
                Signal(
                    "history_claims_12m",
                    float(n),
                    (Evidence(note=note),),
                    fired=n >= self.settings.history_claims_12m_threshold,
                )
            )
        current = {c[:3] for c in diagnosis_codes if c}
        earlier = {c[:3] for c in history.earlier_icd10 if c}
        if not current or not history.earlier_icd10:
            out.append(Signal("history_same_diagnosis", NAN))
        else:
            same = sorted(current & earlier)
            same_note = f"既往理赔含同类诊断 {', '.join(same)}" if same else None
            out.append(
                Signal(
                    "history_same_diagnosis",
                    1.0 if same else 0.0,
                    (Evidence(note=same_note),) if same else (),
                    fired=bool(same),
                )
            )
        return out
