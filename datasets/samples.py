"""A few hand-laid sample pages (an inpatient invoice, a discharge record) used by tests and benchmarks.

These are fixed, readable pages with known text; the synthetic corpus generator produces the varied ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from claims_datasets.fonts import cjk_font

__all__ = ["SamplePage", "discharge_record", "inpatient_invoice"]

_RED = (200, 40, 40)
_INK = (25, 25, 30)


@dataclass(frozen=True)
class SamplePage:
    image: Image.Image
    expected: dict[str, str]  # field → text that must appear among the OCR lines


def inpatient_invoice(width: int = 1654, height: int = 1169) -> SamplePage:
    """A provincial inpatient receipt (A5 landscape at 200 DPI): red ruled form, values printed over it."""
    page = Image.new("RGB", (width, height), (250, 249, 244))
    draw = ImageDraw.Draw(page)
    s = width / 1654
    title = "贵州省医疗住院收费票据（电子）"
    font = cjk_font(round(52 * s), "sans_bold")
    tw = draw.textlength(title, font=font)
    draw.text(((width - tw) / 2, 60 * s), title, fill=_RED, font=font)
    body = cjk_font(round(34 * s))
    value = cjk_font(round(34 * s), "serif")
    left, top, right = 90 * s, 190 * s, width - 90 * s
    rows = [
        ("票据代码：52060121", "票据号码：0012345678"),
        ("交款人：张秀英", "住院号：ZY20201217"),
        ("住院时间：20201217|20201223", "住院天数：6"),
        ("医疗机构：遵义医科大学附属医院", "开票日期：2020-12-23"),
    ]
    y = top
    for a, b in rows:
        draw.text((left + 10 * s, y + 12 * s), a, fill=_INK, font=value)
        draw.text((width / 2 + 10 * s, y + 12 * s), b, fill=_INK, font=value)
        draw.line([(left, y), (right, y)], fill=_RED, width=max(1, round(2 * s)))
        y += 70 * s
    charges = [
        ("床位费", "600.00"),
        ("检查费", "3,250.00"),
        ("化验费", "1,820.40"),
        ("西药费", "12,469.25"),
        ("治疗费", "2,150.00"),
        ("卫生材料费", "3,900.00"),
    ]
    for i, (name, amount) in enumerate(charges):
        col, row = divmod(i, 3)
        x = left + 10 * s + col * (right - left) / 2
        yy = y + 12 * s + row * 62 * s
        draw.text((x, yy), f"{name}  {amount}", fill=_INK, font=value)
    y += 3 * 62 * s + 20 * s
    draw.line([(left, y), (right, y)], fill=_RED, width=max(1, round(2 * s)))
    draw.text((left + 10 * s, y + 14 * s), "合计（大写）贰万肆仟壹佰捌拾玖元陆角伍分", fill=_INK, font=value)
    draw.text((left + 10 * s, y + 80 * s), "（小写）24,189.65", fill=_INK, font=value)
    draw.text((width / 2 + 10 * s, y + 80 * s), "医保统筹基金支付：15,723.27", fill=_INK, font=body)
    draw.line([(left, top), (left, y + 140 * s)], fill=_RED, width=max(1, round(2 * s)))
    draw.line([(right, top), (right, y + 140 * s)], fill=_RED, width=max(1, round(2 * s)))
    draw.line([(left, y + 140 * s), (right, y + 140 * s)], fill=_RED, width=max(1, round(2 * s)))
    return SamplePage(
        image=page,
        expected={
            "title": "住院收费票据",
            "hospital_name": "遵义医科大学附属医院",
            "total_amount": "24,189.65",
            "issue_date": "2020-12-23",
            "stay": "20201217",
        },
    )


def discharge_record(width: int = 1654, height: int = 2339) -> SamplePage:
    """An A4 出院记录 at 200 DPI: title, patient line, diagnosis sections."""
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    s = width / 1654
    title_font = cjk_font(round(56 * s), "sans_bold")
    body = cjk_font(round(36 * s))
    for text, yy, font in (("贵州医科大学附属医院", 120, title_font), ("出院记录", 200, title_font)):
        tw = draw.textlength(text, font=font)
        draw.text(((width - tw) / 2, yy * s), text, fill=_INK, font=font)
    lines = [
        "姓名：王建国    性别：男    年龄：52岁    科别：普外科    住院号：1234567",
        "入院日期：2019年12月3日    出院日期：2019年12月17日",
        "入院诊断：甲状腺结节",
        "出院诊断：甲状腺乳头状癌 pT1bN0M0",
        "诊疗经过：患者入院后完善相关检查，于全麻下行甲状腺右叶切除术，",
        "术后病理示甲状腺乳头状癌，术后恢复良好。",
        "出院医嘱：1. 定期复查甲状腺功能；2. 不适随诊。",
    ]
    y = 340 * s
    for line in lines:
        draw.text((130 * s, y), line, fill=_INK, font=body)
        y += 78 * s
    return SamplePage(
        image=page,
        expected={
            "title": "出院记录",
            "diagnosis": "甲状腺乳头状癌",
            "discharge_date": "2019年12月17日",
        },
    )
