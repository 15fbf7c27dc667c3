"""Phone pictures that are not documents: a room or a desk, with a poster, calendar or sticky note at most.

Members upload them by mistake (the wrong photo from the gallery). They are drawn as flat shapes with light
gradients, soft shadows and grain, then softened like a phone lens; the few words on them are text lines.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageFilter

from claims_datasets.canvas import Canvas
from claims_datasets.content import ClaimContent

__all__ = ["desk_photo", "room_photo"]

_WALLS = ((232, 226, 214), (220, 224, 228), (236, 232, 224), (214, 222, 214), (240, 236, 230), (226, 216, 204))
_WOODS = ((150, 108, 70), (178, 140, 98), (120, 84, 56), (196, 168, 128))
_FABRICS = ((92, 104, 120), (140, 120, 100), (70, 80, 72), (170, 160, 150), (120, 60, 60), (60, 70, 100))
_POSTERS = ("家和万事兴", "厚德载物", "宁静致远", "天道酬勤", "上善若水", "福")
_NOTES = ("周五交报告", "买牛奶", "13:30开会", "记得交电费", "复查 周三", "取快递", "给妈妈打电话")
_WEEKDAYS = "日 一 二 三 四 五 六"


def _shade(colour: tuple[int, ...], f: float) -> tuple[int, int, int]:
    return tuple(int(max(0, min(255, v * f))) for v in colour[:3])  # type: ignore[return-value]


def _paste(c: Canvas, img: np.ndarray) -> None:
    """Replace the canvas pixels in place (the canvas keeps drawing on the same image)."""
    c.image.paste(Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)))


def _smooth_noise(nrng: np.random.Generator, cells: tuple[int, int], h: int, w: int) -> np.ndarray:
    """Random values on a coarse ``cells`` grid, smoothly resized to h×w, in [0, 1]."""
    small = Image.fromarray((nrng.random(cells) * 255).astype(np.uint8))
    return np.asarray(small.resize((w, h), Image.Resampling.BICUBIC), np.float32) / 255.0


def _grain(nrng: np.random.Generator, h: int, w: int, strength: float) -> np.ndarray:
    return (_smooth_noise(nrng, (8, 8), h, w) - 0.5) * strength


def _floor(rng: random.Random, nrng: np.random.Generator, w: int, h: int, top: int) -> np.ndarray:
    """Wood planks or tiles seen in perspective: stripes converge to a vanishing point above the floor line."""
    ys, xs = np.mgrid[top:h, 0:w].astype(np.float32)
    vx, vy = w * rng.uniform(0.3, 0.7), top - h * rng.uniform(0.35, 0.6)
    u = (xs - vx) / (ys - vy) * rng.uniform(5, 9)
    if rng.random() < 0.6:
        base = np.array(rng.choice(_WOODS), np.float32)
        plank = np.floor(u).astype(np.int64)
        tone = 0.85 + 0.25 * ((plank * 7919) % 13) / 13.0
        seam = (np.abs(u - np.round(u)) < 0.02).astype(np.float32)
        img = base * (tone * (1 - 0.35 * seam))[..., None]
    else:
        base = np.array(rng.choice(((222, 218, 210), (200, 196, 190), (235, 230, 220))), np.float32)
        v = 1.0 / (ys - vy) * h * rng.uniform(2.5, 4)
        seam = (np.abs(u - np.round(u)) < 0.015) | (np.abs(v - np.round(v)) < 0.03)
        img = base * (1 - 0.25 * seam.astype(np.float32))[..., None]
    depth = (ys - top) / max(1, h - top)
    return img * (0.8 + 0.25 * depth)[..., None]


def _window(c: Canvas, rng: random.Random, x0: int, x1: int, y0: int, y1: int) -> None:
    sky = rng.choice(((200, 222, 240), (226, 236, 244), (236, 240, 242)))
    for i in range(y0, y1, 6):  # brighter toward the bottom of the glass
        c.draw.rectangle((x0, i, x1, min(y1, i + 6)), fill=_shade(sky, 0.95 + 0.08 * (i - y0) / max(1, y1 - y0)))
    frame = rng.choice(((245, 245, 242), (120, 90, 60), (90, 90, 95)))
    c.draw.rectangle((x0, y0, x1, y1), outline=frame, width=12)
    c.draw.line(((x0 + x1) / 2, y0, (x0 + x1) / 2, y1), fill=frame, width=10)
    curtain = rng.choice(_FABRICS)
    cw = (x1 - x0) // 4
    for cx in (x0 - cw // 2, x1 - cw // 2):
        c.draw.rectangle((cx, y0 - 30, cx + cw, y1 + 60), fill=curtain)
        for k in range(1, 4):
            c.draw.line((cx + k * cw / 4, y0 - 30, cx + k * cw / 4, y1 + 60), fill=_shade(curtain, 0.8), width=4)


def _poster(c: Canvas, rng: random.Random, centre: int, y: int, content: ClaimContent) -> None:
    """A framed calligraphy scroll or a wall calendar: the only words in the room."""
    if rng.random() < 0.5:
        words = rng.choice(_POSTERS)
        size = 64 if len(words) > 1 else 150
        w = int(size * len(words) + 80)
        hgt = size + 90
        x = centre - w // 2
        c.draw.rectangle((x - 14, y - 14, x + w + 14, y + hgt + 14), fill=rng.choice(_WOODS))
        c.draw.rectangle((x, y, x + w, y + hgt), fill=(238, 230, 210))
        c.text((x + w / 2, y + hgt / 2), words, size, face="song_bold", color=(30, 25, 25), anchor="mm")
        return
    month = content.stay.admission_date
    w, hgt = 300, 380
    x = centre - w // 2
    c.draw.rectangle((x, y, x + w, y + hgt), fill=(248, 248, 246))
    c.draw.rectangle((x + 12, y + 12, x + w - 12, y + 190), fill=rng.choice(_FABRICS))
    c.text((x + w / 2, y + 205), f"{month.year}年{month.month}月", 34, face="hei_bold", anchor="ma", color=(40, 40, 40))
    c.text((x + w / 2, y + 260), _WEEKDAYS, 22, anchor="ma", color=(60, 60, 60))
    for r in range(3):  # day grid as dots: too small to read at photo distance
        for k in range(7):
            cx, cy = x + 30 + k * 40, y + 305 + r * 24
            c.draw.rectangle((cx, cy, cx + 14, cy + 8), fill=(150, 150, 150))


def _sofa(c: Canvas, rng: random.Random, x0: int, x1: int, floor_y: int, h: int) -> None:
    colour = rng.choice(_FABRICS)
    top = floor_y - int(h * rng.uniform(0.12, 0.18))
    seat = floor_y + int(h * 0.02)
    bottom = floor_y + int(h * rng.uniform(0.1, 0.16))
    c.draw.rectangle((x0 + 30, bottom - 6, x1 - 30, bottom + 14), fill=(40, 34, 30))  # legs' shadow
    c.draw.rounded_rectangle((x0 + 40, top, x1 - 40, seat + 40), radius=30, fill=_shade(colour, 0.9))
    c.draw.rounded_rectangle((x0, seat, x1, bottom), radius=24, fill=colour)
    for ax in (x0, x1 - 80):
        c.draw.rounded_rectangle((ax, top + 60, ax + 80, bottom), radius=26, fill=_shade(colour, 0.85))
    n = rng.randint(2, 3)
    step = (x1 - x0 - 160) / n
    for k in range(n):
        cx = x0 + 80 + k * step
        c.draw.rounded_rectangle((cx + 10, top + 20, cx + step - 10, seat + 20), radius=20, fill=_shade(colour, 1.1))


def _plant(c: Canvas, rng: random.Random, x: int, floor_y: int) -> None:
    pot = rng.choice(((180, 90, 60), (230, 230, 225), (70, 70, 75)))
    c.draw.polygon(((x - 60, floor_y - 130), (x + 60, floor_y - 130), (x + 45, floor_y), (x - 45, floor_y)), fill=pot)
    for _ in range(14):
        lx, ly = x + rng.randint(-120, 120), floor_y - 130 - rng.randint(20, 320)
        green = (rng.randint(40, 80), rng.randint(100, 150), rng.randint(40, 80))
        c.draw.ellipse((lx - 50, ly - 22, lx + 50, ly + 22), fill=green)


def room_photo(content: ClaimContent, rng: random.Random) -> Canvas:
    """A living room or bedroom: lit wall, floor in perspective, window or door, sofa, plant, poster."""
    w, h = rng.choice(((1600, 1200), (1200, 1600)))
    c = Canvas(w, h, rng, paper=(0, 0, 0))
    nrng = np.random.default_rng(rng.getrandbits(32))
    floor_y = int(h * rng.uniform(0.6, 0.72))
    wall = np.array(rng.choice(_WALLS), np.float32)
    xs = np.linspace(0, 1, w, dtype=np.float32)
    lit = 0.8 + 0.22 * (xs if rng.random() < 0.5 else 1 - xs)
    img = np.empty((h, w, 3), np.float32)
    img[:floor_y] = wall[None, None, :] * lit[None, :, None] * (1 + _grain(nrng, floor_y, w, 0.06))[..., None]
    img[floor_y:] = _floor(rng, nrng, w, h, floor_y)
    _paste(c, img)
    c.draw.rectangle((0, floor_y - 14, w, floor_y), fill=_shade(tuple(int(v) for v in wall), 0.9))
    left = rng.random() < 0.5  # window or door on one half, poster on the other
    span = (int(w * 0.06), int(w * 0.42)) if left else (int(w * 0.56), int(w * 0.92))
    if rng.random() < 0.65:
        _window(c, rng, span[0] + 40, span[1] - 40, int(h * 0.1), floor_y - int(h * 0.2))
    else:
        door = rng.choice(_WOODS)
        c.draw.rectangle((span[0] + 60, int(h * 0.15), span[0] + 60 + int(w * 0.16), floor_y), fill=door)
        c.draw.ellipse(
            (span[0] + 60 + int(w * 0.13), int(h * 0.45), span[0] + 80 + int(w * 0.13), int(h * 0.45) + 20),
            fill=(200, 190, 150),
        )
    if rng.random() < 0.7:
        x0 = rng.randint(int(w * 0.05), int(w * 0.3))
        _sofa(c, rng, x0, x0 + int(w * rng.uniform(0.45, 0.6)), floor_y, h)
    if rng.random() < 0.5:
        _plant(c, rng, rng.choice((int(w * 0.1), int(w * 0.88))), floor_y + int(h * 0.08))
    if rng.random() < 0.75:  # drawn last so nothing hides its words
        _poster(c, rng, int(w * (0.75 if left else 0.25)), int(h * rng.uniform(0.08, 0.12)), content)
    c.image.paste(c.image.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6))))
    return c


def _desk_surface(rng: random.Random, nrng: np.random.Generator, w: int, h: int) -> np.ndarray:
    if rng.random() < 0.6:
        base = np.array(rng.choice(_WOODS), np.float32)
        streak = _smooth_noise(nrng, (h // 12, 4), h, w)
        return base * (0.8 + 0.35 * streak[..., None])
    base = np.array(rng.choice(((236, 236, 232), (214, 214, 210), (200, 204, 210))), np.float32)
    return base * (1 + _grain(nrng, h, w, 0.08))[..., None]


def _objects(rng: random.Random, w: int, h: int) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Objects on the desk and their boxes: the laptop on one half, the written-on things on the other."""
    left = rng.random() < 0.5
    lx = int(w * 0.05) if left else int(w * 0.5)
    ox = int(w * 0.58) if left else int(w * 0.06)
    objs = [("laptop", (lx, int(h * 0.18), lx + int(w * 0.44), int(h * 0.18) + int(w * 0.3)))]
    objs.append(("mug", (ox, int(h * 0.08), ox + 170, int(h * 0.08) + 170)))
    if rng.random() < 0.6:
        objs.append(("phone", (ox + 220, int(h * 0.1), ox + 320, int(h * 0.1) + 200)))
    objs.append(("notebook", (ox, int(h * 0.45), ox + int(w * 0.3), int(h * 0.45) + int(h * 0.32))))
    if rng.random() < 0.7:
        objs.append(("note", (ox + int(w * 0.16), int(h * 0.33), ox + int(w * 0.16) + 210, int(h * 0.33) + 200)))
    return objs


def _draw_object(c: Canvas, rng: random.Random, kind: str, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    if kind == "laptop":
        c.draw.rounded_rectangle(box, radius=24, fill=rng.choice(((70, 72, 78), (190, 192, 196), (40, 40, 44))))
        kx0, ky0, kx1 = x0 + 40, y0 + 40, x1 - 40
        key = (kx1 - kx0) / 14
        for r in range(5):
            for k in range(14):
                c.draw.rectangle(
                    (kx0 + k * key + 3, ky0 + r * key + 3, kx0 + (k + 1) * key - 3, ky0 + (r + 1) * key - 3),
                    fill=(28, 28, 30),
                )
        c.draw.rounded_rectangle(
            ((x0 + x1) / 2 - 110, y1 - 170, (x0 + x1) / 2 + 110, y1 - 40), radius=10, outline=(110, 110, 115), width=3
        )
    elif kind == "mug":
        c.draw.ellipse((x1 - 30, y0 + 60, x1 + 30, y0 + 110), outline=(235, 235, 230), width=14)
        c.draw.ellipse(box, fill=rng.choice(((240, 240, 236), (200, 60, 50), (60, 90, 140))))
        c.draw.ellipse((x0 + 18, y0 + 18, x1 - 18, y1 - 18), fill=(70, 44, 28))
    elif kind == "phone":
        c.draw.rounded_rectangle(box, radius=18, fill=(20, 20, 24))
        c.draw.rounded_rectangle((x0 + 8, y0 + 8, x1 - 8, y1 - 8), radius=12, fill=(34, 38, 48))
    elif kind == "notebook":
        c.draw.rectangle(box, fill=(246, 244, 236))
        for y in range(y0 + 60, y1 - 10, 36):
            c.draw.line((x0 + 10, y, x1 - 10, y), fill=(170, 190, 220), width=2)
        c.draw.line((x0 + 60, y0, x0 + 60, y1), fill=(220, 120, 120), width=2)
        c.handwriting((x0 + 80, y0 + 66), rng.choice(("会议记录", "本周计划", "购物清单")), 30)
    else:  # sticky note
        c.draw.rectangle(box, fill=(250, 230, 110))
        for i, text in enumerate(rng.sample(_NOTES, rng.randint(1, 2))):
            c.handwriting((x0 + 16, y0 + 30 + i * 70), text[:5], 26)


def desk_photo(content: ClaimContent, rng: random.Random) -> Canvas:
    """A desk from above: laptop, mug, phone, notebook and a sticky note, with soft shadows."""
    w, h = rng.choice(((1600, 1200), (1200, 1600)))
    c = Canvas(w, h, rng, paper=(0, 0, 0))
    nrng = np.random.default_rng(rng.getrandbits(32))
    surface = _desk_surface(rng, nrng, w, h)
    objs = _objects(rng, w, h)
    shadow = Image.new("L", (w, h), 0)
    for _, (x0, y0, x1, y1) in objs:
        shadow.paste(255, (x0 + 10, y0 + 14, x1 + 10, y1 + 14))
    soft = np.asarray(shadow.filter(ImageFilter.GaussianBlur(14)), np.float32) / 255.0
    _paste(c, surface * (1 - 0.4 * soft)[..., None])
    for kind, box in objs:
        _draw_object(c, rng, kind, box)
    c.image.paste(c.image.filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.4))))
    return c
