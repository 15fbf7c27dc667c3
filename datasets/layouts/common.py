"""Helpers shared by the layouts: form colours, printed date styles, printers, seals."""

from __future__ import annotations

import datetime as dt
import random

from claims_datasets.canvas import Canvas, Printer
from claims_datasets.content import ClaimContent

__all__ = [
    "BLUE_FORM",
    "BROWN_FORM",
    "GREEN_FORM",
    "RED_FORM",
    "date_cn",
    "date_text",
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
