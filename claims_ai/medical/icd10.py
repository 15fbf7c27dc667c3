"""ICD-10 tables shipped with the package: two Chinese editions, the 3-character categories, chapters and blocks.

- ``v601``: Beijing clinical edition v6.01 (北京临床版), ``A00.001``-style codes; the label vocabulary of CHIP-CDN.
- ``yibao``: national medical-insurance edition 2.0 (医保版 2.0), ``A00.000x001``-style codes.
- ``disease.csv`` / ``disease_catalog.csv``: 3-character categories and chapter/block ranges (MIT, see the licence
  file next to them).

Some codes carry a dagger/asterisk pair (``A17.0+G01*``) or an ICD-O-3 morphology code (``C22.101M81600/3``);
:func:`split_code` separates them. The two editions are mapped onto each other by code (:meth:`Icd10Tables.map_code`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path

__all__ = [
    "CodeParts",
    "Edition",
    "Icd10Entry",
    "Icd10Tables",
    "category_of",
    "code_in_range",
    "split_code",
]

_DATA = "data/icd10"


class Edition(StrEnum):
    V601 = "v601"  # 北京临床版 v6.01
    YIBAO = "yibao"  # 医保版 2.0


@dataclass(frozen=True)
class Icd10Entry:
    code: str
    name: str
    edition: Edition


@dataclass(frozen=True)
class CodeParts:
    primary: str  # "C22.101", "A17.0", "C73.x00"
    morphology: str | None  # ICD-O-3 morphology "M81600/3"
    behaviour: int | None  # the digit after "/" of the morphology code (0, 1, 2, 3, 6, 9)


_MORPHOLOGY = re.compile(r"M(\d{4,6})/(\d)")
_PRIMARY = re.compile(r"^[A-Z]\d{2}(?:\.[0-9x]+|xx\d+)?(?:x\d+)?")


def split_code(raw: str) -> CodeParts:
    """``"C22.101M81600/3"`` → primary ``C22.101``, morphology ``M81600/3``, behaviour 3."""
    raw = raw.strip()
    morph = _MORPHOLOGY.search(raw)
    primary_match = None if morph is not None and morph.start() == 0 else _PRIMARY.match(raw)
    primary = primary_match.group(0) if primary_match else ""
    if morph is None:
        return CodeParts(primary, None, None)
    return CodeParts(primary, morph.group(0), int(morph.group(2)))


def category_of(code: str) -> str:
    """The 3-character category (``"C73"``) of any code; empty for a bare morphology code."""
    primary = split_code(code).primary
    return primary[:3]


def _subcategory(primary: str) -> str:
    """``"A00.001"`` / ``"A00.000x001"`` → ``"A00.0"``; ``"C73.x00"`` / ``"C73"`` → ``"C73"``."""
    match = re.match(r"^([A-Z]\d{2})\.(\d)", primary)
    return f"{match.group(1)}.{match.group(2)}" if match else primary[:3]


def code_in_range(code: str, low: str, high: str) -> bool:
    """Whether the code falls in the range ``low``–``high`` (inclusive, compared at the precision given).

    ``code_in_range("C73.x00", "C00", "C97")`` is True; ``code_in_range("I21.9", "I21", "I22")`` is True;
    ``code_in_range("C72.3", "C72.2", "C72.5")`` compares one decimal.
    """
    primary = split_code(code).primary
    if not primary:
        return False
    key = primary.replace("x", "0")

    def cut(bound: str) -> str:
        return key[: len(bound)]

    return cut(low) >= low and cut(high) <= high


class Icd10Tables:
    """All tables, loaded once. ``entries(edition)`` in file order; lookups by exact code."""

    def __init__(self, directory: Path | None = None) -> None:
        base = Path(str(resources.files("claims_ai.medical").joinpath(_DATA))) if directory is None else directory
        self.directory = base
        self._entries = {
            Edition.V601: _read_pairs(base / "icd10_beijing_clinical_v601.csv", Edition.V601, delimiter=","),
            Edition.YIBAO: _read_pairs(base / "icd10_yibao_v2.csv", Edition.YIBAO, delimiter=","),
        }
        self.categories: dict[str, str] = {
            row[0]: row[1] for row in _read_rows(base / "disease.csv", delimiter="\t") if len(row) >= 2
        }
        catalog = [row for row in _read_rows(base / "disease_catalog.csv", delimiter="\t") if len(row) >= 4]
        self._chapters = [(r[0], r[1], r[3]) for r in catalog if r[2] == "1"]
        self._blocks = [(r[0], r[1], r[3]) for r in catalog if r[2] == "2"]
        self._by_code = {
            edition: {entry.code: entry for entry in entries} for edition, entries in self._entries.items()
        }

    def entries(self, edition: Edition) -> tuple[Icd10Entry, ...]:
        return self._entries[edition]

    def lookup(self, code: str, edition: Edition | None = None) -> Icd10Entry | None:
        editions = [edition] if edition else [Edition.V601, Edition.YIBAO]
        for ed in editions:
            found = self._by_code[ed].get(code)
            if found is not None:
                return found
        return None

    def category_name(self, code: str) -> str | None:
        return self.categories.get(category_of(code))

    def chapter(self, code: str) -> str | None:
        return _find_range(self._chapters, category_of(code))

    def block(self, code: str) -> str | None:
        return _find_range(self._blocks, category_of(code))

    @cached_property
    def _by_subcategory(self) -> dict[Edition, dict[str, list[Icd10Entry]]]:
        index: dict[Edition, dict[str, list[Icd10Entry]]] = {}
        for edition, entries in self._entries.items():
            groups: dict[str, list[Icd10Entry]] = {}
            for entry in entries:
                groups.setdefault(_subcategory(split_code(entry.code).primary), []).append(entry)
            index[edition] = groups
        return index

    @cached_property
    def _by_morphology(self) -> dict[Edition, dict[tuple[str, int | None], list[Icd10Entry]]]:
        index: dict[Edition, dict[tuple[str, int | None], list[Icd10Entry]]] = {}
        for edition, entries in self._entries.items():
            groups: dict[tuple[str, int | None], list[Icd10Entry]] = {}
            for entry in entries:
                parts = split_code(entry.code)
                key = _morphology_key(parts)
                if not parts.primary and key is not None:
                    groups.setdefault(key, []).append(entry)
            index[edition] = groups
        return index

    def _map_morphology(self, parts: CodeParts, source: Icd10Entry | None, to: Edition) -> Icd10Entry | None:
        key = _morphology_key(parts)
        candidates = self._by_morphology[to].get(key) if key else None
        if not candidates:
            return None
        if source is not None:
            same = [c for c in candidates if _plain(c.name) == _plain(source.name)]
            if same:
                return same[0]
        return min(candidates, key=lambda c: (len(c.code), c.code))

    def map_code(self, code: str, to: Edition) -> Icd10Entry | None:
        """The entry of the other edition for a code: same name in the same subcategory, else the subcategory's
        most general entry (shortest code), else the 3-character category's."""
        source = self.lookup(code)
        parts = split_code(code)
        primary = parts.primary
        if not primary:
            return self._map_morphology(parts, source, to)
        groups = self._by_subcategory[to]
        for key in (_subcategory(primary), primary[:3]):
            candidates = groups.get(key)
            if not candidates:
                continue
            if source is not None:
                same = [c for c in candidates if _plain(c.name) == _plain(source.name)]
                if same:
                    return same[0]
            return min(candidates, key=lambda c: (len(c.code), c.code))
        return None


def _morphology_key(parts: CodeParts) -> tuple[str, int | None] | None:
    """ICD-O-3 histology (first four digits) and behaviour: v601 ``M826010/3`` and 医保 ``M82601/3`` agree."""
    if parts.morphology is None:
        return None
    match = _MORPHOLOGY.match(parts.morphology)
    return (match.group(1)[:4], parts.behaviour) if match else None


def _plain(name: str) -> str:
    return re.sub(r"[\s,，、()（）\[\]\"]", "", name)


def _find_range(ranges: list[tuple[str, str, str]], category: str) -> str | None:
    for low, high, name in ranges:
        if low <= category <= high:
            return name
    return None


def _read_rows(path: Path, *, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    return rows[1:]


def _read_pairs(path: Path, edition: Edition, *, delimiter: str) -> tuple[Icd10Entry, ...]:
    return tuple(
        Icd10Entry(code=row[0].strip(), name=row[1].strip(), edition=edition)
        for row in _read_rows(path, delimiter=delimiter)
        if len(row) >= 2 and row[0].strip() and row[1].strip()
    )
