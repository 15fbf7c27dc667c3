"""Required-materials checklists as validated data (``data/checklists.yaml``)."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from claims_ai.config import ClaimType
from claims_ai.errors import ConfigError
from claims_ai.medical.evidence import DocType
from claims_ai.medical.rules import DiseaseGroup

__all__ = ["Checklist", "Checklists", "Condition", "ConditionKind", "Item", "UnusableHint", "load_checklists"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Item(_Strict):
    doc_types: list[DocType] = Field(min_length=1)
    text_pattern: str | None = None
    name_zh: str
    name_en: str
    message_zh: str
    message_en: str

    @field_validator("text_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class Checklist(_Strict):
    required: list[str]
    by_disease_group: dict[DiseaseGroup, list[str]] = {}
    recommended_by_group: dict[DiseaseGroup, list[str]] = {}


class ConditionKind(StrEnum):
    CLAIMANT_IS_NOT_INSURED = "claimant_is_not_insured"


class Condition(_Strict):
    id: str
    when: ConditionKind
    add: list[str]


class UnusableHint(_Strict):
    zh: str
    en: str


class Checklists(_Strict):
    version: str
    items: dict[str, Item]
    checklists: dict[ClaimType, Checklist]
    conditions: list[Condition] = []
    unusable: dict[str, UnusableHint]

    @model_validator(mode="after")
    def _references(self) -> Checklists:
        if set(self.checklists) != set(ClaimType):
            raise ValueError(f"every claim type needs a checklist; missing {set(ClaimType) - set(self.checklists)}")
        used: list[str] = []
        for checklist in self.checklists.values():
            used += checklist.required
            for items in (*checklist.by_disease_group.values(), *checklist.recommended_by_group.values()):
                used += items
        for condition in self.conditions:
            used += condition.add
        unknown = sorted(set(used) - set(self.items))
        if unknown:
            raise ValueError(f"checklists name items that are not defined: {unknown}")
        if not {"quality_failed", "cut_off", "unreadable"} <= set(self.unusable):
            raise ValueError("unusable hints need quality_failed, cut_off and unreadable")
        return self


@lru_cache(maxsize=4)
def load_checklists(path: Path | None = None) -> Checklists:
    try:
        if path is None:
            text = resources.files("claims_ai.materials").joinpath("data/checklists.yaml").read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        return cast(Checklists, Checklists.model_validate(yaml.safe_load(text)))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read the materials checklists: {exc}") from exc
    except ValidationError as exc:
        raise ConfigError(f"The materials checklists are not valid: {exc}") from exc
