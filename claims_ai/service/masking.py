"""Masking of personal data (names, ID numbers, phone numbers, bank cards) in logs and responses.

Only the shape stays visible: ``张三`` → ``张*``, ``110101199003071234`` → ``1101**********1234``,
``13812345678`` → ``138****5678``, ``6222020200112233445`` → ``6222***********3445``. Pure functions, no imports
from the rest of the service, so the log formatter can use them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["mask_bank_card", "mask_id_number", "mask_name", "mask_phone", "mask_text"]

# Mainland resident ID (18 characters, last may be X), mobile numbers, and 13-19 digit card numbers.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{4})((?:[ -]?\d){5,11})([ -]?\d{4})(?!\d)")
# "姓名：张三" / "患者姓名 李四" / "Name: Wang Wu": the name after the label.
_NAME_LABEL = re.compile(
    r"((?:患者姓名|病人姓名|姓\s*名|户\s*名|持卡人|患者|病人|Name)\s*[:：]?\s*)"
    r"([\u4e00-\u9fff·]{2,5}|[A-Z][a-z]+ [A-Z][a-z]+)"
)


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_id_number(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_bank_card(value: str | None) -> str | None:
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_text(text: str, names: Iterable[str | None] = ()) -> str:
    """``text`` with ID numbers, phone numbers, card numbers, labelled names and the given ``names`` masked."""
    if not text:
        return text
    for name in names:
        if name and len(name.strip()) >= 2:
            text = text.replace(name.strip(), mask_name(name.strip()) or "")
    text = _ID_NUMBER.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], text)
    text = _PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = _CARD.sub(lambda m: m.group(1) + "*" * len(re.sub(r"\D", "", m.group(2))) + m.group(3)[-4:], text)
    return _NAME_LABEL.sub(lambda m: m.group(1) + (mask_name(m.group(2)) or ""), text)
