"""Amounts: the two-decimal contract string, the printed figure with separators, and the amount in words (大写)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["amount_in_words", "cents", "format_figure", "to_amount"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def to_amount(cents_value: int) -> str:
    """The contract form of an amount: ``2418965`` cents → ``"24189.65"``."""
    sign = "-" if cents_value < 0 else ""
    whole, frac = divmod(abs(cents_value), 100)
    return f"{sign}{whole}.{frac:02d}"


def cents(amount: str | Decimal) -> int:
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_figure(cents_value: int, separators: bool = True) -> str:
    """As printed in figures: ``24,189.65`` (or ``24189.65``)."""
    whole, frac = divmod(abs(cents_value), 100)
    body = f"{whole:,}" if separators else str(whole)
    return f"{'-' if cents_value < 0 else ''}{body}.{frac:02d}"


def _four_digits(n: int) -> str:
    """0 < n < 10000 in words, with 零 for inner gaps (1005 → 壹仟零伍)."""
    out = []
    zero_pending = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def amount_in_words(cents_value: int) -> str:
    """The 大写 form used on Chinese invoices, e.g. 2418965 → 贰万肆仟壹佰捌拾玖元陆角伍分.

    Conventions: ``整`` after 元 or 角 when no 分 follows; 零 for gaps between groups (壹万零伍元整) and for a
    zero 角 followed by 分 (壹佰元零伍分); zero is 零元整.
    """
    if cents_value < 0:
        raise ValueError("negative amounts have no 大写 form here")
    yuan, rest = divmod(cents_value, 100)
    jiao, fen = divmod(rest, 10)
    words = []
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        if len(groups) > len(_GROUP_UNITS):
            raise ValueError("amount too large")
        text = ""
        zero_pending = False
        for idx in range(len(groups) - 1, -1, -1):
            g = groups[idx]
            if g == 0:
                zero_pending = bool(text)
                continue
            if text and (zero_pending or g < 1000):
                text += "零"
            text += _four_digits(g) + _GROUP_UNITS[idx]
            zero_pending = False
        words.append(text + "元")
    if jiao:
        words.append(_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            words.append("零")
        words.append(_DIGITS[fen] + "分")
    if not yuan and not jiao and not fen:
        return "零元整"
    if not fen:
        words.append("整")
    return "".join(words)
