"""Claims: which documents a claim holds, its facts, and its labels (missing materials, severity, fraud).

A claim is planned from its seed alone (``plan_claim``), so a fraud pattern that reuses another claim's invoice or
image re-creates that claim's document from the other seed instead of sharing state between workers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass, field

from claims_datasets.content import ClaimContent, make_claim_content, with_total_scaled
from claims_datasets.layouts import LAYOUTS, Overrides
from claims_datasets.schema import DocType, FraudPattern

__all__ = [
    "CLAIM_TYPES",
    "REQUIRED_MATERIALS",
    "ClaimPlan",
    "DocumentPlan",
    "FraudRates",
    "plan_claim",
    "reused_content",
    "source_invoice",
]

D = DocType
# Required materials per claim type (the labels say which of these were left out).
REQUIRED_MATERIALS: dict[str, tuple[str, ...]] = {
    "critical_illness": (D.ID_CARD, D.BANK_CARD, D.CLAIM_FORM, D.DIAGNOSIS_CERTIFICATE, D.DISCHARGE_SUMMARY),
    "inpatient": (
        D.ID_CARD,
        D.BANK_CARD,
        D.CLAIM_FORM,
        D.MEDICAL_INVOICE_INPATIENT,
        D.ITEMIZED_BILL,
        D.DISCHARGE_SUMMARY,
    ),
    "outpatient": (D.ID_CARD, D.BANK_CARD, D.CLAIM_FORM, D.MEDICAL_INVOICE_OUTPATIENT, D.DIAGNOSIS_CERTIFICATE),
    "accident": (
        D.ID_CARD,
        D.BANK_CARD,
        D.CLAIM_FORM,
        D.MEDICAL_INVOICE_INPATIENT,
        D.ITEMIZED_BILL,
        D.DISCHARGE_SUMMARY,
        D.DIAGNOSIS_CERTIFICATE,
    ),
    "death": (D.ID_CARD, D.BANK_CARD, D.CLAIM_FORM, D.DEATH_CERTIFICATE, D.DISCHARGE_SUMMARY),
}
# Extra pages members often add.
_OPTIONAL = (D.LAB_REPORT, D.IMAGING_REPORT, D.ADMISSION_RECORD, D.MEDICAL_RECORD_FRONT_PAGE)
CLAIM_TYPES = {"critical_illness": 40, "inpatient": 32, "outpatient": 10, "accident": 10, "death": 8}
_GROUPS = {
    "critical_illness": ("thyroid_cancer", "prostate_cancer", "cancer", "severe"),
    "inpatient": None,
    "outpatient": ("common",),
    "accident": ("injury",),
    "death": ("cancer", "severe"),
}
_PLANS = {
    "critical_illness": ("互助计划-重疾", "重大疾病保险"),
    "inpatient": ("百万医疗险", "惠民保"),
    "outpatient": ("门诊医疗险",),
    "accident": ("意外伤害医疗险",),
    "death": ("定期寿险",),
}
_WAITING = {
    "critical_illness": (90, 180),
    "inpatient": (30, 30),
    "outpatient": (30, 30),
    "accident": (0, 0),
    "death": (90, 180),
}


@dataclass(frozen=True)
class FraudRates:
    """Share of claims that carry a fraud pattern, relative weights of the patterns, and other planning rates."""

    fraud_rate: float = 0.25
    missing_rate: float = 0.3
    weights: dict[str, float] = field(default_factory=lambda: {p.value: 1.0 for p in FraudPattern})
    other_page_rate: float = 0.05  # claims holding one page that is not claim material (DocType other)


@dataclass(frozen=True)
class DocumentPlan:
    document_id: str
    doc_type: str
    layout: str
    render_seed: int
    capture_seed: int
    overrides: Overrides = field(default_factory=Overrides)
    source_claim_seed: int | None = None  # invoice/image reuse: the claim whose document this is
    reuse: str | None = None  # "invoice" (re-captured) or "image" (same capture, lightly edited)


@dataclass(frozen=True)
class ClaimPlan:
    claim_id: str
    seed: int
    claim_type: str
    content: ClaimContent
    facts: dict
    documents: tuple[DocumentPlan, ...]
    missing: tuple[str, ...]
    fraud: tuple[dict, ...]
    severity_tier: str


def _content(seed: int, claim_type: str) -> ClaimContent:
    return make_claim_content(seed, groups=_GROUPS[claim_type], inpatient=claim_type != "outpatient")


def _claim_type(rng: random.Random) -> str:
    return rng.choices(list(CLAIM_TYPES), list(CLAIM_TYPES.values()))[0]


def _invoice_type(claim_type: str) -> str:
    return D.MEDICAL_INVOICE_OUTPATIENT.value if claim_type == "outpatient" else D.MEDICAL_INVOICE_INPATIENT.value


def _base(seed: int) -> tuple[random.Random, str, ClaimContent]:
    rng = random.Random(seed * 7919 + 17)
    claim_type = _claim_type(rng)
    return rng, claim_type, _content(seed, claim_type)


def plan_claim(seed: int, rates: FraudRates = FraudRates(), *, min_seed: int = 0) -> ClaimPlan:
    """Everything about claim ``seed``; ``min_seed`` bounds the seeds a reuse pattern may borrow from."""
    rng, claim_type, content = _base(seed)
    claim_id = f"C{seed:09d}"
    required = [t.value for t in REQUIRED_MATERIALS[claim_type]]
    if claim_type == "critical_illness" and content.primary.row.morphology:
        required.append(D.PATHOLOGY_REPORT.value)
    wanted = list(required)
    if claim_type == "critical_illness" and rng.random() < 0.5:
        wanted.append(D.MEDICAL_INVOICE_INPATIENT.value)  # many members add their bills anyway
    wanted += [t.value for t in _OPTIONAL if rng.random() < 0.2]
    missing: list[str] = []
    if rng.random() < rates.missing_rate:
        missing = rng.sample(required, rng.randint(1, 2))
        wanted = [t for t in wanted if t not in missing]

    admission = content.stay.admission_date
    waiting = rng.choice(_WAITING[claim_type])
    policy_start = admission - dt.timedelta(days=waiting + rng.randint(20, 1500))
    fraud: list[dict] = []
    overrides: dict[str, Overrides] = {}
    reuse: dict[str, tuple[int, str]] = {}
    if rng.random() < rates.fraud_rate:
        patterns = list(rates.weights)
        pattern = rng.choices(patterns, [rates.weights[p] for p in patterns])[0]
        invoice_type = _invoice_type(claim_type)
        if (
            pattern
            in (
                FraudPattern.ALTERED_AMOUNT,
                FraudPattern.ITEMS_DONT_ADD_UP,
                FraudPattern.WORDS_FIGURE_MISMATCH,
                FraudPattern.INVOICE_REUSED,
                FraudPattern.IMAGE_REUSED,
            )
            and invoice_type not in wanted
        ):
            wanted.append(invoice_type)
            if invoice_type in missing:
                missing.remove(invoice_type)
        total = content.stay.settlement.total
        bump = int(total * rng.uniform(0.1, 0.8)) // 100 * 100 + rng.choice((0, 1000, 50000))
        label: dict = {"pattern": pattern}
        if pattern == FraudPattern.ALTERED_AMOUNT:
            overrides[invoice_type] = Overrides(altered_total_cents=total + bump)
            label.update(
                doc_type=invoice_type, printed_total=f"{(total + bump) / 100:.2f}", true_total=f"{total / 100:.2f}"
            )
        elif pattern == FraudPattern.ITEMS_DONT_ADD_UP:
            overrides[invoice_type] = Overrides(total_cents=total + bump)
            label.update(
                doc_type=invoice_type, printed_total=f"{(total + bump) / 100:.2f}", items_sum=f"{total / 100:.2f}"
            )
        elif pattern == FraudPattern.WORDS_FIGURE_MISMATCH:
            overrides[invoice_type] = Overrides(words_cents=total + bump)
            label.update(doc_type=invoice_type, words_amount=f"{(total + bump) / 100:.2f}", figure=f"{total / 100:.2f}")
        elif pattern in (FraudPattern.INVOICE_REUSED, FraudPattern.IMAGE_REUSED):
            source = _reuse_source(seed, rng, min_seed)
            kind = "invoice" if pattern == FraudPattern.INVOICE_REUSED else "image"
            reuse[invoice_type] = (source, kind)
            label.update(doc_type=invoice_type, source_claim=f"C{source:09d}")
        elif pattern == FraudPattern.BEFORE_POLICY_START:
            policy_start = admission + dt.timedelta(days=rng.randint(5, 400))
            label.update(admission_date=admission.isoformat(), policy_start_date=policy_start.isoformat())
        elif pattern == FraudPattern.IN_WAITING_PERIOD:
            waiting = max(waiting, 90)
            policy_start = admission - dt.timedelta(days=rng.randint(1, waiting - 1))
            label.update(
                admission_date=admission.isoformat(),
                policy_start_date=policy_start.isoformat(),
                waiting_period_days=waiting,
            )
        elif pattern == FraudPattern.NAME_MISMATCH:
            target = rng.choice([t for t in wanted if t not in (D.ID_CARD, D.BANK_CARD)])
            other = make_claim_content(seed + 1_000_003).person.name
            overrides[target] = Overrides(patient_name=other)
            label.update(doc_type=target, printed_name=other, true_name=content.person.name)
        elif pattern == FraudPattern.HOSPITAL_MISMATCH:
            candidates = [t for t in wanted if t not in (D.ID_CARD, D.BANK_CARD, D.CLAIM_FORM)]
            target = rng.choice(candidates)
            other = make_claim_content(seed + 2_000_003).stay.hospital.name
            overrides[target] = Overrides(hospital_name=other)
            label.update(doc_type=target, printed_hospital=other, true_hospital=content.stay.hospital.name)
        elif pattern == FraudPattern.INFLATED_AMOUNT:
            usual = content.stay.settlement.total
            content = with_total_scaled(content, rng.uniform(3.0, 6.0))
            label.update(
                total=f"{content.stay.settlement.total / 100:.2f}",
                usual_max=f"{content.primary.row.cost_max:.2f}",
                usual_total=f"{usual / 100:.2f}",
            )
        fraud.append(label)

    documents = []
    for i, doc_type in enumerate(wanted):
        layout = rng.choice(LAYOUTS[doc_type])
        source, kind = reuse.get(doc_type, (None, None))
        if source is not None:
            layout, render_seed, capture_seed = source_invoice(source)
            doc = DocumentPlan(
                f"{claim_id}-D{i:02d}",
                reused_content(source)[1],
                layout,
                render_seed,
                capture_seed if kind == "image" else rng.getrandbits(32),
                Overrides(),
                source,
                kind,
            )
        elif doc_type == _invoice_type(claim_type):
            # The claim's own invoice comes from ``source_invoice`` so a later claim can reuse it exactly.
            layout, render_seed, capture_seed = source_invoice(seed)
            doc = DocumentPlan(
                f"{claim_id}-D{i:02d}",
                doc_type,
                layout,
                render_seed,
                capture_seed,
                overrides.get(doc_type, Overrides()),
            )
        else:
            doc = DocumentPlan(
                f"{claim_id}-D{i:02d}",
                doc_type,
                layout,
                rng.getrandbits(32),
                rng.getrandbits(32),
                overrides.get(doc_type, Overrides()),
            )
        documents.append(doc)
    documents = _with_other_page(seed, claim_id, documents, rates.other_page_rate)
    facts = {
        "claim_type": claim_type,
        "member_age": content.person.age_on(admission),
        "plan": rng.choice(_PLANS[claim_type]),
        "policy_start_date": policy_start.isoformat(),
        "waiting_period_days": waiting,
    }
    return ClaimPlan(
        claim_id,
        seed,
        claim_type,
        content,
        facts,
        tuple(documents),
        tuple(missing),
        tuple(fraud),
        content.primary.severity,
    )


def _with_other_page(seed: int, claim_id: str, documents: list[DocumentPlan], rate: float) -> list[DocumentPlan]:
    """Sometimes a member uploads something irrelevant (a shop receipt, a photo of the room) among the pages.

    It is added after materials and fraud are settled, from its own random stream, so it never fills a missing
    material or becomes a fraud target, and claims without it are planned exactly as before.
    """
    rng = random.Random(seed * 7919 + 29)
    if rng.random() >= rate:
        return documents
    other = D.OTHER.value
    page = DocumentPlan("", other, rng.choice(LAYOUTS[other]), rng.getrandbits(32), rng.getrandbits(32))
    out = list(documents)
    out.insert(rng.randint(0, len(out)), page)
    return [dataclasses.replace(d, document_id=f"{claim_id}-D{i:02d}") for i, d in enumerate(out)]


def _reuse_source(seed: int, rng: random.Random, min_seed: int) -> int:
    """Another claim of the same run whose invoice is reused: an earlier one, or a later one at the run's start."""
    if seed - min_seed >= 2:
        return max(min_seed, seed - rng.randint(1, 40))
    return seed + rng.randint(1, 40)


def source_invoice(source_seed: int) -> tuple[str, int, int]:
    """Layout, render seed and capture seed of the invoice claim ``source_seed`` itself submitted (or would)."""
    _, claim_type, _ = _base(source_seed)
    r = random.Random(source_seed * 104729 + 3)
    layout = r.choice(LAYOUTS[_invoice_type(claim_type)])
    return layout, r.getrandbits(32), r.getrandbits(32)


def reused_content(source_seed: int) -> tuple[ClaimContent, str]:
    """The content and invoice type of claim ``source_seed`` (for re-rendering its invoice)."""
    _, claim_type, content = _base(source_seed)
    return content, _invoice_type(claim_type)
