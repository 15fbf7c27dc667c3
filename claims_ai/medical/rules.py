"""Severity rules and plans as validated data (``data/severity_rules.yaml``, ``data/plans.yaml``).

The YAML is checked against these pydantic models on load: unknown keys, bad regular expressions, bad code ranges,
duplicate ids, a wrong number of definitions or dangling references fail at start-up with a ConfigError.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from claims_ai.errors import ConfigError
from claims_ai.medical.evidence import DocType
from claims_ai.medical.icd10 import code_in_range

__all__ = [
    "AgeBand",
    "Definition",
    "DiseaseGroup",
    "EvidenceRequirement",
    "Exclusion",
    "MildCancerKind",
    "MildCancerRule",
    "Plan",
    "Plans",
    "SeverityRules",
    "Tier",
    "icd10_matches",
    "load_plans",
    "load_rules",
]


class Tier(StrEnum):
    SEVERE = "severe"
    MILD = "mild"
    NOT_COVERED = "not_covered"
    UNDETERMINED = "undetermined"


class DiseaseGroup(StrEnum):
    CANCER = "cancer"
    CARDIOVASCULAR = "cardiovascular"
    CEREBROVASCULAR = "cerebrovascular"
    NEUROLOGICAL = "neurological"
    ORGAN_FAILURE = "organ_failure"
    SURGERY = "surgery"
    INJURY = "injury"
    SENSORY = "sensory"
    BLOOD = "blood"
    DIGESTIVE = "digestive"


_RANGE = re.compile(r"^[A-Z]\d{2}(?:\.\d)?(?:-[A-Z]\d{2}(?:\.\d)?)?$")


def _check_ranges(values: list[str]) -> list[str]:
    for value in values:
        if not _RANGE.match(value):
            raise ValueError(f"{value!r} is not an ICD-10 code or range like 'C00-C97' or 'D47.1'")
    return values


def _check_patterns(values: list[str]) -> list[str]:
    for value in values:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regular expression {value!r}: {exc}") from exc
    return values


def icd10_matches(code: str, ranges: list[str]) -> bool:
    for item in ranges:
        low, _, high = item.partition("-")
        if code_in_range(code, low, high or low):
            return True
    return False


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceRequirement(_Strict):
    id: str
    kind: Literal["finding", "malignant_pathology", "stage", "document"]
    description_zh: str
    description_en: str
    doc_types: list[DocType] = Field(min_length=1)
    any_of: list[str] = []
    all_of: list[str] = []

    _patterns = field_validator("any_of", "all_of")(_check_patterns)

    @model_validator(mode="after")
    def _finding_has_patterns(self) -> EvidenceRequirement:
        if self.kind == "finding" and not (self.any_of or self.all_of):
            raise ValueError(f"finding {self.id!r} needs any_of or all_of patterns")
        return self


class Exclusion(_Strict):
    id: str
    description_zh: str
    description_en: str
    patterns: list[str] = []
    icd10: list[str] = []
    behaviours: list[int] = []  # ICD-O-3 behaviour digits
    below_age: int | None = None  # applies when the member is younger
    unless: list[str] = []  # patterns that cancel the exclusion

    _patterns = field_validator("patterns", "unless")(_check_patterns)
    _ranges = field_validator("icd10")(_check_ranges)


class Match(_Strict):
    icd10: list[str] = []
    patterns: list[str] = []
    require_pattern: bool = False

    _patterns = field_validator("patterns")(_check_patterns)
    _ranges = field_validator("icd10")(_check_ranges)


class Definition(_Strict):
    id: str = Field(pattern=r"^CI2020-[SM]\d{2}$")
    number: int = Field(ge=1)
    tier: Literal[Tier.SEVERE, Tier.MILD]
    name_zh: str
    name_en: str
    group: DiseaseGroup
    match: Match
    evidence: list[EvidenceRequirement] = Field(min_length=1)
    exclusions: list[Exclusion] = []
    mild_counterpart: str | None = None


class MildCancerKind(StrEnum):
    THYROID_TNM = "thyroid_tnm"
    PROSTATE_TNM = "prostate_tnm"
    SKIN_NON_MELANOMA = "skin_non_melanoma"
    CLL_BINET = "cll_binet"
    HODGKIN_ANN_ARBOR = "hodgkin_ann_arbor"
    NEUROENDOCRINE_GRADE = "neuroendocrine_grade"


class MildCancerRule(_Strict):
    id: str
    kind: MildCancerKind
    description_zh: str
    description_en: str
    icd10: list[str] = []
    patterns: list[str] = []
    missing: EvidenceRequirement

    _patterns = field_validator("patterns")(_check_patterns)
    _ranges = field_validator("icd10")(_check_ranges)


class SeverityRules(_Strict):
    version: str
    source: str
    evidence_text: dict[str, list[str]] = {}
    definitions: list[Definition]
    mild_cancers: list[MildCancerRule]

    @model_validator(mode="after")
    def _consistent(self) -> SeverityRules:
        ids = [d.id for d in self.definitions]
        if len(set(ids)) != len(ids):
            raise ValueError("definition ids must be unique")
        severe = [d for d in self.definitions if d.tier is Tier.SEVERE]
        mild = [d for d in self.definitions if d.tier is Tier.MILD]
        if len(severe) != 28 or len(mild) != 3:
            raise ValueError(f"the 2020 rules have 28 severe and 3 mild definitions, not {len(severe)} and {len(mild)}")
        for d in self.definitions:
            if d.mild_counterpart is not None and d.mild_counterpart not in ids:
                raise ValueError(f"{d.id}: mild_counterpart {d.mild_counterpart!r} is not a definition")
        if {r.kind for r in self.mild_cancers} != set(MildCancerKind):
            raise ValueError("mild_cancers must cover each of the six mild cancers once")
        return self

    def get(self, definition_id: str) -> Definition:
        for d in self.definitions:
            if d.id == definition_id:
                return d
        raise KeyError(definition_id)


class AgeBand(_Strict):
    min_age: int = Field(ge=0)
    max_age: int = Field(ge=0)
    amount: Decimal = Field(ge=0)


class Plan(_Strict):
    id: str
    name_zh: str
    name_en: str
    aliases: list[str] = []
    rules_version: str
    currency: str = "CNY"
    payouts: dict[Literal[Tier.SEVERE, Tier.MILD], list[AgeBand]]

    @model_validator(mode="after")
    def _bands_do_not_overlap(self) -> Plan:
        for tier, bands in self.payouts.items():
            ordered = sorted(bands, key=lambda b: b.min_age)
            for band in ordered:
                if band.min_age > band.max_age:
                    raise ValueError(f"plan {self.id} {tier}: band {band.min_age}-{band.max_age} is empty")
            for a, b in itertools.pairwise(ordered):
                if b.min_age <= a.max_age:
                    raise ValueError(f"plan {self.id} {tier}: age bands overlap")
        return self

    def band(self, tier: Tier, age: int) -> AgeBand | None:
        for key, bands in self.payouts.items():
            if key != tier:
                continue
            for band in bands:
                if band.min_age <= age <= band.max_age:
                    return band
        return None


class Plans(_Strict):
    version: str
    default_plan: str
    plans: list[Plan] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_exists(self) -> Plans:
        if self.default_plan not in {p.id for p in self.plans}:
            raise ValueError(f"default_plan {self.default_plan!r} is not a plan")
        return self

    def resolve(self, name: str | None) -> Plan | None:
        """The plan with this id or alias; the default plan for None; None for an unknown name."""
        wanted = name or self.default_plan
        for plan in self.plans:
            if wanted == plan.id or wanted in plan.aliases:
                return plan
        return None


def _load(model: type[BaseModel], path: Path | None, default: str) -> BaseModel:
    try:
        if path is None:
            text = resources.files("claims_ai.medical").joinpath(default).read_text(encoding="utf-8")
            where = f"claims_ai.medical/{default}"
        else:
            text = path.read_text(encoding="utf-8")
            where = str(path)
        return model.model_validate(yaml.safe_load(text))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read {default}: {exc}") from exc
    except ValidationError as exc:
        raise ConfigError(f"{where} is not valid: {exc}") from exc


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> SeverityRules:
    rules = _load(SeverityRules, path, "data/severity_rules.yaml")
    assert isinstance(rules, SeverityRules)
    return rules


@lru_cache(maxsize=4)
def load_plans(path: Path | None = None) -> Plans:
    plans = _load(Plans, path, "data/plans.yaml")
    assert isinstance(plans, Plans)
    return plans
