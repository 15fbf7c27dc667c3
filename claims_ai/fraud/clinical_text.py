"""What clinical notes say about timing: how long the symptoms had lasted on admission (现病史 / 主诉 / 入院情况)
and which diseases the past history (既往史) names, with how many years ago.

Plain regular expressions over the note's text: ``因“宫颈占位性病变”6月余入院`` → 180 days, ``2月前体检发现`` → 60 days,
``高血压病史5年`` → (高血压, 5 years).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claims_ai.extract.normalize import parse_amount_words

__all__ = ["HistoryMention", "amount_in_words", "past_history", "shares_disease", "symptom_days"]

_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "月": 30, "个月": 30, "年": 365}
_DURATION = re.compile(r"(\d{1,3})\s*(个月|星期|天|日|周|月|年)余?(?:前|入院|来|，|,|。|$)")
_ONSET_CONTEXT = re.compile(r"主诉|现病史|入院情况|因|发现|出现|患者")
_HISTORY_SECTION = re.compile(r"既往史[:：]?\s*(?P<body>[^\n]*(?:\n(?![^\n]{0,8}[:：])[^\n]*)*)")
_HISTORY_ITEM = re.compile(r"(?:有|患)?(?P<disease>[\u4e00-\u9fa5]{2,14}?)(?:病)?史\s*(?P<years>\d{1,2})\s*余?年")
_WORD_DIGIT = re.compile("[壹贰叁肆伍陆柒捌玖拾佰仟万亿零]")


@dataclass(frozen=True)
class HistoryMention:
    disease: str
    years: int | None  # how long before the note; None when not stated
    text: str


def symptom_days(text: str) -> int | None:
    """The longest symptom duration stated in onset context (days), or None."""
    best: int | None = None
    for line in text.splitlines():
        if not _ONSET_CONTEXT.search(line) or "既往" in line:
            continue
        for match in _DURATION.finditer(line):
            days = int(match.group(1)) * _UNIT_DAYS[match.group(2)]
            best = days if best is None else max(best, days)
    return best


def past_history(text: str) -> tuple[HistoryMention, ...] | None:
    """Diseases named in 既往史; ``()`` when the section says nothing of note, None when there is no section."""
    section = _HISTORY_SECTION.search(text)
    if section is None:
        return None
    body = section.group("body")
    found = [
        HistoryMention(m.group("disease").removeprefix("有"), int(m.group("years")), m.group(0))
        for m in _HISTORY_ITEM.finditer(body)
        if not m.group("disease").startswith("否认")
    ]
    return tuple(found)


def shares_disease(history: str, diagnosis: str, min_chars: int = 3) -> bool:
    """True when the two texts share a run of ``min_chars`` characters (``甲状腺结节`` ~ ``甲状腺乳头状癌``)."""
    history, diagnosis = re.sub(r"\W", "", history), re.sub(r"\W", "", diagnosis)
    return any(history[i : i + min_chars] in diagnosis for i in range(len(history) - min_chars + 1))


def amount_in_words(text: str) -> str | None:
    """The first 大写 amount on a page (``"50281.99"``), read from its text lines."""
    for line in text.splitlines():
        if _WORD_DIGIT.search(line) and re.search("[元圆角分]", line):
            value = parse_amount_words(line)
            if value is not None:
                return value
    return None
