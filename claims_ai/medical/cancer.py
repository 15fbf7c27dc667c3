"""The six cancers the 2020 definitions move from severe to mild, and how staging decides each one."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, EvidenceSpan
from claims_ai.medical.rules import MildCancerKind, MildCancerRule, Tier, icd10_matches
from claims_ai.medical.staging import (
    parse_ann_arbor,
    parse_binet,
    parse_stage_group,
    parse_tnm,
    parse_who_grade,
    thyroid_histology,
    thyroid_stage,
)

if TYPE_CHECKING:
    from claims_ai.medical.severity import DiagnosisInput

__all__ = ["CancerOutcome", "mild_cancer_outcome"]

T = TypeVar("T")
Sources = list[tuple[DocumentEvidence | None, str]]

_STAGING_DOCS = (DocType.PATHOLOGY_REPORT, DocType.DISCHARGE_SUMMARY, DocType.DIAGNOSIS_CERTIFICATE)
_SPREAD = re.compile(r"(?<!未见)(?<!无)(?<!未)(?:淋巴结|远处|骨|肺|肝|脑)?转移(?!\s*[(（]?\s*-)")
_NO_SPREAD = re.compile(r"未见(?:淋巴结|远处)?转移|无(?:淋巴结|远处)?转移|淋巴结\s*[(（]?\s*0\s*/\s*\d+")


@dataclass(frozen=True)
class CancerOutcome:
    rule: MildCancerRule
    tier: Tier  # MILD, SEVERE or UNDETERMINED
    reason: str
    evidence: tuple[EvidenceSpan, ...] = ()


def _staging_sources(diagnosis: DiagnosisInput, evidence: ClaimEvidence) -> Sources:
    """Texts to read stages from, most authoritative first: the tnm_stage field, pathology, the diagnosis."""
    sources: Sources = []
    docs = evidence.of_type(*_STAGING_DOCS)
    for doc in sorted(docs, key=lambda d: _STAGING_DOCS.index(d.doc_type)):
        for name in ("tnm_stage", "pathology_diagnosis", "diagnoses"):
            value = doc.value(name)
            if value:
                sources.append((doc, value))
        if doc.text:
            sources.append((doc, doc.text))
    sources.append((None, diagnosis.written))
    return sources


def _span(doc: DocumentEvidence | None, diagnosis: DiagnosisInput, value: str) -> EvidenceSpan:
    if doc is None:
        source = diagnosis.source
        return EvidenceSpan(
            source.doc_type if source else None,
            source.document_id if source else None,
            "diagnosis",
            value,
            source.page if source else None,
            source.box if source else None,
        )
    field = next((name for name, f in doc.fields.items() if value in f.value), "text")
    found = doc.fields.get(field)
    page = found.page if found else (doc.pages[0] if doc.pages else None)
    return EvidenceSpan(doc.doc_type, doc.document_id, field, value, page, found.box if found else None)


def _first(sources: Sources, parse: Callable[[str], T | None]) -> tuple[DocumentEvidence | None, T | None]:
    for doc, text in sources:
        found = parse(text)
        if found is not None:
            return doc, found
    return None, None


def _rule_for(rules: Sequence[MildCancerRule], text: str, code: str) -> MildCancerRule | None:
    for rule in rules:
        if any(re.search(p, text, re.IGNORECASE) for p in rule.patterns) or (code and icd10_matches(code, rule.icd10)):
            return rule
    return None


def mild_cancer_outcome(
    rules: Sequence[MildCancerRule], diagnosis: DiagnosisInput, text: str, evidence: ClaimEvidence
) -> CancerOutcome | None:
    """None when the cancer is not one of the six; otherwise mild, severe or undetermined with the reason."""
    rule = _rule_for(rules, text, diagnosis.code)
    if rule is None:
        return None
    sources = _staging_sources(diagnosis, evidence)
    kind = rule.kind
    if kind is MildCancerKind.THYROID_TNM:
        return _thyroid(rule, diagnosis, sources, evidence.facts.member_age)
    if kind is MildCancerKind.PROSTATE_TNM:
        return _prostate(rule, diagnosis, sources)
    if kind is MildCancerKind.SKIN_NON_MELANOMA:
        if "黑色素" in text:
            return None  # melanoma is never on the mild list
        return _localised(rule, diagnosis, sources, "non-melanoma skin cancer")
    if kind is MildCancerKind.CLL_BINET:
        doc, binet = _first(sources, parse_binet)
        if binet is None:
            return CancerOutcome(rule, Tier.UNDETERMINED, "the Binet stage is not stated")
        tier = Tier.MILD if binet == "A" else Tier.SEVERE
        return CancerOutcome(rule, tier, f"CLL Binet stage {binet}", (_span(doc, diagnosis, f"Binet {binet}"),))
    if kind is MildCancerKind.HODGKIN_ANN_ARBOR:
        doc, stage = _first(sources, lambda t: parse_ann_arbor(t) or parse_stage_group(t))
        if stage is None:
            return CancerOutcome(rule, Tier.UNDETERMINED, "the Ann Arbor stage is not stated")
        tier = Tier.MILD if stage.number <= 1 else Tier.SEVERE
        return CancerOutcome(
            rule, tier, f"Hodgkin lymphoma Ann Arbor stage {stage.text}", (_span(doc, diagnosis, f"{stage.text}期"),)
        )
    return _neuroendocrine(rule, diagnosis, text, sources)


def _thyroid(rule: MildCancerRule, diagnosis: DiagnosisInput, sources: Sources, age: int | None) -> CancerOutcome:
    histology = thyroid_histology(" ".join(t for _, t in sources))
    doc, tnm = _first(sources, parse_tnm)
    if tnm is not None:
        ages = [age] if age is not None else [30, 60]  # without the age, decide only if both age groups agree
        stages = [thyroid_stage(tnm, a, histology) for a in ages]
        if all(s is not None for s in stages):
            mild = {s.number <= 1 for s in stages if s is not None}
            if len(mild) == 1:
                stage = stages[0]
                assert stage is not None
                tier = Tier.MILD if mild.pop() else Tier.SEVERE
                where = f"age {age}" if age is not None else "any age"
                return CancerOutcome(
                    rule,
                    tier,
                    f"{histology} thyroid cancer {tnm.text}, AJCC 8 stage {stage.text} ({where})",
                    (_span(doc, diagnosis, tnm.text),),
                )
        if age is None and histology == "differentiated":
            return CancerOutcome(rule, Tier.UNDETERMINED, f"{tnm.text}: the stage depends on the age at diagnosis")
    doc, group = _first(sources, parse_stage_group)
    if group is not None:
        tier = Tier.MILD if group.number <= 1 else Tier.SEVERE
        return CancerOutcome(
            rule, tier, f"thyroid cancer stated as stage {group.text}", (_span(doc, diagnosis, f"{group.text}期"),)
        )
    return CancerOutcome(rule, Tier.UNDETERMINED, "no TNM stage or stage group is stated")


def _prostate(rule: MildCancerRule, diagnosis: DiagnosisInput, sources: Sources) -> CancerOutcome:
    doc, tnm = _first(sources, parse_tnm)
    if tnm is None:
        return CancerOutcome(rule, Tier.UNDETERMINED, "no TNM stage is stated")
    t = (tnm.t or "Tx")[1:].lower()
    n = (tnm.n or "Nx")[1:].lower()
    m = (tnm.m or "M0")[1:].lower()
    span = (_span(doc, diagnosis, tnm.text),)
    if t[:1] in {"2", "3", "4"} or n.startswith("1") or m.startswith("1"):
        return CancerOutcome(rule, Tier.SEVERE, f"prostate cancer {tnm.text} is beyond T1N0M0", span)
    if t[:1] in {"0", "1"} and n == "0" and (m.startswith("0") or m == "x"):
        return CancerOutcome(rule, Tier.MILD, f"prostate cancer {tnm.text} is T1N0M0 or lower", span)
    return CancerOutcome(rule, Tier.UNDETERMINED, f"prostate cancer {tnm.text}: T or N is not assessed")


def _spread(sources: Sources) -> tuple[bool | None, DocumentEvidence | None, str]:
    doc, tnm = _first(sources, parse_tnm)
    if tnm is not None and tnm.n and tnm.m:
        spread = tnm.n[1:2] in {"1", "2", "3"} or tnm.m.startswith("M1")
        if spread or (tnm.n[1:2] == "0" and tnm.m.startswith("M0")):
            return spread, doc, tnm.text
    for doc, text in sources:
        if (negative := _NO_SPREAD.search(text)) is not None:
            return False, doc, negative.group(0)
        if (positive := _SPREAD.search(text)) is not None:
            return True, doc, positive.group(0)
    return None, None, ""


def _localised(rule: MildCancerRule, diagnosis: DiagnosisInput, sources: Sources, what: str) -> CancerOutcome:
    spread, doc, value = _spread(sources)
    if spread is None:
        return CancerOutcome(rule, Tier.UNDETERMINED, f"{what}: lymph-node and distant spread not stated")
    tier = Tier.SEVERE if spread else Tier.MILD
    words = "has spread" if spread else "without spread"
    return CancerOutcome(rule, tier, f"{what} {words} ({value})", (_span(doc, diagnosis, value),))


def _neuroendocrine(rule: MildCancerRule, diagnosis: DiagnosisInput, text: str, sources: Sources) -> CancerOutcome:
    if re.search(r"神经内分泌癌|NEC(?![A-Za-z])|小细胞癌|大细胞", text):
        return CancerOutcome(rule, Tier.SEVERE, "neuroendocrine carcinoma (not a G1 tumour)")
    doc, grade = _first(sources, parse_who_grade)
    if grade is None:
        return CancerOutcome(rule, Tier.UNDETERMINED, "the WHO grade is not stated")
    if grade > 1:
        return CancerOutcome(
            rule, Tier.SEVERE, f"neuroendocrine tumour G{grade}", (_span(doc, diagnosis, f"G{grade}"),)
        )
    spread, spread_doc, value = _spread(sources)
    if spread is None:
        return CancerOutcome(rule, Tier.UNDETERMINED, "neuroendocrine tumour G1: spread not stated")
    grade_span = _span(doc, diagnosis, "G1")
    if spread:
        return CancerOutcome(rule, Tier.SEVERE, f"neuroendocrine tumour G1 that has spread ({value})", (grade_span,))
    return CancerOutcome(
        rule,
        Tier.MILD,
        f"neuroendocrine tumour G1 without spread ({value})",
        (grade_span, _span(spread_doc, diagnosis, value)),
    )
