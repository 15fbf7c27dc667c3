"""Normalisers: the raw text of a value as printed (and as OCR read it) → the contract's normalised string.

Amounts → ``"24189.65"``; amounts in words (大写) → the same; dates → ``YYYY-MM-DD`` or ``YYYY-MM``; date
ranges → two dates; resident ID numbers → checked with their MOD 11-2 check digit; TNM stages → parts.
Each returns None when the text does not hold such a value: "not found" differs from a wrong value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "IdNumber",
    "TnmStage",
    "contract_amount",
    "contract_date",
    "date_spans",
    "hospital_key",
    "parse_amount",
    "parse_amount_words",
    "parse_date",
    "parse_date_range",
    "parse_id_number",
    "parse_tnm",
]

_CENT = Decimal("0.01")

# OCR reads these look-alikes inside numbers; only applied to tokens that are otherwise numeric.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"})
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，：－／（）", "0123456789.,:-/()")


def _to_text(value: Decimal) -> str:
    return str(value.quantize(_CENT))


def parse_amount(text: str) -> str | None:
    """``"(小写)¥24,189.65"`` → ``"24189.65"``. Thousands separators, currency marks and spaces are ignored."""
    cleaned = text.translate(_FULLWIDTH)
    # OCR reads a thousands comma as a point: "3.391.75" is 3,391.75.
    cleaned = re.sub(r"(?<=\d)\.(?=\d{3}(?:\.\d{3})*\.\d{1,2}(?!\d))", ",", cleaned)
    cleaned = re.sub(r"(?<=\d)[;；](?=\d{3}(?!\d))", ",", cleaned)  # "41;640.15"
    # …and a decimal point as a colon or semicolon: "1,115:70" is 1,115.70, "46,298;32" 46,298.32.
    cleaned = re.sub(r"(?<=\d)[:：;；](?=\d{2}(?!\d))", ".", cleaned)
    # …or lost after a thousands group: "209,09846" is 209,098.46.
    cleaned = re.sub(r"(?<=\d,\d{3})(?=\d{2}(?![\d.]))", ".", cleaned)
    # …or as a comma after a thousands group: "102,494,60" is 102,494.60.
    cleaned = re.sub(r"(?<=\d,\d{3}),(?=\d{2}(?!\d))", ".", cleaned)
    # …or a handwritten point as a middle dot: "160060·44"; or read twice: "21898..41".
    cleaned = re.sub(r"(?<=\d)(?:[·•∙・]|\.\.)(?=\d{1,2}(?!\d))", ".", cleaned)
    for candidate in re.findall(r"[-+]?[\dOolISB][\dOolISB,，\s]*(?:\.\s*[\dOolISB]{1,2})?", cleaned):
        token = re.sub(r"[\s,，]", "", candidate)
        if not re.search(r"\d", token):
            continue
        token = token.translate(_DIGIT_LOOKALIKES)
        if not re.fullmatch(r"[-+]?\d+(\.\d{1,2})?", token):
            continue
        # A separator must split groups of three; "24,18" is not an amount.
        groups = re.sub(r"\s", "", candidate).split(".")[0].replace("，", ",").split(",")
        if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
            continue
        try:
            return _to_text(Decimal(token))
        except InvalidOperation:
            continue
    return None


_WORD_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "壹": 1, "一": 1, "幺": 1,
    "贰": 2, "貳": 2, "贡": 2, "二": 2, "两": 2, "兩": 2,
    "叁": 3, "參": 3, "叄": 3, "三": 3,
    "肆": 4, "四": 4,
    "伍": 5, "五": 5,
    "陆": 6, "陸": 6, "六": 6,
    "柒": 7, "七": 7,
    "捌": 8, "八": 8,
    "玖": 9, "九": 9,
}  # fmt: skip
_SMALL_UNITS = {"拾": 10, "十": 10, "什": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_YUAN = "元圆園"


def _parse_integer_words(text: str) -> int | None:
    total, section, digit = 0, 0, None
    for char in text:
        if char in _WORD_DIGITS:
            digit = _WORD_DIGITS[char]
        elif char in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[char]
            digit = None
        elif char in _BIG_UNITS:
            unit = _BIG_UNITS[char]
            section += digit or 0
            total = (total + section) * unit if unit > 10_000 else total + section * unit
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def parse_amount_words(text: str) -> str | None:
    """``"贰万肆仟壹佰捌拾玖元陆角伍分"`` → ``"24189.65"``; ``"壹万零伍元整"`` → ``"10005.00"``."""
    words = re.sub(r"[\s:：()（）人民币大写合计金额¥￥]", "", text)
    words = words.replace("整", "").replace("正", "")
    if not words:
        return None
    if any(char in words for char in _YUAN):
        integer_part, rest = re.split(f"[{_YUAN}]", words, maxsplit=1)
    elif re.search("[角分]", words):  # "伍角": no yuan at all
        integer_part, rest = "", words
    else:
        return None
    integer = _parse_integer_words(integer_part) if integer_part else 0
    if integer is None:
        return None
    jiao = fen = 0
    fraction = re.fullmatch(r"零?(?:(?P<jiao>.)角)?零?(?:(?P<fen>.)分)?", rest)
    if fraction is None:
        return None
    if fraction.group("jiao"):
        if fraction.group("jiao") not in _WORD_DIGITS:
            return None
        jiao = _WORD_DIGITS[fraction.group("jiao")]
    if fraction.group("fen"):
        if fraction.group("fen") not in _WORD_DIGITS:
            return None
        fen = _WORD_DIGITS[fraction.group("fen")]
    return _to_text(Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100)


_DATE_PATTERNS = (
    # 2020-12-23, 2020/12/23, 2020.12.23, 2020年12月23日 (spaces allowed, 日 optional; a speck read as a dot
    # beside 年 or 月 on a photo: "2024年06.月02日", "2020年12月.08日"; a dot read as a colon: "2023.11:30", or
    # the year's point as a comma: "2019,06.15")
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*\.?[-/.:,年]\s*(?P<m>\d{1,2})\s*\.?[-/.:月]\.?\s*(?P<d>\d{1,2})\s*日?"),
    # 2024-0618, 2020年1228日: the separator between month and day lost
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)\s*日?"),
    # 202201-21, 201912.14: the separator between year and month lost
    re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)\s*[-/.]\s*(?P<d>[0-3]\d)(?![\d.])"),
    # 20201223 (after a table rule OCR read as "1": "120200126")
    re.compile(r"(?<!\d)1?(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
    # 222年04月15日: a year OCR read with a digit lost (see _year_with_lost_digit)
    re.compile(r"(?<!\d)(?P<y>2\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"),
    # 022/07/30: the year's first digit off the slip's edge or lost, with a month and a day after it
    re.compile(
        r"(?<![\d.\-/])(?P<y>[02]\d{2})\s*(?P<sep>[-/.])\s*(?P<m>[01]?\d)\s*(?P=sep)\s*(?P<d>[0-3]?\d)(?![\d.\-/])"
    ),
)
_MONTH_PATTERN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*月?(?![\d.\-/])")


def _year_with_lost_digit(year: str) -> str | None:
    """A three-digit year before 年 lost one digit to OCR: the year it came from when only one year of claims
    (2000-2039) gives it ("222" → 2022, "219" → 2019); "202" could be 2002 or 2020-2029, so it gives none."""
    years = {year[:i] + d + year[i:] for i in range(len(year) + 1) for d in "0123456789"}
    plausible = [y for y in years if 2000 <= int(y) <= 2039]
    return plausible[0] if len(plausible) == 1 else None


def _valid(year: str, month: str, day: str | None) -> str | None:
    if len(year) == 3:
        restored = _year_with_lost_digit(year)
        if restored is None:
            return None
        year = restored
    try:
        if day is None:
            if not 1 <= int(month) <= 12:
                return None
            return f"{int(year):04d}-{int(month):02d}"
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _dates_in(text: str) -> list[tuple[int, int, str]]:
    """Each date in the text as (start, end, ISO value), in order: full dates first, then bare months."""
    found: list[tuple[int, int, str]] = []
    taken: list[range] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if any(span.start in r or r.start in span for r in taken):
                continue
            value = _valid(match["y"], match["m"], match["d"])
            if value:
                found.append((match.start(), match.end(), value))
                taken.append(span)
    for match in _MONTH_PATTERN.finditer(text):
        span = range(match.start(), match.end())
        if any(span.start in r or r.start in span for r in taken):
            continue
        value = _valid(match["y"], match["m"], None)
        if value:
            found.append((match.start(), match.end(), value))
            taken.append(span)
    return sorted(found)


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where each date is written in the text (character positions), for widening a span cut inside one."""
    return [(start, end) for start, end, _ in _dates_in(text.translate(_FULLWIDTH))]


def parse_date(text: str) -> str | None:
    """The first date in the text: ``"开票日期：2020年12月23日"`` → ``"2020-12-23"``; ``"2019年12月"`` → month."""
    dates = _dates_in(text.translate(_FULLWIDTH))
    return dates[0][2] if dates else None


def parse_date_range(text: str) -> tuple[str, str] | None:
    """``"20201217|20201223"``, ``"2021-01-10-2021-01-16"``, ``"2020年12月17日至2020年12月23日"`` → start, end."""
    cleaned = text.translate(_FULLWIDTH)
    # "2023053120230605": the bar between two compact dates lost.
    cleaned = re.sub(r"(?<!\d)((?:19|20)\d{6})((?:19|20)\d{6})(?!\d)", r"\1|\2", cleaned)
    dates = _dates_in(cleaned)
    if len(dates) < 2:
        return None
    start, end = dates[0][2], dates[1][2]
    return (start, end) if start <= end else None


@dataclass(frozen=True)
class IdNumber:
    value: str  # upper-case, masked digits kept as '*'
    masked: bool
    valid: bool | None  # None when masked: the check digit cannot be verified
    birth_date: str | None
    gender: str | None  # "男" / "女" from the 17th digit


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def parse_id_number(text: str) -> IdNumber | None:
    """An 18-character resident ID number (GB 11643), possibly partly masked with ``*``."""
    match = re.search(r"(?<![\dA-Za-z*])([\d*]{17}[\dXx*])(?![\dA-Za-z*])", text.translate(_FULLWIDTH))
    if match is None:
        return None
    value = match.group(1).upper()
    masked = "*" in value
    birth = _valid(value[6:10], value[10:12], value[12:14]) if value[6:14].isdigit() else None
    gender = None if value[16] == "*" else ("男" if int(value[16]) % 2 else "女")
    valid = None
    if not masked:
        total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
        valid = _ID_CHECK[total % 11] == value[17] and birth is not None
    return IdNumber(value=value, masked=masked, valid=valid, birth_date=birth, gender=gender)


@dataclass(frozen=True)
class TnmStage:
    """A TNM classification as written: ``pT1bN0M0`` → prefix ``p``, ``T1b``, ``N0``, ``M0``."""

    prefix: str  # "", "p" (pathological), "c" (clinical), "yp", "r"
    t: str | None  # "T1b", "Tis", "Tx"
    n: str | None
    m: str | None

    @property
    def text(self) -> str:
        return self.prefix + "".join(part for part in (self.t, self.n, self.m) if part)


_TNM = re.compile(
    r"(?<![A-Za-z])(?P<prefix>yp|yc|rp|p|c|r|y)?\s*"
    r"(?P<t>T\s*(?:is|[0-4xX])(?:\s*[a-dA-D](?![a-z]))?(?:\s*\(m\))?)\s*"
    r"(?P<n>N\s*[0-3xX](?:\s*[a-cA-C](?![a-z]))?)?\s*"
    r"(?P<m>M\s*[01xX](?:\s*[a-cA-C](?![a-z]))?)?"
)


def _tidy(part: str | None) -> str | None:
    if not part:
        return None
    part = re.sub(r"\s", "", part)
    head, rest = part[0].upper(), part[1:]
    rest = rest.replace("X", "x")
    if rest.lower().startswith("is"):
        return head + "is" + rest[2:]
    return head + (rest[:1] + rest[1:].lower() if rest else "")


def parse_tnm(text: str) -> TnmStage | None:
    """The first TNM classification in the text (``T1aN0M0``, ``pT1bN0Mx``, ``pT2 N1a M0``)."""
    cleaned = text.translate(_FULLWIDTH)
    if "T" not in cleaned:
        return None  # every stage has its T (this runs on every line of every page)
    if re.search("TNM|分期", cleaned):
        # Under a staging label, OCR's letter-for-digit misreads are undone: "pT3NOM0", "pTlcN0M1".
        cleaned = re.sub(r"(?<=[TNM])\s*[Oo]", "0", cleaned)
        cleaned = re.sub(r"(?<=[TNM])\s*[Il|](?![sS])", "1", cleaned)
    for match in _TNM.finditer(cleaned):
        if match.group("n") is None and match.group("m") is None:
            continue  # a lone "T2" is too likely to be something else (a vertebra, a weighting)
        return TnmStage(
            prefix=(match.group("prefix") or "").lower(),
            t=_tidy(match.group("t")),
            n=_tidy(match.group("n")),
            m=_tidy(match.group("m")),
        )
    return None


# ---------------------------------------------------------------------- reading normalised contract values back


def contract_date(value: str | None) -> dt.date | None:
    """A contract date (``YYYY-MM-DD``) as a date; None for ``YYYY-MM`` or anything unreadable."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def contract_amount(value: str | None) -> Decimal | None:
    """A contract amount (``"24189.65"``) as a Decimal; None when absent or unreadable."""
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def amount_digits(text: str) -> str:
    """An amount's significant digits, whatever separators and point OCR read (``"1,115:70"`` → ``"111570"``)."""
    return re.sub(r"\D", "", text).lstrip("0")


def same_hospital(a: str, b: str) -> bool:
    """Two documents name the same hospital: one key contains the other ("贵州医科大学附属医院" in its seal's text)."""
    ka, kb = hospital_key(a), hospital_key(b)
    return ka in kb or kb in ka


def hospital_key(name: str) -> str:
    """A hospital name without spacing, brackets, dashes and seal words, for comparing names across documents."""
    return re.sub(r"[\s()（）·・\-—]|收费专用章|电子票据|医疗收费票据|专用章", "", name)
