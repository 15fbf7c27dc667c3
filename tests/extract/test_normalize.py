"""Normalisers for amounts, amounts in words, dates, date ranges, ID numbers and TNM stages."""

from __future__ import annotations

import random

import pytest

from claims_ai.extract.normalize import (
    parse_amount,
    parse_amount_words,
    parse_date,
    parse_date_range,
    parse_id_number,
    parse_tnm,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(小写)24,189.65", "24189.65"),
        ("(小写3.391.75", "3391.75"),  # a thousands comma read as a point
        ("1.234.567.89", "1234567.89"),
        ("41;640.15", "41640.15"),
        ("102,494,60", "102494.60"),  # the decimal point read as a comma after a thousands group
        ("160060·44", "160060.44"),  # a handwritten point read as a middle dot
        ("21898..41", "21898.41"),  # a point read twice
        ("费用合计：46,298;32", "46298.32"),  # the point read as a semicolon
        ("费用合计：209,09846", "209098.46"),  # the point lost after a thousands group
        ("（小写）￥24,189.65", "24189.65"),
        ("¥ 1,234,567.8", "1234567.80"),
        ("合计：600", "600.00"),
        ("24189.65元", "24189.65"),
        ("医保统筹基金支付：15,723.27", "15723.27"),
        ("24 189.65", "24189.65"),
        ("２４１８９．６５", "24189.65"),
        ("1O,5OO.00", "10500.00"),  # OCR read zeros as O
        ("0.50", "0.50"),
    ],
)
def test_amounts(text: str, expected: str) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "金额", "24,18.65", "床位费"])
def test_not_amounts(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("贰万肆仟壹佰捌拾玖元陆角伍分", "24189.65"),
        ("合计（大写）贰万肆仟壹佰捌拾玖元陆角伍分", "24189.65"),
        ("人民币壹万零伍元整", "10005.00"),
        ("壹佰元整", "100.00"),
        ("拾元整", "10.00"),
        ("壹拾贰元伍角", "12.50"),
        ("叁元零伍分", "3.05"),
        ("伍角", "0.50"),
        ("捌分", "0.08"),
        ("壹亿贰仟万元整", "120000000.00"),
        ("玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分", "99999999.99"),
        ("壹仟零壹拾元零壹分", "1010.01"),
        ("贰拾万元正", "200000.00"),
        ("陆圆", "6.00"),
    ],
)
def test_amount_words(text: str, expected: str) -> None:
    assert parse_amount_words(text) == expected


@pytest.mark.parametrize("text", ["", "整", "出院记录", "贰万肆仟ABC元", "壹元柒"])
def test_not_amount_words(text: str) -> None:
    assert parse_amount_words(text) is None


def test_amount_words_round_trip_with_the_generator() -> None:
    from claims_datasets.money import amount_in_words

    rng = random.Random(3)
    values = [0, 1, 10, 100, 101, 1000, 1001, 10000, 10010, 100000, 100001] + [
        rng.randrange(1, 10**9) for _ in range(500)
    ]
    for value in values:
        expected = f"{value // 100}.{value % 100:02d}"
        assert parse_amount_words(amount_in_words(value)) == expected, (value, amount_in_words(value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("开票日期：2020-12-23", "2020-12-23"),
        ("2020/12/3", "2020-12-03"),
        ("2020.12.23", "2020-12-23"),
        ("2020年12月23日", "2020-12-23"),
        ("2020 年 1 月 5 日", "2020-01-05"),
        ("20201223", "2020-12-23"),
        ("2019年12月", "2019-12"),
        ("确诊于2019年12月。", "2019-12"),
        ("２０２０－１２－２３", "2020-12-23"),
        ("入院时间：2024年06.月02日16时30分", "2024-06-02"),  # a speck read as a dot on a photo
        ("申请日期：222年04月15日", "2022-04-15"),  # a digit of the year lost: only 2022 fits
        ("219年1月2日", "2019-01-02"),
        ("打印日期：022/07/30", "2022-07-30"),  # the year's first digit off the slip's edge
        ("220-01-15", "2020-01-15"),
        ("开票日期：120200126", "2020-01-26"),  # a table rule read as "1" before it
        ("开具日期:2020年12月.08日", "2020-12-08"),  # a speck after 月
        ("2023.11:30", "2023-11-30"),  # a dot read as a colon
        ("2019,06.15", "2019-06-15"),  # the year's point read as a comma
        ("2024-0618", "2024-06-18"),  # the separator before the day lost
        ("开票日期202201-21", "2022-01-21"),  # the separator after the year lost
        ("201912.14", "2019-12-14"),
        ("申请日期：2020年1228日", "2020-12-28"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    # "202年": 2002 or 2020-2029, so no year can be told
    [
        "",
        "2020-13-45",
        "20201345",
        "住院号：1234567",
        "2020年13月",
        "202年04月15日",
        "201年3月1日",
        "住院222天",
        "住院号：320201223",  # only a 1 (a table rule) may stand before a date's digits
        "202/07/30",
        "122.07.30",  # a three-digit year is 0xx or 2xx
        "0.022.07.30",
    ],
)
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("201912.14至2019.12.26", ("2019-12-14", "2019-12-26")),
        ("住院时间：20201217|20201223", ("2020-12-17", "2020-12-23")),
        ("2023053120230605", ("2023-05-31", "2023-06-05")),  # the bar between them lost
        ("2021-01-10-2021-01-16", ("2021-01-10", "2021-01-16")),
        ("2020年12月17日至2020年12月23日", ("2020-12-17", "2020-12-23")),
        ("2020.12.17—2020.12.23", ("2020-12-17", "2020-12-23")),
        ("住院时间2024-05-29-2024-0618", ("2024-05-29", "2024-06-18")),
        ("2020.01.08至2020:01.28", ("2020-01-08", "2020-01-28")),
    ],
)
def test_date_ranges(text: str, expected: tuple[str, str]) -> None:
    assert parse_date_range(text) == expected


def test_date_range_must_run_forward() -> None:
    assert parse_date_range("20201223|20201217") is None
    assert parse_date_range("20201217") is None


def test_id_numbers() -> None:
    valid = parse_id_number("身份证号：11010519491231002X")
    assert valid is not None and valid.valid and not valid.masked
    assert valid.birth_date == "1949-12-31" and valid.gender == "女"
    wrong = parse_id_number("110105194912310021")
    assert wrong is not None and wrong.valid is False
    masked = parse_id_number("520102********1234")
    assert masked is not None and masked.masked and masked.valid is None and masked.birth_date is None
    assert parse_id_number("电话 13800138000") is None


@pytest.mark.parametrize(
    ("text", "prefix", "t", "n", "m"),
    [
        ("甲状腺乳头状癌 pT1bN0M0", "p", "T1b", "N0", "M0"),
        ("T1aN0M0", "", "T1a", "N0", "M0"),
        ("pT1bN0Mx", "p", "T1b", "N0", "Mx"),
        ("pT2 N1a M0", "p", "T2", "N1a", "M0"),
        ("TisN0M0", "", "Tis", "N0", "M0"),
        ("ypT3N2M0", "yp", "T3", "N2", "M0"),
        ("T1N0", "", "T1", "N0", None),
        ("pTNM:pT3NOM0", "p", "T3", "N0", "M0"),  # OCR's O for 0 and l for 1, under a staging label
        ("pTNM分期:pTlcN0M1", "p", "T1c", "N0", "M1"),
        ("pTNM：pTisN0M0", "p", "Tis", "N0", "M0"),
    ],
)
def test_tnm(text: str, prefix: str, t: str, n: str | None, m: str | None) -> None:
    stage = parse_tnm(text)
    assert stage is not None
    assert (stage.prefix, stage.t, stage.n, stage.m) == (prefix, t, n, m)


@pytest.mark.parametrize("text", ["", "T2加权像", "胸椎T12", "出院诊断：甲状腺结节", "TOMOGRAPHY"])
def test_not_tnm(text: str) -> None:
    assert parse_tnm(text) is None


def test_amount_digits_and_same_hospital() -> None:
    from claims_ai.extract.normalize import amount_digits, same_hospital

    assert amount_digits("(小写)¥1,115:70") == amount_digits("1115.70") == "111570"
    assert same_hospital("贵州医科大学附属医院", "贵州医科大学附属医院收费专用章")
    assert not same_hospital("贵州医科大学附属医院", "遵义医科大学附属医院")
