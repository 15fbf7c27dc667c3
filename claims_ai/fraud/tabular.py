"""The feature spec shipped beside every fraud model: how raw claim rows become the model's float inputs.

Written by ``training.fraud`` when a model is trained (``<model>.spec.json``) and read here at serving time, so
training and serving encode rows with the same code. Column kinds:

- ``numeric``: the number (thousands separators allowed); missing tokens (``?``, blank, ``NA`` …) → NaN, which
  the gradient-boosted trees route on their own;
- ``categorical``: one 0/1 input per category seen in training (rarer ones and unseen values → all zeros);
- ``date``: year, month and weekday inputs, plus day differences between pairs of date columns.

``baseline`` holds, per input, the value of a typical legitimate claim (median of the negative class): the
reference that reasons are measured against.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from claims_ai.errors import ModelError

__all__ = ["DATE_FORMATS", "MISSING_TOKENS", "ColumnKind", "ColumnSpec", "FeatureSpec", "parse_date", "parse_number"]

SPEC_VERSION = 1
MISSING_TOKENS = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "-", "--", "missing", "unknown"})
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    DATE = "date"


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_TOKENS


def parse_number(value: Any) -> float:
    if is_missing(value):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "").replace("，", ""))
    except ValueError:
        return math.nan


def parse_date(value: Any, fmt: str | None = None) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for f in (fmt,) if fmt else DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, f).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: ColumnKind
    categories: tuple[str, ...] = ()
    date_format: str | None = None

    def input_names(self) -> list[str]:
        if self.kind is ColumnKind.NUMERIC:
            return [self.name]
        if self.kind is ColumnKind.CATEGORICAL:
            return [f"{self.name}={c}" for c in self.categories]
        return [f"{self.name}.year", f"{self.name}.month", f"{self.name}.weekday"]


@dataclass(frozen=True)
class FeatureSpec:
    columns: tuple[ColumnSpec, ...]
    date_differences: tuple[tuple[str, str], ...] = ()
    baseline: tuple[float, ...] = ()  # per input; NaN where a legitimate claim usually has no value
    label: Mapping[str, Any] = field(default_factory=dict)  # column, positive values (for people)
    dropped: Mapping[str, str] = field(default_factory=dict)  # column → why it was left out
    model_input: str = "features"
    model_output: str = "probabilities"
    version: str = "0"

    @property
    def input_names(self) -> tuple[str, ...]:
        names = [n for c in self.columns for n in c.input_names()]
        names += [f"{a}-{b}.days" for a, b in self.date_differences]
        return tuple(names)

    def source_column(self, input_name: str) -> str:
        """The raw column an input comes from (``policy_csl=250/500`` → ``policy_csl``)."""
        if input_name.endswith(".days") and "-" in input_name:
            return input_name.removesuffix(".days")
        for c in self.columns:
            if input_name in c.input_names():
                return c.name
        return input_name

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Float32 matrix (len(rows), len(input_names)); columns absent from a row count as missing."""
        out = np.full((len(rows), len(self.input_names)), np.nan, dtype=np.float32)
        for i, row in enumerate(rows):
            out[i] = self._encode_row(row)
        return out

    def _encode_row(self, row: Mapping[str, Any]) -> list[float]:
        values: list[float] = []
        dates: dict[str, dt.date | None] = {}
        for c in self.columns:
            raw = row.get(c.name)
            if c.kind is ColumnKind.NUMERIC:
                values.append(parse_number(raw))
            elif c.kind is ColumnKind.CATEGORICAL:
                text = None if is_missing(raw) else str(raw).strip()
                values.extend(1.0 if text == cat else 0.0 for cat in c.categories)
            else:
                day = parse_date(raw, c.date_format)
                dates[c.name] = day
                values.extend([day.year, day.month, day.weekday()] if day else [math.nan] * 3)
        for a, b in self.date_differences:
            da, db = dates.get(a), dates.get(b)
            values.append(float((da - db).days) if da and db else math.nan)
        return values

    # ---- JSON ------------------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "spec_version": SPEC_VERSION,
            "version": self.version,
            "label": dict(self.label),
            "columns": [
                {"name": c.name, "kind": c.kind.value, "categories": list(c.categories), "date_format": c.date_format}
                for c in self.columns
            ],
            "date_differences": [list(p) for p in self.date_differences],
            "inputs": list(self.input_names),
            "baseline": [None if math.isnan(v) else v for v in self.baseline],
            "dropped": dict(self.dropped),
            "model": {"input": self.model_input, "output": self.model_output},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FeatureSpec:
        if raw.get("spec_version") != SPEC_VERSION:
            raise ModelError(f"Feature spec version {raw.get('spec_version')!r} is not {SPEC_VERSION}.")
        try:
            spec = cls(
                columns=tuple(
                    ColumnSpec(c["name"], ColumnKind(c["kind"]), tuple(c.get("categories", ())), c.get("date_format"))
                    for c in raw["columns"]
                ),
                date_differences=tuple((a, b) for a, b in raw.get("date_differences", [])),
                baseline=tuple(math.nan if v is None else float(v) for v in raw.get("baseline", [])),
                label=raw.get("label", {}),
                dropped=raw.get("dropped", {}),
                model_input=raw["model"]["input"],
                model_output=raw["model"]["output"],
                version=str(raw.get("version", "0")),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelError(f"The feature spec is malformed: {exc}") from exc
        if list(spec.input_names) != list(raw.get("inputs", spec.input_names)):
            raise ModelError("The feature spec's inputs do not follow from its columns.")
        if spec.baseline and len(spec.baseline) != len(spec.input_names):
            raise ModelError("The feature spec's baseline does not match its inputs.")
        return spec

    @classmethod
    def load(cls, path: Path) -> FeatureSpec:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise ModelError(f"The feature spec {path} is missing; it ships beside the model.") from exc
        except json.JSONDecodeError as exc:
            raise ModelError(f"The feature spec {path} is not valid JSON: {exc}") from exc

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
