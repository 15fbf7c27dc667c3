import random

import numpy as np

from claims_datasets.canvas import Canvas, Printer


def test_masked_values_are_flagged_and_unreadable() -> None:
    canvas = Canvas(600, 200, random.Random(0))
    box = canvas.value((20, 20), "440102198001011234", 28, field_name="id_number", extra=True)
    canvas.value((20, 100), "张三", 28, field_name="patient_name")
    canvas.mask(box)
    page = canvas.finish("id_card", "test", False)
    assert page.extra_fields["id_number"]["masked"] is True
    assert page.fields["patient_name"]["masked"] is False
    legible = {line["text"]: line["legible"] for line in page.lines}
    assert legible == {"440102198001011234": False, "张三": True}
    x0, y0, x1, y1 = (int(v) for v in box)
    assert np.asarray(page.image)[y0:y1, x0:x1].mean() < 40  # solid black over the number


def test_printer_offset_moves_values_and_their_boxes() -> None:
    still = Canvas(400, 120, random.Random(1), printer=Printer())
    moved = Canvas(400, 120, random.Random(1), printer=Printer(offset=(15, -6)))
    a = still.value((50, 40), "1,234.56", 26, field_name="total_amount", value="1234.56")
    b = moved.value((50, 40), "1,234.56", 26, field_name="total_amount", value="1234.56")
    assert (b[0] - a[0], b[1] - a[1]) == (15, -6)


def test_prefix_is_in_the_line_but_not_in_the_field_box() -> None:
    canvas = Canvas(600, 100, random.Random(2))
    field_box = canvas.value((10, 20), "2020-12-23", 24, prefix="开票日期：", field_name="issue_date")
    line = canvas.page.lines[-1]
    assert line["text"] == "开票日期：2020-12-23"
    assert line["box"][0] < field_box[0] and line["box"][2] == field_box[2]


def test_handwriting_and_seals_are_recorded() -> None:
    canvas = Canvas(600, 400, random.Random(3))
    canvas.handwriting((40, 40), "与原件一致", 30)
    canvas.seal((300, 250), 90, "某某市第一人民医院", "收费专用章")
    page = canvas.finish("other", "test", False)
    assert page.lines[-1]["kind"] == "hand" and page.lines[-1]["text"] == "与原件一致"
    assert page.stamps[0]["text"] == "某某市第一人民医院收费专用章"
    red = np.asarray(page.image).astype(int)
    x0, y0, x1, y1 = (int(v) for v in page.stamps[0]["box"])
    patch = red[max(0, y0) : y1, max(0, x0) : x1]
    assert ((patch[..., 0] - patch[..., 1]) > 60).mean() > 0.02  # red ink inside the seal box


def test_a_handwritten_point_stands_apart_from_the_digits_beside_it() -> None:
    # "8.2" is three separate runs of inked columns: the point is written between the digits, not under one.
    for seed in range(20):
        canvas = Canvas(200, 80, random.Random(seed), paper=(255, 255, 255))
        canvas.handwriting((20, 20), "8.2", 34)
        inked = (np.asarray(canvas.image.convert("L")) < 200).any(axis=0).astype(int)
        runs = int(np.sum(np.diff(inked) == 1))
        assert runs == 3, f"seed {seed}: {runs} runs of ink"
