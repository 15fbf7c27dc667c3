"""Any labelled claims CSV → a :class:`FeatureSpec` (column kinds inferred) and a label vector.

Kinds, column by column (missing tokens ``?``, blank, ``NA`` … ignored):

- the label column: values such as Y/N, yes/no, 1/0, true/false, fraud/legit, 是/否 → 1/0; anything else, or a
  single class, is a :class:`DatasetError` with a message saying what was found;
- ID-like columns are dropped: a name like ``id``/``number``/``no``/``code``/``zip`` with mostly unique values, an
  integer column whose values are (almost) all unique and of one digit length, or text unique in most rows;
- dates: ≥ 90% of values parse with one of the known formats → year, month, weekday and day differences
  between every pair of date columns;
- numbers: ≥ 95% of values parse as numbers;
- everything else is categorical: one input per category seen at least ``min_category_count`` times, at most
  ``max_categories`` of them (text with more distinct values than that is kept to its frequent ones).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claims_ai.errors import DatasetError
from claims_ai.fraud.tabular import DATE_FORMATS, ColumnKind, ColumnSpec, FeatureSpec, is_missing, parse_number

__all__ = ["LabelledTable", "infer_spec", "parse_label", "read_table"]

_POSITIVE = {"y", "yes", "1", "true", "t", "fraud", "fraudulent", "是", "欺诈", "1.0", "positive", "pos"}
_NEGATIVE = {
    "n",
    "no",
    "0",
    "false",
    "f",
    "legit",
    "legitimate",
    "genuine",
    "ok",
    "否",
    "正常",
    "0.0",
    "negative",
    "neg",
}
_ID_NAME = re.compile(
    r"(^|[_\s.-])(id|ids|uuid|guid|key|no|num|number|code|zip|zipcode|postcode)($|[_\s.-])|编号|号码", re.I
)


@dataclass(frozen=True)
class LabelledTable:
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    label_column: str
    labels: np.ndarray  # 0/1 per row (rows with a missing label are left out)
    label_values: dict[str, int]  # raw label value → 0/1


def read_table(path: Path, label: str) -> LabelledTable:
    """Read a CSV (UTF-8, UTF-8 with BOM or GB18030; comma, semicolon or tab) and its label column."""
    if not path.is_file():
        raise DatasetError(f"No such file: {path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise DatasetError(f"{path} is empty.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DatasetError(f"{path} is neither UTF-8 nor GB18030 text.")
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise DatasetError(f"{path} has no header row.") from exc
    if len(set(header)) != len(header):
        dupes = sorted(h for h, n in Counter(header).items() if n > 1)
        raise DatasetError(f"{path} repeats column names: {', '.join(dupes)}.")
    if label not in header:
        raise DatasetError(f"{path} has no column {label!r}; its columns are: {', '.join(header)}.")
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                raise DatasetError(f"{path} line {number} has {len(values)} values for {len(header)} columns.")
            rows.append({h: (values[i] if i < len(values) else "") for i, h in enumerate(header)})
    except csv.Error as exc:
        raise DatasetError(f"{path} is not a readable CSV: {exc}") from exc
    labels, mapping = parse_label([r[label] for r in rows], label)
    keep = [i for i, v in enumerate(labels) if v >= 0]
    kept_rows = tuple(rows[i] for i in keep)
    y = np.array([labels[i] for i in keep], dtype=np.int64)
    counts = Counter(y.tolist())
    if len(counts) < 2:
        only = next(iter(mapping), "nothing")
        raise DatasetError(f"The label {label!r} has one class only ({only!r}); training needs frauds and non-frauds.")
    if min(counts.values()) < 10:
        raise DatasetError(
            f"The label {label!r} has only {min(counts.values())} rows of its rarer class; at least 10 are needed."
        )
    return LabelledTable(tuple(header), kept_rows, label, y, mapping)


def parse_label(values: list[str], name: str) -> tuple[list[int], dict[str, int]]:
    """0/1 per value (−1 where missing) and the mapping used; an unknown value is an error."""
    mapping: dict[str, int] = {}
    out = []
    for value in values:
        if is_missing(value):
            out.append(-1)
            continue
        key = value.strip().lower()
        if key in _POSITIVE:
            mapping[value.strip()] = 1
        elif key in _NEGATIVE:
            mapping[value.strip()] = 0
        else:
            seen = sorted({v.strip() for v in values if not is_missing(v)})[:10]
            raise DatasetError(
                f"The label {name!r} has the value {value!r}, which is neither a fraud nor a legitimate marker "
                f"(Y/N, yes/no, 1/0, true/false, fraud/legit). Values seen: {', '.join(seen)}."
            )
        out.append(mapping[value.strip()])
    return out, mapping


def _date_format(values: list[str]) -> str | None:
    import datetime as dt

    sample = values[:500]
    for fmt in DATE_FORMATS:
        ok = 0
        for v in sample:
            try:
                dt.datetime.strptime(v.strip(), fmt)
                ok += 1
            except ValueError:
                pass
        if ok >= 0.9 * len(sample):
            return fmt
    return None


def _id_like(name: str, values: list[str]) -> bool:
    distinct = len(set(values))
    unique_share = distinct / max(len(values), 1)
    if _ID_NAME.search(name) and unique_share > 0.5:
        return True
    numbers = [parse_number(v) for v in values]
    if all(not math.isnan(n) for n in numbers):
        if not all(float(n).is_integer() for n in numbers):
            return False  # measurements (premiums, amounts) are unique too, but not identifiers
        lengths = Counter(len(v.strip().lstrip("-")) for v in values)
        return unique_share >= 0.95 and lengths.most_common(1)[0][1] >= 0.9 * len(values)
    return unique_share >= 0.9 and len(values) >= 50  # free text: addresses, notes


def infer_spec(table: LabelledTable, *, max_categories: int = 30, min_category_count: int = 5) -> FeatureSpec:
    columns: list[ColumnSpec] = []
    dropped: dict[str, str] = {}
    dates: list[str] = []
    for name in table.header:
        if name == table.label_column:
            continue
        values = [r[name] for r in table.rows if not is_missing(r[name])]
        if len(values) < 0.05 * len(table.rows) or len(set(values)) < 2:
            dropped[name] = "empty or constant"
            continue
        fmt = None if all(not math.isnan(parse_number(v)) for v in values[:200]) else _date_format(values)
        if fmt is not None:
            columns.append(ColumnSpec(name, ColumnKind.DATE, date_format=fmt))
            dates.append(name)
            continue
        if _id_like(name, values):
            dropped[name] = "identifier or free text (unique per row)"
            continue
        parsed = sum(not math.isnan(parse_number(v)) for v in values)
        if parsed >= 0.95 * len(values):
            columns.append(ColumnSpec(name, ColumnKind.NUMERIC))
            continue
        counts = Counter(v.strip() for v in values)
        kept = tuple(sorted(c for c, n in counts.most_common(max_categories) if n >= min_category_count))
        if not kept:
            dropped[name] = "free text (no value repeats often enough)"
            continue
        columns.append(ColumnSpec(name, ColumnKind.CATEGORICAL, kept))
    if not columns:
        raise DatasetError("No usable feature column: every column is empty, constant or an identifier.")
    pairs = tuple((a, b) for i, a in enumerate(dates) for b in dates[i + 1 :])
    positive = sorted(v for v, k in table.label_values.items() if k == 1)
    return FeatureSpec(
        columns=tuple(columns),
        date_differences=pairs,
        label={"column": table.label_column, "positive": positive},
        dropped=dropped,
    )
