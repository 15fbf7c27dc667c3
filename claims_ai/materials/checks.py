"""Cross-document consistency checks, each with a stable id, a status and the evidence it compared.

``same_patient``       patient names agree across documents (masked characters ``*``/``×``/``某`` match anything)
``same_hospital``      hospital names agree across medical documents
``date_order``         admission ≤ discharge ≤ invoice issue date
``policy_start``       admission / diagnosis on or after the policy start date
``waiting_period``     admission / diagnosis after the waiting period
``invoice_vs_itemized`` inpatient invoice totals equal the itemized bills' totals
``invoice_items_sum``  each invoice's charge lines add up to its total

A check that lacks the data it needs says ``not_applicable`` — never ``passed``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from claims_ai.extract.normalize import contract_amount, contract_date, same_hospital
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, EvidenceSpan
from claims_ai.types import CheckStatus

__all__ = ["CHECK_IDS", "CheckResult", "CheckStatus", "CrossDocumentChecker"]

_CLINICAL = (
    DocType.MEDICAL_INVOICE_INPATIENT,
    DocType.MEDICAL_INVOICE_OUTPATIENT,
    DocType.ITEMIZED_BILL,
    DocType.DISCHARGE_SUMMARY,
    DocType.DIAGNOSIS_CERTIFICATE,
    DocType.PATHOLOGY_REPORT,
    DocType.ADMISSION_RECORD,
    DocType.MEDICAL_RECORD_FRONT_PAGE,
    DocType.LAB_REPORT,
    DocType.IMAGING_REPORT,
)
_MASK = "*＊×●○·?？某"
_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: CheckStatus
    message_en: str
    message_zh: str
    evidence: tuple[EvidenceSpan, ...] = ()


def _span(doc: DocumentEvidence, name: str) -> EvidenceSpan:
    f = doc.fields[name]
    return EvidenceSpan(doc.doc_type, doc.document_id, name, f.value, f.page, f.box)


def _values(evidence: ClaimEvidence, name: str, doc_types: tuple[DocType, ...] | None = None) -> list[EvidenceSpan]:
    return [
        _span(d, name) for d in evidence.documents if d.value(name) and (doc_types is None or d.doc_type in doc_types)
    ]


def names_compatible(a: str, b: str) -> bool:
    """``"张*明"`` ~ ``"张三明"``; ``"张**"`` ~ ``"张小明"``; ``"王某某"`` ~ ``"王小红"``; a trailing mask run may hide
    any number of characters."""
    a, b = re.sub(r"\s", "", a), re.sub(r"\s", "", b)
    if a == b:
        return True
    return _masked_match(a, b) or _masked_match(b, a)


def _masked_match(pattern: str, name: str) -> bool:
    if not any(ch in _MASK for ch in pattern):
        return False
    stripped = pattern.rstrip(_MASK)
    regex = "".join("." if ch in _MASK else re.escape(ch) for ch in stripped)
    if len(stripped) < len(pattern):
        regex += ".+"  # a trailing run of masks may hide any number of characters
    if re.fullmatch(regex, name):
        return True
    # both masked: same length, and every position equal or masked on one side
    return len(name) == len(pattern) and all(
        x == y or x in _MASK or y in _MASK for x, y in zip(pattern, name, strict=True)
    )


class CrossDocumentChecker:
    """Runs every check; ``check`` is pure."""

    def __init__(self) -> None:
        self._checks: tuple[Callable[[ClaimEvidence], CheckResult], ...] = (
            self.same_patient,
            self.same_hospital,
            self.date_order,
            self.policy_start,
            self.waiting_period,
            self.invoice_vs_itemized,
            self.invoice_items_sum,
        )

    def check(self, evidence: ClaimEvidence) -> tuple[CheckResult, ...]:
        return tuple(run(evidence) for run in self._checks)

    def same_patient(self, evidence: ClaimEvidence) -> CheckResult:
        spans = _values(evidence, "patient_name")
        if len(spans) < 2:
            return CheckResult(
                "same_patient",
                CheckStatus.NOT_APPLICABLE,
                "fewer than two documents show a name",
                "姓名少于两处，无法比对",
                tuple(spans),
            )
        for i, a in enumerate(spans):
            for b in spans[i + 1 :]:
                if not names_compatible(a.value, b.value):
                    return CheckResult(
                        "same_patient",
                        CheckStatus.FAILED,
                        f"the name on the {a.doc_type} ({a.value}) differs from the {b.doc_type} ({b.value})",
                        f"不同材料上的姓名不一致：{a.value} / {b.value}",
                        (a, b),
                    )
        return CheckResult(
            "same_patient", CheckStatus.PASSED, "the same patient on every document", "各材料姓名一致", tuple(spans)
        )

    def same_hospital(self, evidence: ClaimEvidence) -> CheckResult:
        spans = _values(evidence, "hospital_name", _CLINICAL)
        if len(spans) < 2:
            return CheckResult(
                "same_hospital",
                CheckStatus.NOT_APPLICABLE,
                "fewer than two documents name a hospital",
                "医院名称少于两处，无法比对",
                tuple(spans),
            )
        for i, a in enumerate(spans):
            for b in spans[i + 1 :]:
                if not same_hospital(a.value, b.value):
                    return CheckResult(
                        "same_hospital",
                        CheckStatus.FAILED,
                        f"the {a.doc_type} is from {a.value}, the {b.doc_type} from {b.value}",
                        f"不同材料的医院不一致：{a.value} / {b.value}",
                        (a, b),
                    )
        return CheckResult(
            "same_hospital",
            CheckStatus.PASSED,
            "one hospital across the medical documents",
            "各医疗材料医院一致",
            tuple(spans),
        )

    def date_order(self, evidence: ClaimEvidence) -> CheckResult:
        admissions = [(s, contract_date(s.value)) for s in _values(evidence, "admission_date")]
        discharges = [(s, contract_date(s.value)) for s in _values(evidence, "discharge_date")]
        issues = [
            (s, contract_date(s.value))
            for s in _values(evidence, "issue_date", (DocType.MEDICAL_INVOICE_INPATIENT, DocType.ITEMIZED_BILL))
        ]
        compared = 0
        for earlier, later, what_en, what_zh in (
            (admissions, discharges, "admission is after discharge", "入院日期晚于出院日期"),
            (discharges, issues, "the invoice is dated before discharge", "发票日期早于出院日期"),
            (admissions, issues, "the invoice is dated before admission", "发票日期早于入院日期"),
        ):
            for a, da in earlier:
                for b, db in later:
                    if da is None or db is None:
                        continue
                    compared += 1
                    if da > db:
                        return CheckResult(
                            "date_order",
                            CheckStatus.FAILED,
                            f"{what_en} ({a.value} > {b.value})",
                            f"{what_zh}（{a.value} > {b.value}）",
                            (a, b),
                        )
        if compared == 0:
            return CheckResult("date_order", CheckStatus.NOT_APPLICABLE, "no two dates to compare", "无可比对的日期")
        spans = tuple(s for s, _ in admissions + discharges + issues)
        return CheckResult(
            "date_order", CheckStatus.PASSED, "admission ≤ discharge ≤ invoice date", "入院 ≤ 出院 ≤ 开票日期", spans
        )

    def _event(self, evidence: ClaimEvidence) -> tuple[EvidenceSpan, dt.date] | None:
        """The earliest admission or diagnosis date in the claim."""
        spans = _values(evidence, "admission_date") + _values(
            evidence, "issue_date", (DocType.DIAGNOSIS_CERTIFICATE, DocType.PATHOLOGY_REPORT)
        )
        dated = [(s, d) for s in spans if (d := contract_date(s.value)) is not None]
        return min(dated, key=lambda x: x[1]) if dated else None

    def policy_start(self, evidence: ClaimEvidence) -> CheckResult:
        start = evidence.facts.policy_start_date
        event = self._event(evidence)
        if start is None or event is None:
            return CheckResult(
                "policy_start",
                CheckStatus.NOT_APPLICABLE,
                "policy start or event date unknown",
                "保单生效日或就诊日期未知",
            )
        span, day = event
        if day < start:
            return CheckResult(
                "policy_start",
                CheckStatus.FAILED,
                f"{span.field} {day} is before the policy started ({start})",
                f"就诊/确诊日期 {day} 早于保单生效日 {start}",
                (span,),
            )
        return CheckResult(
            "policy_start",
            CheckStatus.PASSED,
            f"{span.field} {day} on or after policy start {start}",
            f"就诊/确诊日期 {day} 不早于保单生效日 {start}",
            (span,),
        )

    def waiting_period(self, evidence: ClaimEvidence) -> CheckResult:
        start, days = evidence.facts.policy_start_date, evidence.facts.waiting_period_days
        event = self._event(evidence)
        if start is None or days is None or event is None:
            return CheckResult(
                "waiting_period",
                CheckStatus.NOT_APPLICABLE,
                "policy start, waiting period or event date unknown",
                "保单生效日、等待期或就诊日期未知",
            )
        span, day = event
        ends = start + dt.timedelta(days=days)
        if start <= day < ends:
            return CheckResult(
                "waiting_period",
                CheckStatus.FAILED,
                f"{span.field} {day} falls in the {days}-day waiting period (ends {ends})",
                f"就诊/确诊日期 {day} 在 {days} 天等待期内（{ends} 结束）",
                (span,),
            )
        if day < start:
            return CheckResult(
                "waiting_period",
                CheckStatus.NOT_APPLICABLE,
                "the event precedes the policy",
                "就诊日期早于保单生效日",
                (span,),
            )
        return CheckResult(
            "waiting_period",
            CheckStatus.PASSED,
            f"{span.field} {day} after the waiting period",
            f"就诊/确诊日期 {day} 在等待期之后",
            (span,),
        )

    def invoice_vs_itemized(self, evidence: ClaimEvidence) -> CheckResult:
        invoices = _values(evidence, "total_amount", (DocType.MEDICAL_INVOICE_INPATIENT,))
        bills = evidence.of_type(DocType.ITEMIZED_BILL)
        bill_totals: list[tuple[EvidenceSpan | None, Decimal]] = []
        for bill in bills:
            if (
                bill.value("total_amount")
                and (amount := contract_amount(bill.fields["total_amount"].value)) is not None
            ):
                bill_totals.append((_span(bill, "total_amount"), amount))
            elif bill.line_items:
                items = [contract_amount(a) for _, a in bill.line_items]
                if all(x is not None for x in items):
                    bill_totals.append((None, sum((x for x in items if x is not None), Decimal(0))))
        invoice_amounts = [contract_amount(s.value) for s in invoices]
        if not invoices or not bill_totals or any(a is None for a in invoice_amounts):
            return CheckResult(
                "invoice_vs_itemized",
                CheckStatus.NOT_APPLICABLE,
                "no inpatient invoice total and itemized bill total to compare",
                "无可比对的发票与清单金额",
                tuple(invoices),
            )
        invoice_sum = sum((a for a in invoice_amounts if a is not None), Decimal(0))
        bill_sum = sum((b for _, b in bill_totals), Decimal(0))
        spans = tuple(invoices) + tuple(s for s, _ in bill_totals if s is not None)
        if abs(invoice_sum - bill_sum) > _TOLERANCE:
            return CheckResult(
                "invoice_vs_itemized",
                CheckStatus.FAILED,
                f"invoices total {invoice_sum:.2f}, itemized bills {bill_sum:.2f}",
                f"发票合计 {invoice_sum:.2f} 与费用清单合计 {bill_sum:.2f} 不符",
                spans,
            )
        return CheckResult(
            "invoice_vs_itemized",
            CheckStatus.PASSED,
            f"invoices and itemized bills both {bill_sum:.2f}",
            f"发票与费用清单合计一致（{bill_sum:.2f}）",
            spans,
        )

    def invoice_items_sum(self, evidence: ClaimEvidence) -> CheckResult:
        invoices = [
            d
            for d in evidence.of_type(DocType.MEDICAL_INVOICE_INPATIENT, DocType.MEDICAL_INVOICE_OUTPATIENT)
            if d.value("total_amount") and d.line_items
        ]
        if not invoices:
            return CheckResult(
                "invoice_items_sum", CheckStatus.NOT_APPLICABLE, "no invoice with charge lines", "无含收费项目的发票"
            )
        for doc in invoices:
            total = contract_amount(doc.fields["total_amount"].value)
            items = [contract_amount(a) for _, a in doc.line_items]
            if total is None or any(x is None for x in items):
                continue
            summed = sum((x for x in items if x is not None), Decimal(0))
            if abs(summed - total) > _TOLERANCE:
                return CheckResult(
                    "invoice_items_sum",
                    CheckStatus.FAILED,
                    f"the charge lines add up to {summed:.2f}, the invoice says {total:.2f}",
                    f"发票收费项目合计 {summed:.2f} 与总额 {total:.2f} 不符",
                    (_span(doc, "total_amount"),),
                )
        return CheckResult(
            "invoice_items_sum",
            CheckStatus.PASSED,
            "every invoice's charge lines add up to its total",
            "发票收费项目合计与总额一致",
            tuple(_span(d, "total_amount") for d in invoices),
        )


CHECK_IDS = (
    "same_patient",
    "same_hospital",
    "date_order",
    "policy_start",
    "waiting_period",
    "invoice_vs_itemized",
    "invoice_items_sum",
)
