"""Which required materials are missing for a claim, and what to tell the member, in Chinese and English.

A document that is present but unusable (failed quality gate, cut off, key field unreadable) counts as missing,
with a hint saying what is wrong with it rather than asking for it as if it had never been sent.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from claims_ai.config import ClaimType
from claims_ai.materials.checklists import Checklists, ConditionKind, Item, load_checklists
from claims_ai.medical.evidence import ClaimantRelationship, ClaimEvidence, DocType, DocumentEvidence
from claims_ai.medical.rules import DiseaseGroup

__all__ = ["MaterialsChecker", "MaterialsResult", "MissingMaterial", "MissingReason"]

_FIELD_NAMES_ZH = {
    "patient_name": "姓名", "hospital_name": "医院名称", "total_amount": "金额", "issue_date": "开票日期",
    "admission_date": "入院日期", "discharge_date": "出院日期", "diagnoses": "诊断", "invoice_number": "票据号码",
    "pathology_diagnosis": "病理诊断", "tnm_stage": "TNM分期", "card_number": "卡号", "id_number": "身份证号码",
}  # fmt: skip


class MissingReason(StrEnum):
    ABSENT = "absent"  # no document of this kind was sent
    UNUSABLE = "unusable"  # sent, but it cannot be used (see problems)


@dataclass(frozen=True)
class MissingMaterial:
    item: str  # checklist item id
    doc_type: DocType  # the document type to upload
    reason: MissingReason
    message_zh: str
    message_en: str
    required_because: str  # "claim_type:inpatient", "disease_group:cancer", "condition:filed_by_relative"
    problems: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # ids of the unusable documents


@dataclass(frozen=True)
class MaterialsResult:
    claim_type: ClaimType | None
    required: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[MissingMaterial, ...]
    recommended: tuple[str, ...]
    checklist_version: str

    @property
    def complete(self) -> bool:
        return not self.missing


class MaterialsChecker:
    """Built once with the checklists; ``check`` is pure."""

    def __init__(self, checklists: Checklists | None = None) -> None:
        self.checklists = checklists or load_checklists()

    def required_items(
        self, claim_type: ClaimType | None, groups: Collection[DiseaseGroup], claimant: ClaimantRelationship | None
    ) -> dict[str, str]:
        """Item id → why it is required, in checklist order."""
        out: dict[str, str] = {}
        if claim_type is None:
            common = set.intersection(*(set(c.required) for c in self.checklists.checklists.values()))
            first = next(iter(self.checklists.checklists.values()))
            return {item: "claim_type:unknown" for item in first.required if item in common}
        checklist = self.checklists.checklists[claim_type]
        for item in checklist.required:
            out.setdefault(item, f"claim_type:{claim_type.value}")
        for group in sorted(groups):
            for item in checklist.by_disease_group.get(group, []):
                out.setdefault(item, f"disease_group:{group.value}")
        for condition in self.checklists.conditions:
            if condition.when is ConditionKind.CLAIMANT_IS_NOT_INSURED and claimant not in (
                None,
                ClaimantRelationship.SELF,
            ):
                for item in condition.add:
                    out.setdefault(item, f"condition:{condition.id}")
        return out

    def check(self, evidence: ClaimEvidence, groups: Collection[DiseaseGroup] = ()) -> MaterialsResult:
        claim_type = evidence.facts.claim_type
        required = self.required_items(claim_type, groups, evidence.claimant)
        present: list[str] = []
        missing: list[MissingMaterial] = []
        for item_id, because in required.items():
            item = self.checklists.items[item_id]
            candidates = [d for d in evidence.documents if _fits(item, d)]
            if any(d.usable for d in candidates):
                present.append(item_id)
            elif candidates:
                missing.append(self._unusable(item_id, item, candidates, because))
            else:
                missing.append(
                    MissingMaterial(
                        item_id, item.doc_types[0], MissingReason.ABSENT, item.message_zh, item.message_en, because
                    )
                )
        recommended: list[str] = []
        if claim_type is not None:
            checklist = self.checklists.checklists[claim_type]
            for group in sorted(groups):
                for item_id in checklist.recommended_by_group.get(group, []):
                    item = self.checklists.items[item_id]
                    if item_id not in recommended and not any(_fits(item, d) and d.usable for d in evidence.documents):
                        recommended.append(item_id)
        return MaterialsResult(
            claim_type, tuple(required), tuple(present), tuple(missing), tuple(recommended), self.checklists.version
        )

    def _unusable(self, item_id: str, item: Item, docs: list[DocumentEvidence], because: str) -> MissingMaterial:
        problems = tuple(dict.fromkeys(p for d in docs for p in (d.problems or ("quality_failed",))))
        zh: list[str] = []
        en: list[str] = []
        for problem in problems:
            kind, _, field = problem.partition(":")
            hint = self.checklists.unusable.get(kind) or self.checklists.unusable["quality_failed"]
            zh.append(hint.zh.format(name=item.name_zh, field=_FIELD_NAMES_ZH.get(field, field)))
            en.append(hint.en.format(name=item.name_en, field=field.replace("_", " ")))
        return MissingMaterial(
            item_id,
            docs[0].doc_type,
            MissingReason.UNUSABLE,
            "".join(dict.fromkeys(zh)),
            " ".join(dict.fromkeys(en)),
            because,
            problems,
            tuple(d.document_id for d in docs),
        )


def _fits(item: Item, doc: DocumentEvidence) -> bool:
    if doc.doc_type not in item.doc_types:
        return False
    return item.text_pattern is None or bool(re.search(item.text_pattern, doc.text))
