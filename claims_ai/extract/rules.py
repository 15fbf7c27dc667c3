"""Rule layer of field extraction: label anchors ("开票日期：", "（小写）") and page geometry, then normalisers.

A value is read from the rest of the label's line (up to the next label), or, when the label stands alone in
its cell, from the nearest line to its right on the same row, or else from the line just below it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from claims_ai.extract.charges import ChargeLine, charge_lines, has_amount_head
from claims_ai.extract.normalize import (
    parse_amount,
    parse_amount_words,
    parse_date,
    parse_date_range,
    parse_tnm,
)
from claims_ai.extract.settlement import ACCOUNT
from claims_ai.extract.tags import ValueKind, kind_of
from claims_ai.geometry import upright_points
from claims_ai.types import ExtractedField, OcrResult, Quad, TextLine

__all__ = ["LABELS", "Candidate", "RuleExtractor", "normalise", "printed_figures", "sub_box"]

# Labels per field, longest first where one contains another. Names starting "_" are helpers.
LABELS: dict[str, tuple[str, ...]] = {
    "patient_name": ("患者姓名", "病人姓名", "姓名", "交款人"),
    "patient_gender": ("性别",),
    "patient_age": ("年龄",),
    "hospital_name": (
        "收款单位（章）",
        "收款单位(章)",
        "医疗卫生机构名称",
        "医疗机构名称",
        "收款单位",
        "医院名称",
        "就诊医院",
        "医疗机构",
    ),
    "department": ("住院科室", "就诊科室", "科别", "科室"),
    "invoice_number": ("票据号码", "发票号码", "票据号", "发票号", "No.", "No", "NO"),
    "issue_date": (
        "开票日期",
        "收费日期",
        "报告日期",
        "出具日期",
        "开具日期",
        "签发日期",
        "申请日期",
        "打印日期",
        "采样时间",
        "检查日期",
        "就诊日期",
        "死亡日期",
        "日期",  # bare, on certificates ("日期：2020年11月05日"); only where it starts a label (see _segments)
    ),
    "admission_date": ("入院日期", "入院时间"),
    "discharge_date": ("出院日期", "出院时间"),
    "_stay": ("住院时间", "住院日期", "住院期间"),
    "total_amount": (
        "（小写）",
        "(小写)",
        "小写",
        "费用合计",
        "合计金额",
        "费用总额",
        "总金额",
        "总费用",
        "总计",
        "申请金额",
    ),
    "_amount_words": ("（大写）", "(大写)", "大写"),
    "_account": ("个人账户支付",),
    "insurance_fund_paid": ("医保统筹基金支付", "统筹基金支付", "医保统筹支付", "基金支付", "统筹支付"),
    "personal_cash_paid": ("个人现金支付", "现金支付"),
    "self_pay_category": ("个人自付",),
    "self_expense": ("个人自费",),
    "pathology_diagnosis": ("病理诊断",),
    "_diagnosis": ("出院诊断", "入院诊断", "临床诊断", "初步诊断", "诊断意见", "主要诊断", "诊断"),
    # Labels of values we do not extract: they end the value before them ("科别：骨科 住院号：…").
    "_other": (
        # Titles that contain a label ("诊断证明书" is not "诊断：证明书").
        "诊断证明书",
        "诊断证明",
        "病理诊断报告单",
        "病理诊断报告",
        "住院号",
        "门诊号",
        "病案号",
        "床号",
        "费别",
        "医保类型",
        "票据代码",
        "校验码",
        "医疗机构类型",
        "住院天数",
        "统一社会信用代码",
        "复核人",
        "收款人",
        "标本类型",
        "检查部位",
        "转科科别",
        "转科",
        # Dates that are not the document's date.
        "出生日期",
        "手术日期",
        "确诊日期",
        "发病日期",
        "出险日期",
        "送检日期",
        "收到日期",
        "投保日期",
    ),
}
# Labels that give a field only when no better label does (a visit date stands in for the invoice date).
_FALLBACK_LABELS = {"就诊日期": 0.8, "死亡日期": 0.8, "日期": 0.9}
_ALL_LABELS = sorted({label for labels in LABELS.values() for label in labels}, key=len, reverse=True)
_LABEL_PATTERN = re.compile("|".join(re.escape(label) for label in _ALL_LABELS))
_SEPARATORS = " \u3000:：;；,，|"
_UNIT = re.compile(r"[（(]元[)）][\s:：]*")
_SEAL_MARK = re.compile(r"(?:[\u4e00-\u9fff]?[（(《〈]章[)）》〉]?|[（(《〈][\u4e00-\u9fff][)）》〉])[\s:：]*")
_HOSPITAL = re.compile(r"[\u4e00-\u9fff]{2,}(医院|卫生院|医疗中心|保健院|中心)")
_RULE_CONFIDENCE = 0.85


@dataclass(frozen=True)
class Candidate:
    """A value found by a rule, before it is combined with the model's."""

    name: str
    value: str
    text: str
    confidence: float
    box: Quad


@functools.cache
def char_width(char: str) -> float:
    """Printed width of a character relative to a Chinese one."""
    if char.isspace():
        return 0.5
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.55


def sub_box(line: TextLine, start: int, end: int) -> Quad:
    """The part of a line's quad covering characters ``start:end``: a Chinese character is as wide as the line
    is high, a digit or Latin letter about half that, so the line's width is shared in those proportions.
    Plain arithmetic: it runs for every value found on every page, where numpy's per-call cost dominated."""
    widths = [char_width(c) for c in line.text] or [1.0]
    total = sum(widths)
    a = sum(widths[: min(start, len(widths))]) / total
    b = sum(widths[: min(end, len(widths))]) / total
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = line.box

    def along(px: float, py: float, qx: float, qy: float, t: float) -> tuple[float, float]:
        return round(px + (qx - px) * t, 1), round(py + (qy - py) * t, 1)

    return (along(x0, y0, x1, y1, a), along(x0, y0, x1, y1, b), along(x3, y3, x2, y2, b), along(x3, y3, x2, y2, a))


# A figure with its cents at the end of a line, alone or after a label OCR did not recognise.
_LINE_FIGURE = re.compile(r"\d[\d,]*\.\d{2}$")


def printed_figures(lines: Sequence[TextLine]) -> dict[str, Candidate]:
    """Each amount printed at the end of a line, by value (the most confident reading of it)."""
    figures: dict[str, Candidate] = {}
    for line in lines:
        text = line.text.rstrip()
        match = _LINE_FIGURE.search(text)
        value = parse_amount(match.group()) if match else None
        if match and value and (value not in figures or figures[value].confidence < line.confidence):
            box = sub_box(line, match.start(), match.end())
            figures[value] = Candidate("figure", value, match.group(), line.confidence, box)
    return figures


def _gender(text: str) -> str | None:
    match = re.search("[男女]", text)
    return match.group(0) if match else None


def _age(text: str) -> str | None:
    match = re.search(r"(\d{1,3})\s*(岁|周岁)?", text)
    return match.group(1) if match and 0 < int(match.group(1)) < 130 else None


def _text(text: str) -> str | None:
    cleaned = re.sub(r"^[（(]?章[）)]", "", text).strip(_SEPARATORS + "（）()")
    return cleaned or None


def _hospital(text: str) -> str | None:
    """The institution's name; a seal's words read into the same line ("…医院收费专用章") are cut off, and
    a sentence (a form's notice beside the label) is not a name."""
    cleaned = _text(_SEAL_REMNANT.sub("", _CJK_GAP.sub("", text)))
    if cleaned is None:
        return None
    match = _HOSPITAL.search(cleaned)
    if match and match.start() == 0:
        return match.group(0)
    # The shortest names are four characters ("协和医院"): fewer is a fragment of one.
    return None if not 4 <= len(cleaned) <= 30 or re.search("[。，；;,]", cleaned) else cleaned


# What a seal over the start of the payee's name leaves there: its 章 read again, or a stroke read as 一 or a dash
# ("章郑州市中医院", "一安顺市中医院"). 章丘 and 章贡 are places.
_SEAL_REMNANT = re.compile(r"^(?:章(?![丘贡])|[一\-—_])+")

# Spaces OCR puts between the characters of spaced-out or handwritten names ("杭 州市中医 院").
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


_PERSON_NAME = re.compile(r"[\u4e00-\u9fff·*＊×某]{2,6}")


def _name(text: str) -> str | None:
    """A person's name: 2–6 Chinese characters (masks allowed), never a form label read as the value."""
    cleaned = _text(_CJK_GAP.sub("", text))
    if cleaned is None or not _PERSON_NAME.fullmatch(cleaned) or _LABEL_PATTERN.search(cleaned):
        return None
    return None if cleaned in _NOT_NAMES or _NOT_NAME_PATTERN.search(cleaned) else cleaned


# Words that sit where a name would on forms but are not names (column heads, blank-field markers).
# A department ("血液科") or a column head ("金额", "项目") read from the cell beside a "姓名" label.
_NOT_NAME_PATTERN = re.compile(r"^..+科$|金额|项目|费$|医院|诊断|日期")
_NOT_NAMES = frozenset({"性别", "年龄", "科别", "科室", "病区", "床号", "民族", "职业", "住址", "签名", "本人", "患者"})


def _tnm(text: str) -> str | None:
    stage = parse_tnm(text)
    return stage.text if stage else None


_NORMALISERS: dict[ValueKind, Callable[[str], str | None]] = {
    ValueKind.TEXT: _text,
    ValueKind.AMOUNT: parse_amount,
    ValueKind.DATE: parse_date,
    ValueKind.AGE: _age,
    ValueKind.GENDER: _gender,
    ValueKind.TNM: _tnm,
    ValueKind.NAME: _name,
    ValueKind.HOSPITAL: _hospital,
}


def normalise(entity: str, text: str) -> str | None:
    """The contract's normalised value of ``text`` read as ``entity`` (None if it holds none)."""
    kind = kind_of(entity)
    if kind in (ValueKind.AMOUNT, ValueKind.DATE, ValueKind.AGE):
        text = _close_digit_gaps(text, points=2 if kind is ValueKind.DATE else 1)
    value = _NORMALISERS[kind](text)
    if value is None and kind is ValueKind.DATE:
        value = _date_written_apart(text) or _compact_date_with_speck(text)
    return value


# A cell of digits only, with gaps where a hand wrote them apart ("5 4", "2 02 2-04 -0 2", "55 174.35",
# "202 0.0 1. 19"). Whole values side by side ("20201217 20201223", "12.00 13.00": no piece of three characters or
# fewer, or more points than one value has) keep their gaps.
_SPACED_DIGITS = re.compile(r"\d[\d\s\-/.年月日]*\d")


def _close_digit_gaps(text: str, points: int) -> str:
    cell = text.strip(_SEPARATORS)
    pieces = cell.split()
    if len(pieces) > 1 and _SPACED_DIGITS.fullmatch(cell) and cell.count(".") <= points and min(map(len, pieces)) <= 3:
        return "".join(pieces)
    return text


_DATE_CHARACTERS = re.compile(r"[\d\s\-/.年月日]+")


def _date_written_apart(text: str) -> str | None:
    """A date whose gaps fall inside its parts ("2022-0 4-02", "2022年0 4月02日"): read closed up when no piece
    is a date by itself (two dates side by side are two values)."""
    cell = text.strip(_SEPARATORS)
    pieces = cell.split()
    if len(pieces) < 2 or not _DATE_CHARACTERS.fullmatch(cell) or any(parse_date(piece) for piece in pieces):
        return None
    return parse_date("".join(pieces))


_SPECK_IN_DIGITS = re.compile(r"\d+[,.'`·]\d+")


def _compact_date_with_speck(text: str) -> str | None:
    """A compact date with a speck read into it as a comma or point ("202,10429"): its eight digits are the date."""
    cell = text.strip(_SEPARATORS)
    digits = re.sub(r"\D", "", cell)
    return parse_date(digits) if _SPECK_IN_DIGITS.fullmatch(cell) and len(digits) == 8 else None


_Add = Callable[[str, str | None, TextLine, int, int, float], None]


def _split_off(field: str, inline: str) -> bool:
    """A label's amount of one or two digits: the rest of the figure may be the next cell."""
    return inline.isdigit() and len(inline) <= 2 and kind_of(field) is ValueKind.AMOUNT


def _add_values(add: _Add, field: str, source: TextLine, start: int, end: int, weight: float) -> bool:
    """Read the value of a label's field from ``source.text[start:end]``; whether one was found."""
    value_text = source.text[start:end]
    if field == "_stay":
        stay = parse_date_range(value_text)
        if stay:
            add("admission_date", stay[0], source, start, end, weight)
            add("discharge_date", stay[1], source, start, end, weight)
        return stay is not None
    if field == "_other":
        return True  # a label we do not extract: its cell is taken all the same
    name, reader = _SPECIAL_FIELDS.get(field, (field, lambda text: normalise(field, text)))
    value = reader(value_text)
    add(name, value, source, start, end, weight)
    return bool(value)


_SPECIAL_FIELDS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "_amount_words": ("amount_words", parse_amount_words),
    "_account": (ACCOUNT, parse_amount),
    "_diagnosis": ("diagnoses", _text),
}


class RuleExtractor:
    """``extract(ocr, width, height)`` → candidates per field name (best first); ``charges`` → a table's charge
    lines (see charges.py)."""

    def charges(self, ocr: OcrResult, width: int, height: int) -> list[ChargeLine]:
        lines = list(ocr.lines)
        if not has_amount_head(lines):
            return []
        geometry = _Geometry(lines, ocr.orientation, width, height)
        return charge_lines(lines, geometry.x0, geometry.x1, geometry.y0, geometry.y1)

    def extract(self, ocr: OcrResult, width: int, height: int) -> dict[str, list[Candidate]]:
        lines = list(ocr.lines)
        geometry = _Geometry(lines, ocr.orientation, width, height)
        found: dict[str, list[Candidate]] = {}

        def add(name: str, value: str | None, line: TextLine, start: int, end: int, weight: float) -> None:
            if value:
                text = line.text[start:end]
                candidate = Candidate(name, value, text, round(weight * line.confidence, 4), sub_box(line, start, end))
                found.setdefault(name, []).append(candidate)

        for index, line in enumerate(lines):
            for field, start, end, label_weight in _segments(line.text):
                weight = _RULE_CONFIDENCE * label_weight
                inline = line.text[start:end].strip(_SEPARATORS)
                if _split_off(field, inline) and self._split_figure(inline, field, lines, geometry, index, add, weight):
                    continue
                if inline:
                    _add_values(add, field, line, start, end, weight)
                    continue
                # The value is in the nearest neighbour cell, or past a speck there (a currency sign or a seal's
                # stroke read as a character or two) that holds none.
                for neighbour in geometry.value_lines_for(index):
                    # The neighbour cell holds the value up to its first label; a cell that starts with a label
                    # is the next field's, not a value.
                    text = lines[neighbour].text
                    cut = _LABEL_PATTERN.search(text)
                    if cut is not None and not text[: cut.start()].strip(_SEPARATORS):
                        break
                    e = cut.start() if cut is not None else len(text)
                    found_value = _add_values(add, field, lines[neighbour], 0, e, weight * 0.85)
                    if found_value or len(text.strip(_SEPARATORS)) > 2:
                        break
            stage = parse_tnm(line.text)
            if stage is not None:
                add("tnm_stage", stage.text, line, 0, len(line.text), _RULE_CONFIDENCE)
        if "hospital_name" not in found:
            self._hospital_from_title(lines, geometry, add)
        for candidates in found.values():
            candidates.sort(key=lambda c: -c.confidence)
        return found

    @staticmethod
    def _split_figure(
        inline: str, field: str, lines: Sequence[TextLine], geometry: _Geometry, index: int, add: _Add, weight: float
    ) -> bool:
        """A figure printed over its label can be split by OCR: its first digit or two stay on the label's line
        ("医保统筹基金支付7") and the whole figure is read as the next cell ("79575.43"). The cell is the value
        when it starts with those digits."""
        neighbours = geometry.value_lines_for(index)
        if not neighbours:
            return False
        cell = lines[neighbours[0]]
        text = cell.text.strip(_SEPARATORS)
        if not (text.startswith(inline) and len(text) > len(inline) + 2):
            return False
        return _add_values(add, field, cell, 0, len(cell.text), weight * 0.85)

    @staticmethod
    def _hospital_from_title(
        lines: Sequence[TextLine],
        geometry: _Geometry,
        add: Callable[[str, str | None, TextLine, int, int, float], None],
    ) -> None:
        """No label: the top-most line naming a hospital (e.g. the title of an 出院记录) is the hospital."""
        for index in geometry.top_down():
            match = _HOSPITAL.search(lines[index].text)
            # "就诊医院" is a label, not a hospital; "医疗机构类型：综合医院" is another label's value.
            if match and not _LABEL_PATTERN.search(lines[index].text[: match.end()]):
                add("hospital_name", match.group(0), lines[index], match.start(), match.end(), _RULE_CONFIDENCE * 0.9)
                return


def _field_of(label: str) -> str:
    return next(name for name, labels in LABELS.items() if label in labels)


def _cjk_before(text: str, index: int) -> bool:
    return index > 0 and "\u4e00" <= text[index - 1] <= "\u9fff"


class _OneOff:
    """Known (label, field) pairs, found by a word that matches a label but for one character. Indexed by each
    label with one character blanked, so a word costs a lookup per character (this runs on every line)."""

    def __init__(self, known: Sequence[tuple[str, str]]) -> None:
        self._index: dict[str, set[tuple[str, str]]] = {}
        for label, field in known:
            for i in range(len(label)):
                self._index.setdefault(label[:i] + "\0" + label[i + 1 :], set()).add((label, field))

    def fields(self, word: str) -> set[str]:
        return {
            field
            for i in range(len(word))
            for label, field in self._index.get(word[:i] + "\0" + word[i + 1 :], ())
            if label != word
        }


# Four-character date labels by their first two characters, to recognise one OCR misread ("入统日期").
_DATE_LABELS = _OneOff(
    [
        (label[:2], field)
        for field, labels in LABELS.items()
        for label in labels
        if len(label) == 4 and label.endswith(("日期", "时间")) and field != "_stay"
    ]
)
_FUZZY_WEIGHT = 0.8


def _one_field(fields: set[str]) -> str | None:
    """The field when all close labels name one extracted field; None when they name several ("出频日期": 出院日期
    or 出具日期) or a label we do not extract."""
    if fields == _STAY_OR_ITS_DATES:
        return "_stay"  # "佳院时间": 住院, 入院 or 出院时间; only a stay's range is read under it, never one date
    return next(iter(fields)) if len(fields) == 1 and "_other" not in fields else None


_STAY_OR_ITS_DATES = {"_stay", "admission_date", "discharge_date"}


def _fuzzy_date_label(prefix: str) -> str | None:
    """The field of an unknown "XX日期" label whose "XX" differs from known date labels' by one character."""
    return _one_field(_DATE_LABELS.fields(prefix))


def _segments(text: str) -> list[tuple[str, int, int, float]]:
    """Each label in the line with the field it names, the span of its value (from after the label to the next
    label) and a weight (lower for a label read with one wrong character)."""
    labelled: list[tuple[str, int, int, float]] = []
    for match in _LABEL_PATTERN.finditer(text):
        label, weight = _field_of(match.group(0)), _FALLBACK_LABELS.get(match.group(0), 1.0)
        if match.group(0) == "日期" and _cjk_before(text, match.start()):
            # "日期" ending an unknown label: a misread date label ("入统日期"), else not the document's date.
            fuzzy = _fuzzy_date_label(text[match.start() - 2 : match.start()]) if match.start() >= 2 else None
            if fuzzy is None:
                continue
            label, weight = fuzzy, _FUZZY_WEIGHT
        labelled.append((label, match.start(), match.end(), weight))
    labelled += _misread_labels(text, {end for _, _, end, _ in labelled})
    labelled.sort(key=lambda item: item[1])
    segments = []
    for position, (label, _, label_end, weight) in enumerate(labelled):
        end = labelled[position + 1][1] if position + 1 < len(labelled) else len(text)
        start = label_end
        while start < end and text[start] in _SEPARATORS + "）)¥￥":
            start += 1
        unit = _UNIT.match(text, start, end)  # "申请金额（元）103487.00"
        if unit:
            start = unit.end()
        seal = _SEAL_MARK.match(text, start, end) if label == "hospital_name" else None
        if seal:  # "收款单位（章" or "收款单位（康）：": the seal mark misread, after the shorter label
            start = seal.end()
        while end > start and text[end - 1] in _SEPARATORS:
            end -= 1
        segments.append((label, start, end, weight))
    return segments


# Labels of three or four characters, for labels read with one wrong character ("入殿时间："). Not two: one
# wrong character of two makes too many words a label ("小计" would be 小写, a total).
_LONGER_LABELS = _OneOff(
    [
        (label, field)
        for field, labels in LABELS.items()
        for label in labels
        if len(label) in (3, 4) and all("\u4e00" <= c <= "\u9fff" for c in label)
    ]
)
# A label before its colon, or a label alone in its cell (the value in the next cell).
_LABEL_WORD = re.compile(r"[\u4e00-\u9fff]{3,8}(?=[:：])|^[\u4e00-\u9fff]{3,4}$")


def _misread_labels(text: str, label_ends: set[int]) -> list[tuple[str, int, int, float]]:
    """Words before a colon (or alone in their cell) that are a known label with one character misread: the
    field, if only one field's labels are that close (the value must still parse as that field's, e.g. an age or
    a date)."""
    found = []
    for match in _LABEL_WORD.finditer(text):
        if match.end() in label_ends:
            continue  # a label read right
        for length in (4, 3):
            fields = _LONGER_LABELS.fields(match.group(0)[-length:])
            if fields:  # the longest reading decides, also when it is ambiguous
                if (field := _one_field(fields)) is not None:
                    found.append((field, match.end() - length, match.end(), _FUZZY_WEIGHT))
                break
    return found


def _level(quads: np.ndarray) -> np.ndarray:
    """Quads turned by the page's tilt (the median slope of the lines' top edges), so rows are level again:
    on a photo taken at an angle, a label and its value are on one row only after this."""
    if len(quads) == 0:
        return quads
    edge = quads[:, 1] - quads[:, 0]
    long = np.linalg.norm(edge, axis=1) > 2 * np.linalg.norm(quads[:, 3] - quads[:, 0], axis=1)
    if not long.any():
        return quads
    angle = float(np.median(np.arctan2(edge[long, 1], edge[long, 0])))
    cos, sin = np.cos(-angle), np.sin(-angle)
    return quads @ np.array([[cos, sin], [-sin, cos]])


class _Geometry:
    """Line boxes in the upright page, to find the cell right of or below a label."""

    def __init__(self, lines: Sequence[TextLine], orientation: int, width: int, height: int) -> None:
        quads = np.array([ln.box for ln in lines], dtype=np.float64).reshape(-1, 4, 2)
        upright, _, _ = upright_points(quads, orientation, width, height)
        upright = _level(upright)
        self.x0, self.x1 = upright[:, :, 0].min(axis=1), upright[:, :, 0].max(axis=1)
        self.y0, self.y1 = upright[:, :, 1].min(axis=1), upright[:, :, 1].max(axis=1)

    def top_down(self) -> list[int]:
        return [int(i) for i in np.argsort(self.y0, kind="stable")]

    def value_lines_for(self, index: int) -> list[int]:
        """Lines that may hold the value of the label on line ``index``, nearest first: to its right on its row
        (within 12 line heights), then the line below it."""
        height = max(self.y1[index] - self.y0[index], 1.0)
        overlap = np.minimum(self.y1, self.y1[index]) - np.maximum(self.y0, self.y0[index])
        # Right of the label: values printed out of register may overlap the label's end, so the test is that
        # the value starts past the label's middle and ends past its end.
        middle = (self.x0[index] + self.x1[index]) / 2
        right = (overlap > 0.5 * height) & (self.x0 > middle) & (self.x1 > self.x1[index] + 0.5 * height)
        right[index] = False
        gaps = np.where(right, np.maximum(self.x0 - self.x1[index], 0.0), np.inf)
        found = [int(i) for i in np.argsort(gaps, kind="stable") if gaps[i] < 12 * height]
        below = (self.y0 >= self.y1[index] - 0.2 * height) & (self.y0 - self.y1[index] < 1.5 * height)
        below &= (np.minimum(self.x1, self.x1[index]) - np.maximum(self.x0, self.x0[index])) > 0
        if below.any():
            found.append(int(np.argmin(np.where(below, self.y0, np.inf))))
        return found


def best_fields(candidates: dict[str, list[Candidate]], page: int) -> dict[str, ExtractedField]:
    """The best candidate per field as contract fields (diagnoses: every distinct one)."""
    out: dict[str, ExtractedField] = {}
    for name, found in candidates.items():
        if name == "diagnoses":
            values = tuple(dict.fromkeys(c.value for c in found))
            out[name] = ExtractedField(values, max(c.confidence for c in found), page, found[0].box, found[0].text)
        else:
            top = found[0]
            out[name] = ExtractedField(top.value, top.confidence, page, top.box, top.text)
    return out
