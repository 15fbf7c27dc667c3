from decimal import Decimal

import pytest

from claims_datasets.money import amount_in_words, cents, format_figure, to_amount


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("24189.65", "贰万肆仟壹佰捌拾玖元陆角伍分"),
        ("10005.00", "壹万零伍元整"),
        ("100.05", "壹佰元零伍分"),
        ("100.50", "壹佰元伍角整"),
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.60", "陆角整"),
        ("1.00", "壹元整"),
        ("10.00", "壹拾元整"),
        ("1010.10", "壹仟零壹拾元壹角整"),
        ("100000.00", "壹拾万元整"),
        ("1000001.00", "壹佰万零壹元整"),
        ("10010000.00", "壹仟零壹万元整"),
        ("120000300.07", "壹亿贰仟万零叁佰元零柒分"),
        ("3005.08", "叁仟零伍元零捌分"),
        ("150558.26", "壹拾伍万零伍佰伍拾捌元贰角陆分"),
        ("20000.30", "贰万元叁角整"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert amount_in_words(cents(amount)) == words


def test_words_roundtrip_for_many_values() -> None:
    digits = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}

    def parse(text: str) -> int:
        # A small independent parser: sections split at 亿/万, units 仟佰拾, then 元角分.
        yuan_part, rest = text.split("元", 1) if "元" in text else ("", text)
        total = 0
        section = 0
        number = 0
        for ch in yuan_part:
            if ch in digits:
                number = digits[ch]
            elif ch in "拾佰仟":
                section += number * {"拾": 10, "佰": 100, "仟": 1000}[ch]
                number = 0
            elif ch in "万亿":
                total = (total + section + number) * {"万": 10_000, "亿": 100_000_000}[ch]
                section = number = 0
        yuan = total + section + number
        jiao = fen = 0
        for i, ch in enumerate(rest):
            if ch == "角":
                jiao = digits[rest[i - 1]]
            if ch == "分":
                fen = digits[rest[i - 1]]
        return yuan * 100 + jiao * 10 + fen

    import random

    rng = random.Random(1)
    values = (
        [rng.randrange(0, 10**9) for _ in range(3000)] + [10**k for k in range(10)] + [10**k + 5 for k in range(10)]
    )
    for v in values:
        assert parse(amount_in_words(v)) == v, (v, amount_in_words(v))


def test_figures_and_contract_strings() -> None:
    assert to_amount(2418965) == "24189.65"
    assert to_amount(5) == "0.05"
    assert format_figure(2418965) == "24,189.65"
    assert format_figure(2418965, separators=False) == "24189.65"
    assert cents(Decimal("0.1")) == 10
    with pytest.raises(ValueError):
        amount_in_words(-1)
