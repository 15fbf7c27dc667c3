"""Helpers shared by the layouts: form colours, printed date styles, printers, seals."""

from __future__ import annotations

import datetime as dt
import random

from claims_datasets.canvas import INK, Box, Canvas, Printer
from claims_datasets.content import ClaimContent

__all__ = [
    "BLUE_FORM",
    "BROWN_FORM",
    "GREEN_FORM",
    "RED_FORM",
    "date_cn",
    "date_text",
    "hand_field",
    "hand_in_cells",
    "hospital_seal",
    "paper_colour",
    "random_printer",
    "stay_range_text",
]

RED_FORM = (196, 52, 52)
BLUE_FORM = (46, 86, 170)
GREEN_FORM = (40, 130, 95)
BROWN_FORM = (150, 70, 45)


def date_text(rng: random.Random, day: dt.date) -> str:
    """A date as hospitals print it; the ISO form is always the field value."""
    style = rng.choice(("iso", "iso", "compact", "cn", "slash"))
    return {
        "iso": day.isoformat(),
        "compact": day.strftime("%Y%m%d"),
        "cn": date_cn(day),
        "slash": day.strftime("%Y/%m/%d"),
    }[style]


def date_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def stay_range_text(rng: random.Random, start: dt.date, end: dt.date) -> str:
    return rng.choice(
        (
            f"{start:%Y%m%d}|{end:%Y%m%d}",
            f"{start.isoformat()}-{end.isoformat()}",
            f"{start:%Y.%m.%d}至{end:%Y.%m.%d}",
        )
    )


def random_printer(rng: random.Random, *, dot_matrix_share: float = 0.6) -> Printer:
    """A printer that put values on a pre-printed slip: misfed, fainter, often dot-matrix."""
    dot = rng.random() < dot_matrix_share
    grey = rng.randint(20, 75)
    return Printer(
        # Most slips are fed a few pixels off; about one in four is badly misfed onto the ruling.
        offset=(rng.randint(-18, 22), rng.randint(-12, 14))
        if rng.random() < 0.25
        else (rng.randint(-8, 10), rng.randint(-4, 6)),
        color=(grey, grey, grey + rng.randint(0, 25)),
        strength=rng.uniform(0.65, 0.9) if dot else rng.uniform(0.75, 0.95),
        dot_matrix=dot,
        face=rng.choice(("song", "mono", "hei")) if not dot else rng.choice(("mono", "song", "hei")),
    )


def paper_colour(rng: random.Random) -> tuple[int, int, int]:
    base = rng.randint(238, 252)
    return (base, base - rng.randint(0, 4), base - rng.randint(2, 12))


def hospital_seal(
    canvas: Canvas, content: ClaimContent, center: tuple[float, float], radius: float, purpose: str = "收费专用章"
) -> None:
    canvas.seal(center, radius, content.stay.hospital.name, purpose)


def hand_field(
    c: Canvas,
    xy: tuple[float, float],
    text: str,
    size: int,
    field_name: str | None = None,
    value: str | None = None,
    *,
    extra: bool = False,
) -> Box:
    """Handwriting on a form; with ``field_name`` it is recorded as that field (``value`` defaults to the text)."""
    box = c.handwriting(xy, text, size)
    if field_name:
        record = {"value": value if value is not None else text, "text": text, "box": box}
        (c.page.extra_fields if extra else c.page.fields)[field_name] = record
    return box


def hand_in_cells(c: Canvas, x: float, y: float, text: str, cell: int, field_name: str | None = None) -> Box:
    """One character per pre-printed cell (ID and account numbers): one hand line over the written glyphs."""
    boxes = []
    for i, ch in enumerate(text):
        c.rect((x + i * cell, y, x + (i + 1) * cell, y + cell), INK, 1)
        boxes.append(c.handwriting((x + i * cell + cell * 0.22, y + cell * 0.12), ch, int(cell * 0.7), record=False))
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    c.page.lines.append({"text": text, "box": box, "kind": "hand"})
    if field_name:
        c.page.extra_fields[field_name] = {"value": text, "text": text, "box": box}
    return box
