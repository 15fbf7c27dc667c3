"""Pages that are not claim materials but that members upload by mistake (DocType ``other``).

- ``vat_einvoice_goods``: 电子发票（普通发票）, the full-digital VAT invoice of a shop selling goods (born digital).
- ``vat_invoice_paper`` / ``vat_einvoice_old``: 增值税普通发票 on the pre-printed form (values printed over it)
  and its older electronic twin 增值税电子普通发票 (密码区, 机器编号, seller's 发票专用章).
- ``shop_receipt``: narrow thermal slip of a supermarket, convenience store or retail pharmacy.
- ``restaurant_bill``: 结账单 of a restaurant, on the same thermal paper.
- ``taxi_receipt``: 出租汽车发票, a pre-printed ticket filled in by the taximeter.
- ``room_photo`` / ``desk_photo``: a phone picture of a room or a desk with little text (``scenes.py``).

None of them carries contract fields: only text lines and seals are recorded, so an ``other`` page can never
satisfy a required material.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from claims_datasets.canvas import Canvas, Printer, RenderedPage
from claims_datasets.content import PROVINCES, ClaimContent
from claims_datasets.layouts.common import BLUE_FORM, BROWN_FORM, RED_FORM, date_cn, paper_colour, random_printer
from claims_datasets.layouts.scenes import desk_photo, room_photo
from claims_datasets.money import amount_in_words, format_figure
from claims_datasets.schema import DocType

__all__ = ["NONCLAIM_LAYOUTS", "SCENE_LAYOUTS", "credit_code", "render_nonclaim"]

# Generic shop words (not brands) and what the shops sell.
_WORDS = (
    "鑫源",
    "恒泰",
    "佳宜",
    "盛达",
    "福顺",
    "安康",
    "众诚",
    "宏远",
    "天合",
    "优品",
    "惠民",
    "康乐",
    "金禾",
    "万家",
)
_PLATES = {
    "贵州": "贵",
    "四川": "川",
    "湖南": "湘",
    "湖北": "鄂",
    "浙江": "浙",
    "江苏": "苏",
    "广东": "粤",
    "山东": "鲁",
    "河南": "豫",
    "河北": "冀",
    "安徽": "皖",
    "福建": "闽",
    "江西": "赣",
    "云南": "云",
    "陕西": "陕",
    "广西": "桂",
}
# VAT invoice goods: (tax category, name, spec, unit, price range in yuan incl. tax, rate %).
_GOODS = (
    ("日用杂品", "抽纸", "3层130抽*10包", "提", 15, 40, 13),
    ("日用杂品", "洗衣液", "3kg", "瓶", 39, 89, 13),
    ("日用杂品", "保温杯", "500ml", "个", 59, 199, 13),
    ("家用电器", "电饭煲", "4L", "台", 199, 699, 13),
    ("家用电器", "空气净化器", "KJ400", "台", 899, 2999, 13),
    ("家用电器", "电热水壶", "1.7L", "台", 69, 199, 13),
    ("纸制品", "复印纸", "A4 70g", "箱", 120, 220, 13),
    ("计算机配套产品", "无线鼠标", "M330", "个", 59, 199, 13),
    ("计算机配套产品", "键盘", "K845", "个", 199, 599, 13),
    ("服装", "羽绒服", "XL", "件", 399, 1299, 13),
    ("纺织产品", "床上四件套", "1.8m", "套", 199, 599, 13),
    ("家具", "办公椅", "", "把", 299, 1299, 13),
    ("乳制品", "纯牛奶", "250ml*24", "箱", 55, 89, 9),
    ("谷物", "大米", "10kg", "袋", 49, 99, 9),
    ("食用植物油", "花生油", "5L", "桶", 89, 169, 9),
    ("体育用品", "瑜伽垫", "6mm", "张", 59, 159, 13),
)
# Thermal-slip shops: name patterns and items (name, price range in yuan, sold by weight).
_SHOPS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, float, float, bool], ...]]] = {
    "supermarket": (
        ("{word}超市（{city}店）", "{word}生活超市", "{city}{word}购物广场"),
        (
            ("饮用天然水550ml", 1.5, 2.5, False),
            ("纯牛奶250ml*12", 39, 65, False),
            ("鸡蛋(散装)", 5.8, 8.8, True),
            ("富士苹果", 6.8, 12.8, True),
            ("香蕉", 3.9, 6.9, True),
            ("五花肉", 14.8, 26.8, True),
            ("挂面1kg", 6.5, 12.9, False),
            ("生抽酱油500ml", 7.9, 15.9, False),
            ("抽纸3层*10包", 19.9, 39.9, False),
            ("洗洁精1.5kg", 9.9, 19.9, False),
            ("原味酸奶200g", 4.5, 8.8, False),
            ("全麦面包", 7.9, 14.8, False),
            ("西红柿", 3.5, 7.8, True),
            ("土豆", 1.9, 3.8, True),
            ("可乐330ml", 2.5, 3.5, False),
            ("薯片70g", 6.5, 9.9, False),
        ),
    ),
    "convenience": (
        ("{word}便利店", "{word}24小时便利店", "{word}便利（{city}店）"),
        (
            ("矿泉水550ml", 2, 3, False),
            ("关东煮", 2, 4, False),
            ("金枪鱼饭团", 6.5, 8.5, False),
            ("拿铁咖啡", 9.9, 16, False),
            ("口香糖", 6, 12, False),
            ("三明治", 9.9, 15.9, False),
            ("茶饮料500ml", 3.5, 5, False),
            ("纸巾", 1, 3, False),
        ),
    ),
    "pharmacy": (
        ("{word}大药房（{city}店）", "{city}{word}医药连锁", "{word}平价大药房"),
        (
            ("医用外科口罩10只", 9.9, 19.8, False),
            ("创可贴100片", 12, 25, False),
            ("维生素C咀嚼片", 19.8, 45, False),
            ("板蓝根颗粒10g*20袋", 12, 22, False),
            ("感冒灵颗粒10g*9袋", 13, 19.8, False),
            ("碘伏消毒液100ml", 5, 12, False),
            ("医用棉签", 3, 8, False),
            ("电子体温计", 19.9, 49, False),
            ("钙片60片", 39, 98, False),
            ("润喉糖", 8, 15, False),
        ),
    ),
    "restaurant": (
        ("{word}饭店", "{city}{word}酒家", "{word}川菜馆", "{word}家常菜"),
        (
            ("宫保鸡丁", 32, 48, False),
            ("鱼香肉丝", 28, 38, False),
            ("麻婆豆腐", 18, 28, False),
            ("酸菜鱼", 58, 88, False),
            ("红烧肉", 42, 68, False),
            ("清炒时蔬", 16, 26, False),
            ("番茄蛋汤", 15, 22, False),
            ("凉拌黄瓜", 12, 18, False),
            ("回锅肉", 32, 46, False),
            ("米饭", 2, 3, False),
            ("啤酒", 8, 15, False),
            ("酸梅汤", 6, 12, False),
        ),
    ),
}
_PAY = ("微信支付", "支付宝", "现金", "银联卡")
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(rng: random.Random) -> str:
    """A fictitious 18-character 统一社会信用代码 with a valid GB 32100 check character."""
    body = "91" + f"{rng.randint(110000, 659999)}" + "".join(rng.choice(_CODE_CHARS) for _ in range(9))
    total = sum(_CODE_CHARS.index(ch) * w for ch, w in zip(body, _CODE_WEIGHTS, strict=True))
    return body + _CODE_CHARS[(31 - total % 31) % 31]


def _city(content: ClaimContent) -> str:
    """The hospital's city (a provincial hospital stands in the province's capital, listed first)."""
    hospital = content.stay.hospital
    return hospital.city or PROVINCES[hospital.province][1][0]


def _phone(rng: random.Random) -> str:
    return f"0{rng.randint(100, 999)}-{rng.randint(10**7, 10**8 - 1)}"


def _company(rng: random.Random, content: ClaimContent) -> str:
    kind = rng.choice(("商贸", "电器", "百货", "日用品", "科技", "家居用品"))
    return f"{_city(content)}{rng.choice(_WORDS)}{kind}有限公司"


def _day(rng: random.Random, content: ClaimContent) -> dt.date:
    """A day near the claim's stay (the member was shopping or travelling around then)."""
    return content.stay.admission_date + dt.timedelta(days=rng.randint(-60, 60))


@dataclass(frozen=True)
class _Row:
    name: str
    spec: str
    unit: str
    qty: int
    price: str  # tax-exclusive unit price as printed (up to 8 decimals)
    amount: int  # tax-exclusive cents
    rate: int
    tax: int


def _goods(rng: random.Random) -> list[_Row]:
    """Goods rows whose tax-inclusive sums are whole cents: amount + tax = unit price incl. tax × quantity."""
    small = rng.random() < 0.3  # small-scale taxpayers print 1% or 3% 征收率
    rows = []
    for cat, name, spec, unit, low, high, rate in rng.sample(_GOODS, rng.randint(1, 5)):
        rate = rng.choice((1, 3)) if small else rate
        qty = rng.choice((1, 1, 1, 2, 3, 5, 10))
        gross = round(rng.uniform(low, high)) * 100 * qty
        amount = round(gross * 100 / (100 + rate))
        price = f"{amount / 100 / qty:.8f}".rstrip("0").rstrip(".")
        rows.append(_Row(f"*{cat}*{name}", spec, unit, qty, price, amount, rate, gross - amount))
    return rows


def _vertical(c: Canvas, x: float, y0: float, y1: float, text: str, size: int, color: tuple[int, int, int]) -> None:
    """Characters stacked in a narrow cell (购买方/销售方/密码区); each character is its own text line."""
    step = (y1 - y0) / len(text)
    for i, ch in enumerate(text):
        c.text((x, y0 + step * (i + 0.5)), ch, size, color=color, anchor="mm")


def _party(c: Canvas, x: float, y: float, size: int, values: list[str], color: tuple[int, int, int]) -> None:
    """Buyer or seller lines: 名称, 纳税人识别号 (and, on the old form, 地址、电话 and 开户行及账号)."""
    labels: tuple[str, ...] = ("名称：", "纳税人识别号：", "地址、电话：", "开户行及账号：")
    if len(values) == 2:
        labels = ("名称：", "统一社会信用代码/纳税人识别号：")
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        box = c.text((x, y + i * (size + 12)), label, size - 2, color=color)
        if value:
            c.value((box[2] + 6, y + i * (size + 12) - 1), value, size)


def _buyer(rng: random.Random, content: ClaimContent) -> tuple[str, str]:
    if rng.random() < 0.6:
        return content.person.name, ""  # a private buyer prints only the name
    return _company(rng, content), credit_code(rng)


def _table(
    c: Canvas,
    rows: list[_Row],
    cols: list[int],
    top: float,
    bottom: float,
    size: int,
    color: tuple[int, int, int],
    heads: tuple[str, ...],
) -> None:
    """Goods table: header, one line per row, then the 合计 line with summed amount and tax."""
    for x0, x1, head in zip(cols, cols[1:], heads, strict=False):
        c.text(((x0 + x1) / 2, top + 8), head, size - 2, color=color, anchor="ma")
    y = top + 44
    for r in rows:
        cells = (r.name, r.spec, r.unit, str(r.qty), r.price, format_figure(r.amount, False), f"{r.rate}%")
        for i, text in enumerate((*cells, format_figure(r.tax, False))):
            if not text:
                continue
            if i < 3:
                c.value((cols[i] + 8, y), text, size - 2)
            else:
                c.value((cols[i + 1] - 8, y), text, size - 2, anchor="ra")
        y += size + 14
    amount, tax = sum(r.amount for r in rows), sum(r.tax for r in rows)
    c.text((cols[0] + 60, bottom - size - 12), "合      计", size - 2, color=color)
    c.value((cols[6] - 8, bottom - size - 12), f"¥{format_figure(amount, False)}", size - 2, anchor="ra")
    c.value((cols[8] - 8, bottom - size - 12), f"¥{format_figure(tax, False)}", size - 2, anchor="ra")


def _total_words(
    c: Canvas, rows: list[_Row], x: float, right: float, y: float, size: int, color: tuple[int, int, int]
) -> None:
    total = sum(r.amount + r.tax for r in rows)
    c.text((x, y), "价税合计（大写）", size - 2, color=color)
    c.value((x + 9 * size, y), f"⊗{amount_in_words(total)}", size)
    c.text((right - 330, y), "（小写）", size - 2, color=color)
    c.value((right - 330 + 4.2 * size, y), f"¥{format_figure(total, False)}", size)


def _vat_einvoice(content: ClaimContent, rng: random.Random) -> Canvas:
    """The full-digital 电子发票（普通发票）: QR code, tax-bureau seal, buyer/seller boxes, no 密码区."""
    w = 1400
    form = BROWN_FORM
    c = Canvas(w, 900, rng, paper=(254, 254, 252), printer=Printer(face=rng.choice(("song", "hei")), strength=1.0))
    day = _day(rng, content)
    number = f"{day.year % 100:02d}{content.stay.hospital.code_prefix}{rng.randint(0, 10**16 - 1):016d}"
    c.qr((50, 30), f"01,32,,{number},{day:%Y%m%d}", 120)
    c.centered(48, "电子发票（普通发票）", 44, face="song_bold", color=form)
    c.rule(w / 2 - 230, 108, w / 2 + 230, 108, form, 2)
    c.rule(w / 2 - 230, 114, w / 2 + 230, 114, form, 2)
    province = content.stay.hospital.province
    c.seal((w / 2, 70), 46, "全国统一发票监制", f"国家税务总局{province}省税务局", oval=True, star=False)
    c.text((w - 420, 50), "发票号码：", 22, color=form)
    c.value((w - 310, 50), number, 22)
    c.text((w - 420, 86), "开票日期：", 22, color=form)
    c.value((w - 310, 86), date_cn(day), 22)
    left, right, top = 40, w - 40, 160
    mid = w / 2
    c.grid(left, top, [left, left + 40, mid, mid + 40, right], [top, top + 110], form, 2)
    _vertical(c, left + 20, top + 5, top + 105, "购买方信息", 18, form)
    _vertical(c, mid + 20, top + 5, top + 105, "销售方信息", 18, form)
    _party(c, left + 55, top + 25, 22, list(_buyer(rng, content)), form)
    _party(c, mid + 55, top + 25, 22, [_company(rng, content), credit_code(rng)], form)
    rows = _goods(rng)
    table_top = top + 110
    bottom = table_top + 44 + max(4, len(rows)) * 36 + 50
    cols = [left, 390, 560, 630, 720, 900, 1080, 1180, right]
    c.rect((left, table_top, right, bottom), form)
    heads = ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")
    _table(c, rows, cols, table_top, bottom, 22, form, heads)
    c.grid(left, bottom, [left, right], [bottom, bottom + 56, bottom + 130], form, 2)
    _total_words(c, rows, left + 12, right, bottom + 16, 22, form)
    c.text((left + 12, bottom + 70), "备", 20, color=form)
    c.text((left + 12, bottom + 98), "注", 20, color=form)
    if rng.random() < 0.6:
        c.value((left + 60, bottom + 82), f"订单号：{rng.randint(10**11, 10**12 - 1)}", 20)
    c.text((left + 80, bottom + 150), "开票人：", 22, color=form)
    c.value((left + 170, bottom + 150), rng.choice(("张丽", "王芳", "李娜", "刘洋", "陈静")), 22)
    c.crop_height(int(bottom + 200))
    return c


def _vat_form(content: ClaimContent, rng: random.Random, *, electronic: bool) -> Canvas:
    """增值税普通发票: 发票代码/号码, 密码区, goods grid, 价税合计, seller block, 发票专用章 of the seller."""
    w = 1500
    form = BROWN_FORM if electronic else rng.choice((BROWN_FORM, BLUE_FORM))
    printer = (
        Printer(face="song", strength=1.0)
        if electronic
        else random_printer(rng, dot_matrix_share=0.3)  # most shops print invoices on a laser or needle printer
    )
    c = Canvas(w, 1000, rng, paper=(254, 254, 252) if electronic else paper_colour(rng), printer=printer)
    province = content.stay.hospital.province
    title = f"{province}增值税{'电子' if electronic else ''}普通发票"
    c.centered(40, title, 44, face="song_bold", color=form)
    c.seal((w / 2, 70), 50, "全国统一发票监制章", "国家税务总局监制", oval=True, star=False)
    if not electronic:
        c.centered(100, "发 票 联", 26, face="song_bold", color=form)
    day = _day(rng, content)
    code = f"0{content.stay.hospital.code_prefix}00{rng.randint(0, 10**7 - 1):07d}"[:12]
    c.text((60, 40), "发票代码：", 22, color=form)
    c.value((170, 38), code, 22)
    c.text((w - 380, 40), "No", 26, color=form, face="hei_bold")
    c.value((w - 330, 36), f"{rng.randint(0, 10**8 - 1):08d}", 28, printer=Printer(color=(200, 30, 30), face="mono"))
    c.text((w - 380, 90), "开票日期：", 22, color=form)
    c.value((w - 270, 88), date_cn(day), 22)
    c.text((60, 90), "机器编号：", 22, color=form)
    c.value((170, 88), f"{rng.randint(10**11, 10**12 - 1)}", 22)
    c.text((60, 126), "校 验 码：", 22, color=form)
    c.value((170, 124), " ".join(f"{rng.randint(0, 99999):05d}" for _ in range(4)), 22)
    left, right, top = 60, w - 60, 170
    buyer_bottom = top + 140
    cols = [left, 440, 590, 660, 760, 940, 1140, 1230, right]
    goods_bottom = buyer_bottom + 250
    sums_bottom = goods_bottom + 56
    seller_bottom = sums_bottom + 140
    c.rect((left, top, right, seller_bottom), form)
    for y in (buyer_bottom, goods_bottom, sums_bottom):
        c.rule(left, y, right, y, form)
    for x in (left + 40, 900, 940):
        c.rule(x, top, x, buyer_bottom, form)
        c.rule(x, sums_bottom, x, seller_bottom, form)
    _vertical(c, left + 20, top + 5, buyer_bottom - 5, "购买方", 20, form)
    _vertical(c, left + 20, sums_bottom + 5, seller_bottom - 5, "销售方", 20, form)
    _vertical(c, 920, top + 5, buyer_bottom - 5, "密码区", 20, form)
    _vertical(c, 920, sums_bottom + 5, seller_bottom - 5, "备注", 20, form)
    _party(c, left + 55, top + 12, 22, [*_buyer(rng, content), "", ""], form)
    seller = _company(rng, content)
    city = _city(content)
    seller_lines = [
        seller,
        credit_code(rng),
        f"{city}市{rng.choice(_WORDS)}路{rng.randint(1, 300)}号 {_phone(rng)}",
        f"{rng.choice(('中国工商银行', '中国建设银行', '中国农业银行'))}{city}{rng.choice(_WORDS)}支行 "
        f"{rng.randint(10**15, 10**16 - 1)}",
    ]
    _party(c, left + 55, sums_bottom + 12, 22, seller_lines, form)
    mono = dataclasses.replace(printer, face="mono")
    for i in range(4):
        cipher = "".join(rng.choice("0123456789+-*/<>") for _ in range(27))
        c.value((955, top + 12 + i * 31), cipher, 22, printer=mono)
    for x in cols[1:-1]:
        c.rule(x, buyer_bottom, x, goods_bottom, form, 1)
    heads = ("货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额")
    rows = _goods(rng)
    _table(c, rows, cols, buyer_bottom, goods_bottom, 22, form, heads)
    _total_words(c, rows, left + 12, right, goods_bottom + 16, 22, form)
    y = seller_bottom + 16
    for x, label in (
        (left + 20, "收款人："),
        (left + 380, "复核："),
        (left + 700, "开票人："),
        (left + 1040, "销售方：（章）"),
    ):
        c.text((x, y), label, 22, color=form)
    c.value((left + 790, y - 2), rng.choice(("张丽", "王芳", "李娜", "刘洋", "陈静")), 22)
    c.seal(
        (rng.randint(1050, 1300), seller_bottom - rng.randint(-20, 60)),
        rng.randint(58, 66),
        seller,
        "发票专用章",
        oval=True,
        star=False,
    )
    c.crop_height(int(seller_bottom + 70))
    return c


def _thermal(content: ClaimContent, rng: random.Random, kind: str) -> Canvas:
    """A narrow thermal slip (80 mm): shop header, item lines, 合计, 支付方式 and time; grey, faded print."""
    names, catalogue = _SHOPS[kind]
    shop = rng.choice(names).format(word=rng.choice(_WORDS), city=_city(content))
    grey = rng.randint(40, 110)
    printer = Printer(face="mono", color=(grey, grey, grey + 5), strength=rng.uniform(0.6, 0.9))
    w, fs = 576, 24
    tone = rng.randint(244, 252)
    c = Canvas(w, 2200, rng, paper=(tone, tone, tone), printer=printer)
    y = 30.0
    bold = Printer(face="hei_bold", color=printer.color, strength=printer.strength)
    c.value((w / 2, y), shop, 32, anchor="ma", printer=bold)
    y += 56
    if kind == "restaurant":
        c.value((w / 2, y), "结 账 单", 28, anchor="ma", printer=bold)
        y += 46
    when = dt.datetime.combine(_day(rng, content), dt.time(rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59)))
    header = [f"单号：{when:%Y%m%d}{rng.randint(1, 9999):04d}", f"收银员：{rng.randint(1, 30):03d}"]
    if kind == "restaurant":
        header = [f"桌号：{rng.choice('ABC')}{rng.randint(1, 30)}", f"人数：{rng.randint(1, 8)}", *header]
    header.append(f"时间：{when:%Y-%m-%d %H:%M:%S}")
    for line in header:
        c.value((24, y), line, fs)
        y += fs + 12
    y = _dashes(c, y, w)
    c.value((24, y), "品名", fs)
    c.value((330, y), "数量", fs, anchor="ra")
    c.value((440, y), "单价", fs, anchor="ra")
    c.value((w - 24, y), "金额", fs, anchor="ra")
    y += fs + 12
    total = 0
    count = 0
    for name, low, high, by_weight in rng.sample(catalogue, rng.randint(2, min(9, len(catalogue)))):
        price = round(rng.uniform(low, high) * 10) * 10
        qty = round(rng.uniform(0.3, 2.5), 3) if by_weight else rng.choice((1, 1, 1, 2, 3))
        amount = round(price * qty)
        total += amount
        count += 1
        if len(name) > 7:  # long names go on their own line, figures below
            c.value((24, y), name, fs)
            y += fs + 8
        else:
            c.value((24, y), name, fs)
        c.value((330, y), f"{qty:g}", fs, anchor="ra")
        c.value((440, y), format_figure(price, False), fs, anchor="ra")
        c.value((w - 24, y), format_figure(amount, False), fs, anchor="ra")
        y += fs + 12
    y = _dashes(c, y, w)
    discount = rng.choice((0, 0, 0, round(total * 0.05), 100, 300)) if total > 2000 else 0
    due = total - discount
    pay = rng.choice((*_PAY, "医保卡") if kind == "pharmacy" else _PAY)
    paid = -(-due // 10000) * 10000 if pay == "现金" else due
    lines = [f"合计件数：{count}", f"合计金额：{format_figure(total, False)}"]
    if discount:
        lines.append(f"优惠：-{format_figure(discount, False)}")
    lines += [f"应收：{format_figure(due, False)}", f"{pay}：{format_figure(paid, False)}"]
    if pay == "现金":
        lines.append(f"找零：{format_figure(paid - due, False)}")
    for line in lines:
        c.value((24, y), line, fs + (4 if line.startswith("应收") else 0))
        y += fs + 14
    y = _dashes(c, y, w)
    footer = ["谢谢惠顾，欢迎再次光临！", f"电话：{_phone(rng)}"]
    policy = {"supermarket": "凭小票7日内可退换", "pharmacy": "药品售出后非质量问题不退换"}.get(kind)
    for line in [*footer, policy] if policy else footer:
        c.value((w / 2, y), line, fs - 2, anchor="ma")
        y += fs + 10
    c.crop_height(int(y + 40))
    return c


def _dashes(c: Canvas, y: float, w: int) -> float:
    c.value((w / 2, y), "-" * 40, 22, anchor="ma")
    return y + 34


def _taxi(content: ClaimContent, rng: random.Random) -> Canvas:
    """出租汽车发票: pre-printed heading and 发票代码/号码, then the taximeter's lines printed below."""
    form = rng.choice((RED_FORM, BLUE_FORM))
    meter = random_printer(rng, dot_matrix_share=0.8)
    meter = dataclasses.replace(meter, offset=(meter.offset[0] // 3, meter.offset[1] // 3), face="mono")
    w = 460
    c = Canvas(w, 900, rng, paper=paper_colour(rng), printer=meter)
    city = _city(content)
    c.centered(26, f"{city}市出租汽车专用发票", 28, face="song_bold", color=form)
    c.centered(70, "发 票 联", 22, face="song_bold", color=form)
    c.text((24, 110), "发票代码", 20, color=form)
    c.text((140, 110), f"1{content.stay.hospital.code_prefix}0{rng.randint(10**8, 10**9 - 1)}", 20, color=form)
    c.text((24, 142), "发票号码", 20, color=form)
    c.text((140, 142), f"{rng.randint(0, 10**8 - 1):08d}", 20, color=(200, 30, 30))
    c.rule(20, 180, w - 20, 180, form, 2)
    day = _day(rng, content)
    start = dt.datetime.combine(day, dt.time(rng.randint(6, 22), rng.randint(0, 59)))
    minutes = rng.randint(6, 45)
    km = round(rng.uniform(1.5, 25), 1)
    price = rng.choice((230, 260, 280, 300))
    fare = max(1000, round(km * price + rng.randint(0, 6) * 100))
    province = content.stay.hospital.province
    plate = f"{_PLATES.get(province, '贵')}{rng.choice('ABCDE')}·{rng.choice('TDU')}{rng.randint(1000, 9999)}"
    lines = [
        ("监督电话", "12328"),
        ("车号", plate),
        ("证号", f"{rng.randint(100000, 999999)}"),
        ("日期", f"{day:%Y-%m-%d}"),
        ("上车", f"{start:%H:%M}"),
        ("下车", f"{start + dt.timedelta(minutes=minutes):%H:%M}"),
        ("单价", f"{format_figure(price, False)}元"),
        ("里程", f"{km}km"),
        ("等候", f"00:{rng.randint(0, 9):02d}:{rng.randint(0, 59):02d}"),
        ("金额", f"{format_figure(fare, False)}元"),
    ]
    y = 200.0
    for label, value in lines:
        c.value((40, y), label, 24)
        c.value((w - 40, y), value, 24, anchor="ra")
        y += 40
    c.crop_height(int(y + 30))
    return c


Builder = Callable[[ClaimContent, random.Random], Canvas]
# name → (builder, born digital). Scenes are the phone's own pictures, hence "born digital".
NONCLAIM_LAYOUTS: dict[str, tuple[Builder, bool]] = {
    "vat_einvoice_goods": (_vat_einvoice, True),
    "vat_einvoice_old": (lambda content, rng: _vat_form(content, rng, electronic=True), True),
    "vat_invoice_paper": (lambda content, rng: _vat_form(content, rng, electronic=False), False),
    "shop_receipt": (
        lambda content, rng: _thermal(content, rng, rng.choice(("supermarket", "convenience", "pharmacy"))),
        False,
    ),
    "restaurant_bill": (lambda content, rng: _thermal(content, rng, "restaurant"), False),
    "taxi_receipt": (_taxi, False),
    "room_photo": (room_photo, True),
    "desk_photo": (desk_photo, True),
}
SCENE_LAYOUTS = frozenset({"room_photo", "desk_photo"})


def render_nonclaim(content: ClaimContent, rng: random.Random, layout: str) -> RenderedPage:
    builder, born_digital = NONCLAIM_LAYOUTS[layout]
    page = builder(content, rng).finish(DocType.OTHER.value, layout, born_digital)
    page.scene = layout in SCENE_LAYOUTS
    return page
