"""Severity tier and payout: the plan's rule book applied to the claim's diagnoses and evidence, the same way
every time, with the evidence used — or, when it cannot decide, which evidence is missing and where to find it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from claims_ai.medical.cancer import CancerOutcome, mild_cancer_outcome
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, EvidenceSpan
from claims_ai.medical.normalizer import NormalizedDiagnosis
from claims_ai.medical.rules import (
    Definition,
    DiseaseGroup,
    EvidenceRequirement,
    Exclusion,
    Plans,
    SeverityRules,
    Tier,
    icd10_matches,
    load_plans,
    load_rules,
)
from claims_ai.medical.text import DiagnosisStatus, clean_text, expand_abbreviations

__all__ = [
    "DiagnosisInput",
    "DiagnosisTier",
    "MissingEvidence",
    "Payout",
    "SeverityAssessor",
    "SeverityResult",
]

_BEHAVIOUR = re.compile(r"(?<![\d])M?\d{4,6}\s*/\s*([0-369])(?!\d)")
_MALIGNANT_WORDS = re.compile(r"癌|肉瘤|恶性|白血病|淋巴瘤|骨髓瘤|母细胞瘤|黑色素瘤|转移")
_RANK = {Tier.SEVERE: 3, Tier.UNDETERMINED: 2, Tier.MILD: 1, Tier.NOT_COVERED: 0}


@dataclass(frozen=True)
class DiagnosisInput:
    """A diagnosis to judge: as written, its standard code and name, its qualifiers, where it was read."""

    written: str
    code: str = ""
    name: str = ""
    status: DiagnosisStatus = DiagnosisStatus.CURRENT
    metastasis: bool = False
    source: EvidenceSpan | None = None

    @classmethod
    def from_normalized(cls, item: NormalizedDiagnosis, source: EvidenceSpan | None = None) -> DiagnosisInput:
        return cls(item.segment, item.code, item.name, item.status, item.metastasis, source)


@dataclass(frozen=True)
class MissingEvidence:
    id: str
    rule_id: str
    description_zh: str
    description_en: str
    doc_types: tuple[DocType, ...]  # documents that would supply it


@dataclass(frozen=True)
class Payout:
    amount: str | None  # "300000.00"; None when it cannot be computed (reason says why)
    currency: str
    plan_id: str | None
    age_band: str | None = None  # "0-39"
    reason: str | None = None


@dataclass(frozen=True)
class DiagnosisTier:
    written: str
    code: str
    name: str
    tier: Tier
    rule_id: str | None
    rule_name: str | None
    reason: str
    exclusion_id: str | None = None
    evidence: tuple[EvidenceSpan, ...] = ()
    missing: tuple[MissingEvidence, ...] = ()


@dataclass(frozen=True)
class SeverityResult:
    tier: Tier
    rule_id: str | None
    rule_name: str | None
    reason: str
    evidence: tuple[EvidenceSpan, ...]
    missing: tuple[MissingEvidence, ...]
    payout: Payout | None
    diagnoses: tuple[DiagnosisTier, ...]
    rules_version: str
    plan_id: str | None


def _docs_text(docs: Sequence[DocumentEvidence]) -> str:
    parts: list[str] = []
    for doc in docs:
        parts.extend(f.value for f in doc.fields.values() if f.value)
        parts.append(doc.text)
    return "\n".join(p for p in parts if p)


def _find(docs: Sequence[DocumentEvidence], pattern: str) -> EvidenceSpan | None:
    """The first place a pattern matches: fields first (they carry boxes), then the page text."""
    regex = re.compile(pattern, re.IGNORECASE)
    for doc in docs:
        for name, value in doc.fields.items():
            match = regex.search(value.value)
            if match:
                return EvidenceSpan(doc.doc_type, doc.document_id, name, match.group(0), value.page, value.box)
    for doc in docs:
        match = regex.search(doc.text)
        if match:
            start, end = max(match.start() - 12, 0), min(match.end() + 12, len(doc.text))
            page = doc.pages[0] if doc.pages else None
            return EvidenceSpan(doc.doc_type, doc.document_id, "text", doc.text[start:end], page)
    return None


def _missing(req: EvidenceRequirement, rule_id: str) -> MissingEvidence:
    return MissingEvidence(req.id, rule_id, req.description_zh, req.description_en, tuple(req.doc_types))


class _Result(Protocol):
    def __call__(
        self,
        tier: Tier,
        rule: Definition | None,
        reason: str,
        *,
        exclusion_id: str | None = None,
        evidence: tuple[EvidenceSpan, ...] = (),
        missing: tuple[MissingEvidence, ...] = (),
    ) -> DiagnosisTier: ...


class SeverityAssessor:
    """Built once with the rule book and plans; ``assess`` is pure."""

    def __init__(self, rules: SeverityRules | None = None, plans: Plans | None = None) -> None:
        self.rules = rules or load_rules()
        self.plans = plans or load_plans()
        self._severe = [d for d in self.rules.definitions if d.tier is Tier.SEVERE]
        self._by_id = {d.id: d for d in self.rules.definitions}

    # ------------------------------------------------------------------ claim level
    def assess(self, diagnoses: Sequence[DiagnosisInput], evidence: ClaimEvidence) -> SeverityResult:
        judged = tuple(self.assess_one(d, evidence) for d in diagnoses)
        if not judged:
            no_diagnosis = (
                MissingEvidence(
                    "diagnosis",
                    "CI2020",
                    "写明诊断的诊断证明书或出院记录",
                    "a diagnosis certificate or discharge record stating the diagnosis",
                    (DocType.DIAGNOSIS_CERTIFICATE, DocType.DISCHARGE_SUMMARY),
                ),
            )
            return SeverityResult(
                Tier.UNDETERMINED,
                None,
                None,
                "no diagnosis was found",
                (),
                no_diagnosis,
                None,
                (),
                self.rules.version,
                self._plan_id(evidence),
            )
        best = max(judged, key=lambda j: _RANK[j.tier])
        missing: dict[str, MissingEvidence] = {}
        if best.tier is Tier.UNDETERMINED:
            for j in judged:
                for m in j.missing:
                    missing.setdefault(f"{m.rule_id}:{m.id}", m)
        return SeverityResult(
            tier=best.tier,
            rule_id=best.rule_id,
            rule_name=best.rule_name,
            reason=best.reason,
            evidence=best.evidence,
            missing=tuple(missing.values()),
            payout=self.payout(best.tier, evidence),
            diagnoses=judged,
            rules_version=self.rules.version,
            plan_id=self._plan_id(evidence),
        )

    def disease_groups(self, diagnoses: Sequence[DiagnosisInput]) -> set[DiseaseGroup]:
        """Disease groups (of the matching definitions) of the current diagnoses: what the materials need."""
        groups: set[DiseaseGroup] = set()
        for d in diagnoses:
            if d.status in (DiagnosisStatus.CURRENT, DiagnosisStatus.UNCERTAIN):
                definition = self._match(f"{expand_abbreviations(clean_text(d.written))} {d.name}", d.code)
                if definition is not None:
                    groups.add(definition.group)
        return groups

    def _plan_id(self, evidence: ClaimEvidence) -> str | None:
        plan = self.plans.resolve(evidence.facts.plan)
        return plan.id if plan else None

    def payout(self, tier: Tier, evidence: ClaimEvidence) -> Payout | None:
        if tier not in (Tier.SEVERE, Tier.MILD):
            return None
        plan = self.plans.resolve(evidence.facts.plan)
        if plan is None:
            return Payout(None, "CNY", None, reason=f"unknown plan {evidence.facts.plan!r}")
        age = evidence.facts.member_age
        if age is None:
            return Payout(None, plan.currency, plan.id, reason="member age unknown")
        band = plan.band(tier, age)
        if band is None:
            return Payout(None, plan.currency, plan.id, reason=f"age {age} is outside the plan's {tier} bands")
        return Payout(f"{band.amount:.2f}", plan.currency, plan.id, f"{band.min_age}-{band.max_age}")

    # ------------------------------------------------------------------ one diagnosis
    def assess_one(self, diagnosis: DiagnosisInput, evidence: ClaimEvidence) -> DiagnosisTier:
        def result(
            tier: Tier,
            rule: Definition | None,
            reason: str,
            *,
            exclusion_id: str | None = None,
            evidence: tuple[EvidenceSpan, ...] = (),
            missing: tuple[MissingEvidence, ...] = (),
        ) -> DiagnosisTier:
            return DiagnosisTier(
                diagnosis.written,
                diagnosis.code,
                diagnosis.name,
                tier,
                rule.id if rule else None,
                rule.name_zh if rule else None,
                reason,
                exclusion_id,
                evidence,
                missing,
            )

        if diagnosis.status is DiagnosisStatus.NEGATED:
            return result(Tier.NOT_COVERED, None, "the diagnosis is ruled out (排除/除外)")
        if diagnosis.status is DiagnosisStatus.HISTORY:
            return result(Tier.NOT_COVERED, None, "a past disease (病史), not a new diagnosis")
        # abbreviations expanded ("甲乳癌" → 甲状腺乳头状癌), so rules see what the doctor meant
        text = f"{expand_abbreviations(clean_text(diagnosis.written))} {diagnosis.name}"
        definition = self._match(text, diagnosis.code)
        if definition is None:
            return result(Tier.NOT_COVERED, None, "not one of the 28 severe or 3 mild diseases")
        if diagnosis.status is DiagnosisStatus.UNCERTAIN:
            missing = MissingEvidence(
                "confirmed_diagnosis",
                definition.id,
                "专科医生明确诊断（非“待查”“可能”）的诊断证明书",
                "a diagnosis certificate with a confirmed diagnosis (not 'suspected' or 'to be ruled out')",
                (DocType.DIAGNOSIS_CERTIFICATE, DocType.PATHOLOGY_REPORT),
            )
            return result(Tier.UNDETERMINED, definition, "the diagnosis is only suspected", missing=(missing,))
        if definition.group == "cancer":
            return self._cancer(diagnosis, text, definition, evidence, result)
        return self._general(diagnosis, text, definition, evidence, result)

    def _match(self, text: str, code: str) -> Definition | None:
        """The severe definition a diagnosis falls under: by its words first, then by its code (so a meningioma
        coded D32 reaches the intracranial-tumour definition, not the tumour chapter's benign exclusion)."""
        for definition in self._severe:
            if any(re.search(p, text, re.IGNORECASE) for p in definition.match.patterns):
                return definition
        if code:
            for definition in self._severe:
                if not definition.match.require_pattern and icd10_matches(code, definition.match.icd10):
                    return definition
        return None

    def _excluded(
        self, exclusions: Sequence[Exclusion], text: str, code: str, behaviours: set[int], age: int | None
    ) -> Exclusion | None:
        for ex in exclusions:
            if ex.unless and any(re.search(p, text, re.IGNORECASE) for p in ex.unless):
                continue
            hit = any(re.search(p, text, re.IGNORECASE) for p in ex.patterns)
            hit = hit or (bool(code) and icd10_matches(code, ex.icd10))
            hit = hit or bool(behaviours & set(ex.behaviours))
            hit = hit or (ex.below_age is not None and age is not None and age < ex.below_age)
            if hit:
                return ex
        return None

    def _requirement(self, req: EvidenceRequirement, evidence: ClaimEvidence) -> list[EvidenceSpan] | None:
        """The spans that satisfy a finding requirement, or None when it is not met."""
        docs = evidence.of_type(*req.doc_types)
        spans: list[EvidenceSpan] = []
        if req.any_of:
            found = next((s for s in (_find(docs, p) for p in req.any_of) if s is not None), None)
            if found is None:
                return None
            spans.append(found)
        for pattern in req.all_of:
            found = _find(docs, pattern)
            if found is None:
                return None
            spans.append(found)
        return spans

    def _check(
        self, definition: Definition, evidence: ClaimEvidence
    ) -> tuple[list[EvidenceSpan], list[MissingEvidence]]:
        spans: list[EvidenceSpan] = []
        missing: list[MissingEvidence] = []
        for req in definition.evidence:
            found = self._requirement(req, evidence)
            if found is None:
                missing.append(_missing(req, definition.id))
            else:
                spans.extend(found)
        return spans, missing

    def _general(
        self, diagnosis: DiagnosisInput, text: str, definition: Definition, evidence: ClaimEvidence, result: _Result
    ) -> DiagnosisTier:
        context = f"{text}\n{_docs_text(evidence.of_type(DocType.DIAGNOSIS_CERTIFICATE, DocType.DISCHARGE_SUMMARY))}"
        excluded = self._excluded(definition.exclusions, text, diagnosis.code, set(), evidence.facts.member_age)
        if excluded is None and definition.exclusions:
            excluded = self._excluded(
                [e for e in definition.exclusions if e.below_age is None and not e.icd10], context, "", set(), None
            )
        if excluded is not None:
            return result(Tier.NOT_COVERED, definition, excluded.description_en, exclusion_id=excluded.id)
        spans, missing = self._check(definition, evidence)
        if not missing:
            return result(Tier.SEVERE, definition, f"meets {definition.name_en}", evidence=tuple(spans))
        if definition.mild_counterpart:
            mild = self._by_id[definition.mild_counterpart]
            mild_spans, mild_missing = self._check(mild, evidence)
            if not mild_missing:
                return result(
                    Tier.MILD, mild, f"meets {mild.name_en}; not evidenced as severe", evidence=tuple(mild_spans)
                )
            missing += [m for m in mild_missing if m.id not in {x.id for x in missing}]
        return result(
            Tier.UNDETERMINED,
            definition,
            "evidence required by the definition is missing",
            evidence=tuple(spans),
            missing=tuple(missing),
        )

    def _cancer(
        self, diagnosis: DiagnosisInput, text: str, definition: Definition, evidence: ClaimEvidence, result: _Result
    ) -> DiagnosisTier:
        pathology = evidence.of_type(DocType.PATHOLOGY_REPORT)
        pathology_text = _docs_text(pathology)
        behaviours = {int(b) for b in _BEHAVIOUR.findall(pathology_text)}  # what the pathology report says
        coded = {int(b) for b in _BEHAVIOUR.findall(diagnosis.code)} if diagnosis.code else set()
        stated = "\n".join(v for d in pathology if (v := d.value("pathology_diagnosis")))
        excluded = self._excluded(
            definition.exclusions,
            f"{text}\n{stated}",
            diagnosis.code,
            (behaviours | coded) - {3, 6, 9},
            evidence.facts.member_age,
        )
        if excluded is not None and not (behaviours & {3, 6, 9}):
            return result(Tier.NOT_COVERED, definition, excluded.description_en, exclusion_id=excluded.id)
        req = definition.evidence[0]
        malignant = behaviours & {3, 6, 9} or _MALIGNANT_WORDS.search(pathology_text)
        if not pathology or not malignant:
            return result(
                Tier.UNDETERMINED,
                definition,
                "no pathology report confirms a malignant tumour",
                missing=(_missing(req, definition.id),),
            )
        spans = [
            s
            for s in (_find(pathology, r"M?\d{4,5}\s*/\s*[369]"), _find(pathology, _MALIGNANT_WORDS.pattern))
            if s is not None
        ][:1]
        outcome: CancerOutcome | None = mild_cancer_outcome(self.rules.mild_cancers, diagnosis, text, evidence)
        if outcome is None:
            return result(Tier.SEVERE, definition, "malignant tumour not on the mild list", evidence=tuple(spans))
        mild_definition = self._by_id[definition.mild_counterpart or "CI2020-M01"]
        if outcome.tier is Tier.MILD:
            return result(
                Tier.MILD,
                mild_definition,
                f"{outcome.rule.id}: {outcome.reason}",
                evidence=tuple(spans + list(outcome.evidence)),
            )
        if outcome.tier is Tier.SEVERE:
            return result(
                Tier.SEVERE,
                definition,
                f"{outcome.rule.id}: {outcome.reason}",
                evidence=tuple(spans + list(outcome.evidence)),
            )
        return result(
            Tier.UNDETERMINED,
            definition,
            f"{outcome.rule.id}: {outcome.reason}",
            evidence=tuple(spans),
            missing=(_missing(outcome.rule.missing, mild_definition.id),),
        )
