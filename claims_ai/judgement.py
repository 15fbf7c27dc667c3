"""Claim-level medical judgement and materials: evidence → diagnoses, severity, materials, cross-document checks.

One stage object, built once (normaliser session, rule book, checklists), whose ``judge`` is pure. It reads the
assessment JSON's pages (see :mod:`claims_ai.claim_evidence`) and returns the JSON sections DESIGN §2 names, so the
pipeline and the re-derivation after an adjuster's corrections share it. Evidence spans carry ``file_index`` and
``page`` so a client can show where each value was read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claims_ai.claim_evidence import DocumentPlace, build_claim_evidence, span_to_dict
from claims_ai.materials.checks import CHECK_IDS, CheckResult, CrossDocumentChecker
from claims_ai.materials.missing import MaterialsChecker, MaterialsResult
from claims_ai.medical.evidence import ClaimEvidence, DocType, EvidenceSpan
from claims_ai.medical.icd10 import Icd10Tables
from claims_ai.medical.normalizer import DiagnosisNormalizer, NormalizedDiagnosis
from claims_ai.medical.severity import DiagnosisInput, SeverityAssessor, SeverityResult
from claims_ai.medical.text import DiagnosisStatus
from claims_ai.types import Check, ClaimFacts, to_dict

__all__ = ["CROSS_DOCUMENT_CHECK_IDS", "MIN_DIAGNOSIS_CONFIDENCE", "ClaimJudge", "Judgement", "locate_spans"]

CROSS_DOCUMENT_CHECK_IDS = frozenset(CHECK_IDS)
# The normaliser always names its best guess; below this the written text is not a diagnosis at all (a title
# fragment, a stray word read by OCR), and listing it would only mislead an adjuster.
MIN_DIAGNOSIS_CONFIDENCE = 0.1
# Where diagnoses are read, in order of authority (a pathology diagnosis outranks a certificate's words).
_DIAGNOSIS_SOURCES: tuple[tuple[DocType, str], ...] = (
    (DocType.PATHOLOGY_REPORT, "pathology_diagnosis"),
    (DocType.DIAGNOSIS_CERTIFICATE, "diagnoses"),
    (DocType.DISCHARGE_SUMMARY, "diagnoses"),
    (DocType.MEDICAL_RECORD_FRONT_PAGE, "diagnoses"),
    (DocType.ADMISSION_RECORD, "diagnoses"),
    (DocType.DEATH_CERTIFICATE, "diagnoses"),
)


@dataclass(frozen=True)
class Judgement:
    """What the stage found, typed (for the fraud and decision stages) and as the assessment's JSON sections."""

    evidence: ClaimEvidence
    places: Mapping[str, DocumentPlace]
    diagnoses: tuple[DiagnosisInput, ...]
    severity: SeverityResult
    materials: MaterialsResult
    checks: tuple[CheckResult, ...]
    sections: Mapping[str, Any]  # diagnoses, severity, materials
    check_entries: tuple[Check, ...]  # the cross-document checks as the assessment lists them


class ClaimJudge:
    def __init__(
        self,
        normalizer: DiagnosisNormalizer,
        assessor: SeverityAssessor | None = None,
        materials: MaterialsChecker | None = None,
        checker: CrossDocumentChecker | None = None,
    ) -> None:
        self._normalizer = normalizer
        self._assessor = assessor or SeverityAssessor()
        self._materials = materials or MaterialsChecker()
        self._checker = checker or CrossDocumentChecker()
        self._tables: Icd10Tables = normalizer.tables

    @property
    def versions(self) -> dict[str, str]:
        return {
            "diagnosis_reranker": self._normalizer.version,
            "severity_rules": self._assessor.rules.version,
            "checklists": self._materials.checklists.version,
        }

    def judge(
        self,
        pages: Sequence[Mapping[str, Any]],
        facts: ClaimFacts | None,
        corrected: Sequence[Mapping[str, Any]] = (),
    ) -> Judgement:
        """``corrected``: the previous assessment's diagnoses an adjuster corrected; they replace the machine's."""
        evidence, places = build_claim_evidence(pages, facts)
        found = self._diagnoses(evidence, corrected)
        inputs = tuple(item for item, _ in found)
        severity = self._assessor.assess(inputs, evidence)
        materials = self._materials.check(evidence, self._assessor.disease_groups(inputs))
        checks = self._checker.check(evidence)
        sections = {
            "diagnoses": [_diagnosis_dict(item, extra, places) for item, extra in found],
            "severity": locate_spans(to_dict(severity), places),
            "materials": to_dict(materials) | {"complete": materials.complete},
        }
        entries = tuple(_check(c, places) for c in checks)
        return Judgement(evidence, places, inputs, severity, materials, checks, sections, entries)

    def _diagnoses(
        self, evidence: ClaimEvidence, corrected: Sequence[Mapping[str, Any]]
    ) -> list[tuple[DiagnosisInput, dict[str, Any]]]:
        """Each standard diagnosis once (the most confident reading), with the span it was read from."""
        overrides = {
            (str(c.get("text")), str((c.get("corrected") or {}).get("machine_icd10"))): c
            for c in corrected
            if c.get("corrected")
        }
        found: dict[tuple[str, DiagnosisStatus], tuple[DiagnosisInput, dict[str, Any]]] = {}
        for doc_type, field in _DIAGNOSIS_SOURCES:
            for doc in evidence.of_type(doc_type, usable_only=False):
                value = doc.fields.get(field)
                if value is None:
                    continue
                source = EvidenceSpan(doc.doc_type, doc.document_id, field, value.value, value.page, value.box)
                for written in dict.fromkeys(w.strip() for w in value.value.split("##") if w.strip()):
                    for norm in self._normalizer.normalize(written).normalized:
                        if norm.confidence < MIN_DIAGNOSIS_CONFIDENCE:
                            continue
                        item, extra = self._item(norm, written, source, overrides)
                        key = (item.code, item.status)
                        if key not in found or extra["confidence"] > found[key][1]["confidence"]:
                            found[key] = (item, extra)
        return sorted(found.values(), key=lambda pair: (pair[0].status is not DiagnosisStatus.CURRENT,))

    def _item(
        self,
        norm: NormalizedDiagnosis,
        written: str,
        source: EvidenceSpan,
        overrides: Mapping[tuple[str, str], Mapping[str, Any]],
    ) -> tuple[DiagnosisInput, dict[str, Any]]:
        item = DiagnosisInput.from_normalized(norm, source)
        extra: dict[str, Any] = {
            "written": written,
            "confidence": round(norm.confidence, 4),
            "yibao_code": norm.yibao_code,
            "laterality": norm.laterality.value if norm.laterality else None,
        }
        fix = overrides.get((norm.segment, norm.code))
        if fix is not None:
            code = str(fix.get("icd10"))
            entry = self._tables.lookup(code)
            name = entry.name if entry else str(fix.get("name") or "")
            item = DiagnosisInput(item.written, code, name, item.status, item.metastasis, source)
            extra |= {"confidence": 1.0, "corrected": fix["corrected"]}
        return item, extra


def _diagnosis_dict(item: DiagnosisInput, extra: Mapping[str, Any], places: Mapping[str, DocumentPlace]) -> dict:
    out: dict[str, Any] = {
        "text": item.written,
        "icd10": item.code,
        "name": item.name,
        "status": item.status.value,
        "metastasis": item.metastasis,
    }
    out |= dict(extra)
    if item.source is not None:
        out["source"] = span_to_dict(item.source, places)
    return out


def _check(check: CheckResult, places: Mapping[str, DocumentPlace]) -> Check:
    evidence = tuple(span_to_dict(s, places) for s in check.evidence)
    return Check(check.id, check.status, check.message_en, evidence, check.message_zh)


_SPAN_KEYS = frozenset({"doc_type", "document_id", "field", "value", "page", "box"})


def locate_spans(value: Any, places: Mapping[str, DocumentPlace]) -> Any:
    """Add ``file_index``/``file`` to every evidence span inside a serialised result."""
    if isinstance(value, list):
        return [locate_spans(v, places) for v in value]
    if isinstance(value, dict):
        if value.keys() >= _SPAN_KEYS and value.get("document_id") in places:
            place = places[value["document_id"]]
            return value | {"file_index": place.file_index, "file": place.file}
        return {k: locate_spans(v, places) for k, v in value.items()}
    return value
