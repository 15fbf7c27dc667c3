"""Cancer staging as written in Chinese medical documents, and AJCC 8th-edition stage grouping for thyroid cancer.

- Stage groups: ``Ⅰ期``, ``I期``, ``IVA期``, ``Ⅲb期``, ``丨期`` (a common conversion error for Ⅰ), ``1期``.
- Binet (chronic lymphocytic leukaemia) A/B/C, Ann Arbor (Hodgkin lymphoma) I–IV, WHO grade G1–G3 (neuroendocrine).
- TNM itself is parsed by :func:`claims_ai.extract.normalize.parse_tnm` (``T1aN0M0``, ``pT1bN0Mx``).
- :func:`thyroid_stage` groups a thyroid TNM by histology and age at diagnosis (AJCC 8, as adopted by
  《甲状腺癌诊疗规范（2018年版）》 and the 2020 critical-illness definitions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from claims_ai.extract.normalize import TnmStage, parse_tnm

__all__ = [
    "StageGroup",
    "ThyroidHistology",
    "parse_ann_arbor",
    "parse_binet",
    "parse_stage_group",
    "parse_tnm",
    "parse_who_grade",
    "thyroid_histology",
    "thyroid_stage",
]

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ROMAN_WORD = r"IV|III|II|I|Ⅳ|Ⅲ|Ⅱ|Ⅰ|[1-4]"
_LOOKALIKES = str.maketrans({"丨": "I", "|": "I", "l": "I", "Ｉ": "I", "Ｖ": "V"})


@dataclass(frozen=True)
class StageGroup:
    """``IVA期`` → number 4, sub ``A``."""

    number: int  # 0–4
    sub: str = ""  # "A", "B", "C" or ""

    @property
    def text(self) -> str:
        return {0: "0", 1: "I", 2: "II", 3: "III", 4: "IV"}[self.number] + self.sub


def _normalise(text: str) -> str:
    return text.translate(_LOOKALIKES)


def parse_stage_group(text: str) -> StageGroup | None:
    """The first overall stage written with 期: ``"甲状腺乳头状癌Ⅰ期"`` → I; ``"IVA期"`` → IVA; ``"0期"`` → 0."""
    cleaned = _normalise(text)
    match = re.search(rf"(?<![A-Za-z\d])({_ROMAN_WORD}|0)\s*([ABCabc])?\s*期", cleaned)
    if match is None:
        return None
    number = 0 if match.group(1) == "0" else _ROMAN[match.group(1)]
    return StageGroup(number, (match.group(2) or "").upper())


def parse_binet(text: str) -> str | None:
    """Binet stage of chronic lymphocytic leukaemia: ``"Binet A期"``, ``"Binet分期：B"`` → ``"A"``/``"B"``/``"C"``."""
    match = re.search(r"binet\s*(?:分期|stage)?\s*[:：]?\s*([ABC])(?![a-z])", text, flags=re.IGNORECASE)
    return match.group(1).upper() if match else None


def parse_ann_arbor(text: str) -> StageGroup | None:
    """Ann Arbor stage of a lymphoma: ``"Ann Arbor分期Ⅱ期A"``, ``"Ann Arbor IIIB"`` → the stage."""
    cleaned = _normalise(text)
    match = re.search(
        rf"ann\s*arbor\s*(?:分期|stage)?\s*[:：]?\s*({_ROMAN_WORD})\s*期?\s*([ABEXSabexs])?", cleaned, re.IGNORECASE
    )
    if match is None:
        return None
    return StageGroup(_ROMAN[match.group(1).upper()], (match.group(2) or "").upper())


def parse_who_grade(text: str) -> int | None:
    """WHO grade of a neuroendocrine tumour: ``"G1"``, ``"NET G2"``, ``"WHO分级：1级"`` → 1, 2, …"""
    match = re.search(r"(?<![A-Za-z])G\s*([1-3])(?!\d)", text)
    if match:
        return int(match.group(1))
    match = re.search(r"(?:WHO)?\s*分级\s*[:：]?\s*([1-3])\s*级", text, flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


class ThyroidHistology(StrEnum):
    DIFFERENTIATED = "differentiated"  # papillary, follicular, Hürthle cell, poorly differentiated
    MEDULLARY = "medullary"
    ANAPLASTIC = "anaplastic"


def thyroid_histology(text: str) -> ThyroidHistology:
    """Histology from the written diagnosis; papillary/follicular (the usual case) when nothing else is named."""
    if re.search(r"髓样|medullary", text, flags=re.IGNORECASE):
        return ThyroidHistology.MEDULLARY
    if re.search(r"未分化|间变|anaplastic", text, flags=re.IGNORECASE):
        return ThyroidHistology.ANAPLASTIC
    return ThyroidHistology.DIFFERENTIATED


def _t_number(t: str | None) -> tuple[int, str] | None:
    """``"T3b"`` → (3, "b"); ``"Tx"``/missing → None."""
    if not t:
        return None
    match = re.fullmatch(r"T(is|[0-4])([a-d]?)(?:\(m\))?", t)
    if match is None:
        return None
    return (0 if match.group(1) == "is" else int(match.group(1)), match.group(2))


def _n_class(n: str | None) -> str | None:
    """``"N0"`` → "0", ``"N1a"`` → "1a", ``"N1"`` → "1"; ``"Nx"``/missing → "x"."""
    if not n:
        return "x"
    return n[1:].lower() or None


def thyroid_stage(tnm: TnmStage, age: int | None, histology: ThyroidHistology) -> StageGroup | None:
    """AJCC 8 stage group of a thyroid cancer. A missing or ``Mx`` M is taken as M0 (pathological staging uses
    cM0). Returns None when the TNM or, for differentiated cancer, the age does not decide the group."""
    t = _t_number(tnm.t)
    n = _n_class(tnm.n)
    m1 = tnm.m is not None and tnm.m.upper().startswith("M1")
    if histology is ThyroidHistology.ANAPLASTIC:
        if m1:
            return StageGroup(4, "C")
        if t is None:
            return None
        if t[0] == 4 or (t[0] == 3 and t[1] == "b"):
            return StageGroup(4, "B")
        return StageGroup(4, "B") if n is not None and n.startswith("1") else StageGroup(4, "A")
    if histology is ThyroidHistology.MEDULLARY:
        if m1:
            return StageGroup(4, "C")
        if t is None or n is None:
            return None
        if t == (4, "b"):
            return StageGroup(4, "B")
        if t[0] == 4 or n == "1b":
            return StageGroup(4, "A")
        if n.startswith("1"):
            return StageGroup(3) if n == "1a" else None  # bare "N1" cannot tell III from IVA
        if n == "x":
            return None
        return StageGroup(1) if t[0] <= 1 else StageGroup(2)
    # differentiated (papillary, follicular, Hürthle cell, poorly differentiated)
    if age is None:
        return None
    if age < 55:
        return StageGroup(2) if m1 else StageGroup(1)
    if m1:
        return StageGroup(4, "B")
    if t is None:
        return None
    if t == (4, "b"):
        return StageGroup(4, "A")
    if t[0] == 4:
        return StageGroup(3)
    if t[0] == 3:
        return StageGroup(2)
    if n is None:
        return None
    return StageGroup(2) if n.startswith("1") else StageGroup(1)
