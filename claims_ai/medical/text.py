"""Diagnosis text as written → cleaned text, segments, qualifiers (negation, uncertainty, history, metastasis, side).

Pure string work shared by serving and training (the re-ranker's features are computed on the same cleaned text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

__all__ = [
    "Abbreviations",
    "DiagnosisStatus",
    "Laterality",
    "Segment",
    "clean_text",
    "expand_abbreviations",
    "load_abbreviations",
    "segment_diagnoses",
]

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ（）［］？！：",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz()[]?!:",
)
# Characters OCR of printed Chinese confuses in diagnoses, mapped to the reading that is a medical word; the wrong
# readings never occur in diagnoses themselves (character n-gram retrieval absorbs the other errors).
_OCR_FIXES = str.maketrans({"榴": "瘤", "嵒": "癌", "脈": "脉", "線": "腺", "胂": "肿", "灸": "炎"})


def clean_text(text: str) -> str:
    """Full-width to half-width, collapsed spaces, common OCR confusions repaired."""
    text = text.translate(_FULLWIDTH).strip()
    text = re.sub(r"\s+", " ", text)
    return text.translate(_OCR_FIXES)


class Abbreviations(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    latin: dict[str, str]
    chinese: dict[str, str]


@lru_cache(maxsize=1)
def load_abbreviations() -> Abbreviations:
    raw = resources.files("claims_ai.medical").joinpath("data/abbreviations.yaml").read_text(encoding="utf-8")
    return Abbreviations.model_validate(yaml.safe_load(raw))


def expand_abbreviations(text: str, table: Abbreviations | None = None) -> str:
    """The text plus the expansions of the abbreviations found in it (``"甲乳癌"`` → ``"甲乳癌 甲状腺乳头状癌"``)."""
    table = table or load_abbreviations()
    additions: list[str] = []
    for token in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
        expansion = table.latin.get(token.lower())
        if expansion:
            additions.append(expansion)
    for short, expansion in sorted(table.chinese.items(), key=lambda kv: -len(kv[0])):
        if short in text and expansion not in text:
            additions.append(expansion)
    return text if not additions else text + " " + " ".join(dict.fromkeys(additions))


class DiagnosisStatus(StrEnum):
    CURRENT = "current"
    UNCERTAIN = "uncertain"  # 待查, 可能, ?, 疑似, 不除外
    NEGATED = "negated"  # 排除, 除外, 未见, 否认
    HISTORY = "history"  # 病史, 既往, …史


class Laterality(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


@dataclass(frozen=True)
class Segment:
    """One diagnosis inside a string as written, with what its qualifiers say."""

    text: str  # as written (cleaned)
    core: str  # the diagnosis without qualifier words
    start: int  # offset in the cleaned text
    status: DiagnosisStatus
    metastasis: bool
    laterality: Laterality | None


_SPLIT = re.compile(r"[;；,，。\n]|、(?!\d)|(?:^|\s)(?:\(?\d{1,2}[.、)）]|[①-⑳])|\s{2,}")
_UNCERTAIN = re.compile(r"待查|待排|可能|可疑|疑似|疑|考虑|\?|不除外|不排除|待除外")
_NEGATED = re.compile(r"^(?:排除|除外|未见|否认|无)|(?:已排除|除外|排除)$")
_HISTORY = re.compile(r"病史|既往|(?<![病])史$|史\)?$|术后多年")
_METASTASIS = re.compile(r"转移")
_QUALIFIER_WORDS = re.compile(
    r"待查|待排|待除外|不除外|不排除|可能性大|可能|可疑|疑似|考虑|\?|已排除|排除|除外|未见|否认|病史|既往|史$|^疑|^无"
)


def _laterality(text: str) -> Laterality | None:
    if re.search(r"双侧|双", text):
        return Laterality.BILATERAL
    left, right = "左" in text, "右" in text
    if left and right:
        return Laterality.BILATERAL
    if left:
        return Laterality.LEFT
    if right:
        return Laterality.RIGHT
    return None


def _status(text: str) -> DiagnosisStatus:
    if _UNCERTAIN.search(text):  # "不除外" is uncertainty, checked before negation
        return DiagnosisStatus.UNCERTAIN
    if _NEGATED.search(text):
        return DiagnosisStatus.NEGATED
    if _HISTORY.search(text):
        return DiagnosisStatus.HISTORY
    return DiagnosisStatus.CURRENT


def segment_diagnoses(text: str) -> tuple[Segment, ...]:
    """Split a cleaned string holding several diagnoses (``"1.甲状腺乳头状癌 2.高血压病史"``) into segments."""
    segments: list[Segment] = []
    position = 0
    for piece in [*_SPLIT.split(text), None]:
        if piece is None:
            break
        start = text.find(piece, position) if piece else position
        position = start + len(piece)
        stripped = piece.strip(" .、:：")
        if not stripped:
            continue
        core = re.sub(r"[(（]\s*[)）]", "", _QUALIFIER_WORDS.sub("", stripped)).strip(" .、:") or stripped
        segments.append(
            Segment(
                text=stripped,
                core=core,
                start=max(start, 0),
                status=_status(stripped),
                metastasis=bool(_METASTASIS.search(stripped)),
                laterality=_laterality(stripped),
            )
        )
    return tuple(segments)
