"""A page being drawn, which remembers every text line, field, seal and mask it draws, in page pixels.

Layouts draw the pre-printed form with ``text``/``rule`` and the values with ``value``: values go through the
page's ``Printer`` (shifted off their boxes, fainter, optionally dot-matrix). Seals, watermarks, QR codes, masking
boxes and handwriting are drawn here too, so their ground truth is recorded the same way.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFilter

from claims_datasets.fonts import sc_font

__all__ = ["INK", "Box", "Canvas", "Printer", "RenderedPage", "box_quad"]

INK = (28, 28, 34)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def box_quad(b: Box) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = b
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


@dataclass(frozen=True)
class Printer:
    """How the values were printed over the form: misfeed offset, ink colour/strength, dot-matrix pins."""

    offset: tuple[int, int] = (0, 0)
    color: tuple[int, int, int] = INK
    strength: float = 0.95  # alpha of the ink
    dot_matrix: bool = False
    face: str = "song"


@dataclass
class RenderedPage:
    """A drawn page before capture: the image and its ground truth, boxes in page pixels."""

    image: Image.Image
    doc_type: str
    layout: str
    born_digital: bool
    lines: list[dict] = field(default_factory=list)  # text, box, kind, legible
    fields: dict[str, dict] = field(default_factory=dict)  # name → value, text, box, masked
    extra_fields: dict[str, dict] = field(default_factory=dict)
    diagnoses: list[dict] = field(default_factory=list)
    line_items: list[dict] = field(default_factory=list)  # name, amount, box
    stamps: list[dict] = field(default_factory=list)  # text, box, color
    edits: list[dict] = field(default_factory=list)  # local re-renders (fraud evidence): box, note
    scene: bool = False  # a picture of a room or desk, not a sheet: photographed filling the frame


class Canvas:
    def __init__(
        self,
        width: int,
        height: int,
        rng: random.Random,
        *,
        paper: tuple[int, int, int] = (250, 249, 245),
        printer: Printer | None = None,
    ) -> None:
        self.rng = rng
        self.paper = paper
        self.image = Image.new("RGB", (width, height), paper)
        self.draw = ImageDraw.Draw(self.image)
        self.printer = printer or Printer()
        self.page = RenderedPage(self.image, "", "", False)
        self._masks: list[Box] = []

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    # ---- pre-printed form -------------------------------------------------------------------------------
    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        face: str = "hei",
        color: tuple[int, int, int] = INK,
        anchor: str = "la",
        kind: str = "form",
        record: bool = True,
    ) -> Box:
        font = sc_font(max(6, int(size)), face)
        self.draw.text(xy, text, fill=color, font=font, anchor=anchor)
        box = self.draw.textbbox(xy, text, font=font, anchor=anchor)
        if record and text.strip():
            self.page.lines.append({"text": text, "box": box, "kind": kind})
        return box

    def centered(self, y: float, text: str, size: int, **kw: object) -> Box:
        return self.text((self.width / 2, y), text, size, anchor="ma", **kw)  # type: ignore[arg-type]

    def rule(self, x0: float, y0: float, x1: float, y1: float, color: tuple[int, int, int], width: int = 2) -> None:
        self.draw.line([(x0, y0), (x1, y1)], fill=color, width=width)

    def rect(self, box: Box, color: tuple[int, int, int], width: int = 2) -> None:
        self.draw.rectangle(box, outline=color, width=width)

    def grid(
        self, x0: float, y0: float, cols: list[float], rows: list[float], color: tuple[int, int, int], width: int = 2
    ) -> None:
        """A ruled table with column edges ``cols`` and row edges ``rows`` (absolute coordinates)."""
        for x in cols:
            self.rule(x, rows[0], x, rows[-1], color, width)
        for y in rows:
            self.rule(cols[0], y, cols[-1], y, color, width)

    # ---- values printed over the form -------------------------------------------------------------------
    def value(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        field_name: str | None = None,
        value: str | None = None,
        prefix: str = "",
        anchor: str = "la",
        extra: bool = False,
        printer: Printer | None = None,
    ) -> Box:
        """Print ``prefix + text`` with the page's printer; record ``text`` as field ``field_name``.

        ``prefix`` (e.g. a label printed by the same printer) is part of the text line but not of the field box.
        """
        p = printer or self.printer
        font = sc_font(max(6, int(size)), p.face)
        full = prefix + text
        x, y = xy[0] + p.offset[0], xy[1] + p.offset[1]
        line_box = self.draw.textbbox((x, y), full, font=font, anchor=anchor)
        self._ink_text((x, y), full, font, p, anchor)
        self.page.lines.append({"text": full, "box": line_box, "kind": "print"})
        if field_name is None:
            return line_box
        if prefix:
            start = line_box[0] + self.draw.textlength(prefix, font=font)
            field_box = (start, line_box[1], line_box[2], line_box[3])
        else:
            field_box = line_box
        record = {"value": value if value is not None else text, "text": text, "box": field_box}
        (self.page.extra_fields if extra else self.page.fields)[field_name] = record
        return field_box

    def _ink_text(self, xy: tuple[float, float], text: str, font: object, p: Printer, anchor: str) -> None:
        box = self.draw.textbbox(xy, text, font=font, anchor=anchor)  # type: ignore[arg-type]
        x0, y0 = int(box[0]) - 2, int(box[1]) - 2
        w, h = int(box[2]) - x0 + 3, int(box[3]) - y0 + 3
        if w <= 0 or h <= 0:
            return
        mask = Image.new("L", (w, h), 0)
        ImageDraw.Draw(mask).text((xy[0] - x0, xy[1] - y0), text, fill=255, font=font, anchor=anchor)
        alpha = np.asarray(mask, dtype=np.float32) / 255.0
        if p.dot_matrix:
            # 24-pin heads leave round dots on a fixed pitch; worn ribbons print some columns fainter.
            pitch = 3 if font.size >= 24 else 2  # type: ignore[attr-defined]
            yy, xx = np.mgrid[0:h, 0:w]
            dots = (((xx + x0) % pitch == 0) | ((yy + y0) % pitch == 0)).astype(np.float32)
            dots = 1.0 - 0.75 * dots
            alpha = (
                np.asarray(
                    Image.fromarray((alpha * dots * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7)),
                    dtype=np.float32,
                )
                / 255.0
                * 1.5
            )
        wear = np.interp(np.arange(w), [0, w], [self.rng.uniform(0.75, 1.0), self.rng.uniform(0.75, 1.0)])
        alpha = np.clip(alpha * wear[None, :] * p.strength, 0, 1)
        self._blend(x0, y0, alpha, p.color)

    def _blend(self, x0: int, y0: int, alpha: np.ndarray, color: tuple[int, int, int], multiply: bool = False) -> None:
        """Composite ``color`` with per-pixel ``alpha`` at (x0, y0), clipped to the page."""
        h, w = alpha.shape
        X0, Y0 = max(0, x0), max(0, y0)
        X1, Y1 = min(self.width, x0 + w), min(self.height, y0 + h)
        if X1 <= X0 or Y1 <= Y0:
            return
        a = alpha[Y0 - y0 : Y1 - y0, X0 - x0 : X1 - x0, None]
        region = np.asarray(self.image.crop((X0, Y0, X1, Y1)), dtype=np.float32)
        c = np.array(color, dtype=np.float32)
        out = region * (1 - a + a * c / 255.0) if multiply else region * (1 - a) + c * a
        self.image.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8)), (X0, Y0))

    # ---- seals, watermarks, codes, masks, handwriting ---------------------------------------------------
    def seal(
        self,
        center: tuple[float, float],
        radius: float,
        ring_text: str,
        centre_text: str,
        *,
        oval: bool = False,
        star: bool = True,
        color: tuple[int, int, int] = (205, 30, 35),
    ) -> None:
        """A red round (or oval) seal: text along the ring, star, text across the bottom; uneven ink."""
        rx = radius * (1.45 if oval else 1.0)
        ry = radius
        size = int(2 * rx + 8), int(2 * ry + 8)
        mask = Image.new("L", size, 0)
        d = ImageDraw.Draw(mask)
        cx, cy = size[0] / 2, size[1] / 2
        ring = max(2, int(radius * 0.06))
        d.ellipse((cx - rx + 2, cy - ry + 2, cx + rx - 2, cy + ry - 2), outline=255, width=ring)
        n = len(ring_text)
        char_size = int(radius * (0.26 if n <= 12 else 0.22) * (0.8 if oval else 1.0))
        font = sc_font(max(8, char_size), "song_bold")
        span = math.radians(220 if n > 6 else 150)
        for i, ch in enumerate(ring_text):
            theta = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
            px = cx + (rx - ring - char_size * 0.75) * math.cos(theta)
            py = cy + (ry - ring - char_size * 0.75) * math.sin(theta)
            glyph = Image.new("L", (char_size * 2, char_size * 2), 0)
            ImageDraw.Draw(glyph).text((char_size, char_size), ch, fill=255, font=font, anchor="mm")
            glyph = glyph.rotate(-math.degrees(theta) - 90, resample=Image.Resampling.BICUBIC)
            mask.paste(255, (int(px - char_size), int(py - char_size)), glyph)
        if star:
            r = radius * 0.22
            pts = []
            for k in range(10):
                rr = r if k % 2 == 0 else r * 0.4
                a = -math.pi / 2 + k * math.pi / 5
                pts.append((cx + rr * math.cos(a), cy - radius * 0.05 + rr * math.sin(a)))
            d.polygon(pts, fill=255)
        if centre_text:
            cfont = sc_font(max(8, int(radius * (0.2 if oval else 0.22))), "song_bold")
            d.text((cx, cy + ry * (0.15 if oval else 0.45)), centre_text, fill=255, font=cfont, anchor="mm")
        mask = mask.rotate(self.rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=True)
        alpha = np.asarray(mask, dtype=np.float32) / 255.0
        # Uneven stamp pressure: low-frequency strength times speckle where the ink did not take.
        h, w = alpha.shape
        nrng = np.random.default_rng(self.rng.getrandbits(32))
        low = (
            np.asarray(
                Image.fromarray((nrng.random((6, 6)) * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC),
                dtype=np.float32,
            )
            / 255.0
        )
        speckle = (nrng.random((h, w)) > self.rng.uniform(0.05, 0.25)).astype(np.float32)
        alpha = alpha * (0.55 + 0.45 * low) * speckle * self.rng.uniform(0.6, 0.95)
        alpha = (
            np.asarray(
                Image.fromarray((alpha * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32
            )
            / 255.0
        )
        x0, y0 = int(center[0] - w / 2), int(center[1] - h / 2)
        self._blend(x0, y0, alpha, color, multiply=True)
        self.page.stamps.append({"text": ring_text + centre_text, "box": (x0, y0, x0 + w, y0 + h), "color": "red"})

    def watermark(
        self,
        text: str,
        *,
        color: tuple[int, int, int] = (235, 200, 90),
        strength: float = 0.18,
        size: int = 60,
        angle: float = 25,
    ) -> None:
        """Pale text repeated diagonally under everything else (anti-copy paper, e-invoice background)."""
        layer = Image.new("L", (self.width * 2, self.height * 2), 0)
        d = ImageDraw.Draw(layer)
        font = sc_font(size, "hei_bold")
        step_x = int(d.textlength(text, font=font) + size * 2)
        for row, y in enumerate(range(0, layer.height, size * 4)):
            for x in range(-(row % 2) * step_x // 2, layer.width, step_x):
                d.text((x, y), text, fill=255, font=font)
        layer = layer.rotate(angle, resample=Image.Resampling.BILINEAR)
        left, top = self.width // 2, self.height // 2
        alpha = np.asarray(layer.crop((left, top, left + self.width, top + self.height)), np.float32) / 255.0
        self._blend(0, 0, alpha * strength, color, multiply=True)

    def qr(self, xy: tuple[int, int], data: str, size: int) -> Box:
        code = qrcode.QRCode(border=1, box_size=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(data)
        code.make(fit=True)
        img = code.make_image().get_image().convert("L").resize((size, size), Image.Resampling.NEAREST)
        alpha = 1.0 - np.asarray(img, dtype=np.float32) / 255.0
        self._blend(xy[0], xy[1], alpha * 0.92, (20, 20, 20))
        return (xy[0], xy[1], xy[0] + size, xy[1] + size)

    def mask(self, box: Box, *, pad: float = 6) -> None:
        """A solid black box over personal data (as members do before uploading)."""
        b = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
        self.draw.rectangle(b, fill=(12, 12, 14))
        self._masks.append(b)

    def handwriting(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        color: tuple[int, int, int] = (30, 45, 140),
        *,
        record: bool = True,
    ) -> Box:
        """Pen writing: each character jittered in angle, size and baseline; recorded as a ``hand`` line."""
        x, y = xy
        x_start = x
        top, bottom = y + size, y
        font_face = self.rng.choice(("hei", "zenhei", "hei_bold"))
        for ch in text:
            s = int(size * self.rng.uniform(0.85, 1.15))
            glyph = Image.new("L", (s * 2, s * 2), 0)
            ImageDraw.Draw(glyph).text((s * 0.5, s * 0.5), ch, fill=255, font=sc_font(s, font_face))
            glyph = glyph.transform(
                glyph.size,
                Image.Transform.AFFINE,
                (1, self.rng.uniform(-0.3, 0.1), 0, 0, 1, 0),
                Image.Resampling.BILINEAR,
            )
            glyph = glyph.rotate(self.rng.uniform(-10, 10), resample=Image.Resampling.BILINEAR)
            bbox = glyph.getbbox()
            if bbox is None:
                x += s * 0.5
                continue
            gy = y + self.rng.uniform(-size * 0.12, size * 0.12)
            alpha = np.asarray(glyph, np.float32) / 255.0 * self.rng.uniform(0.7, 0.95)
            # The ink starts where the pen is: slant moves a low mark ("." ",") further right than a digit's
            # top, so placing by the font origin put points under the next digit, where no reader sees them.
            self._blend(int(x) - bbox[0], int(gy - s * 0.5), alpha, color)
            top = min(top, gy - s * 0.5 + bbox[1])
            bottom = max(bottom, gy - s * 0.5 + bbox[3])
            gap = self.rng.uniform(0.05, 0.25)
            if self.rng.random() < 0.08:  # hands space unevenly: OCR then reads "55 174.35", "2 02 2-04-02"
                gap += self.rng.uniform(0.3, 0.6)
            x += (bbox[2] - bbox[0]) + s * gap
        box = (x_start, top, x, bottom)
        if record and text.strip():
            self.page.lines.append({"text": text, "box": box, "kind": "hand"})
        return box

    def scribble(self, box: Box, color: tuple[int, int, int] = (30, 45, 140), kind: str = "signature") -> None:
        """Pen marks that are not text: a signature-like scribble, a tick or a circle filling ``box``."""
        x0, y0, x1, y1 = box
        width = self.rng.randint(2, 4)
        if kind == "circle":
            self.draw.ellipse(box, outline=color, width=width)
            return
        if kind == "tick":
            pts = [(x0, (y0 + y1) / 2), (x0 + (x1 - x0) * 0.35, y1), (x1, y0)]
        else:
            pts = []
            for k in range(24):
                t = k / 23
                pts.append(
                    (
                        x0 + t * (x1 - x0),
                        (y0 + y1) / 2
                        + math.sin(t * self.rng.uniform(8, 16)) * (y1 - y0) / 2 * self.rng.uniform(0.5, 1),
                    )
                )
        self.draw.line(pts, fill=color, width=width, joint="curve")

    def crop_height(self, height: int) -> None:
        """Cut the sheet below ``height`` (layouts start on a tall sheet and trim it to what they drew)."""
        self.image = self.image.crop((0, 0, self.width, height))
        self.draw = ImageDraw.Draw(self.image)
        self.page.image = self.image

    # ---- finish ---------------------------------------------------------------------------------------
    def finish(self, doc_type: str, layout: str, born_digital: bool) -> RenderedPage:
        """Flag masked fields and lines, add paper grain, and hand back the page."""
        for rec in [*self.page.lines]:
            rec["legible"] = not self._covered(rec["box"])
        for group in (self.page.fields, self.page.extra_fields):
            for rec in group.values():
                rec["masked"] = self._covered(rec["box"])
        for rec in self.page.diagnoses:
            rec["masked"] = self._covered(rec["box"])
        arr = np.asarray(self.image, dtype=np.int16)
        nrng = np.random.default_rng(self.rng.getrandbits(32))
        grain = (nrng.standard_normal(arr.shape[:2], dtype=np.float32) * 2.2)[..., None]
        page = Image.fromarray(np.clip(arr + grain, 0, 255).astype(np.uint8))
        self.page.image = page
        self.page.doc_type, self.page.layout, self.page.born_digital = doc_type, layout, born_digital
        return self.page

    def _covered(self, box: Box) -> bool:
        x0, y0, x1, y1 = box
        area = max(1.0, (x1 - x0) * (y1 - y0))
        for m in self._masks:
            ix = max(0.0, min(x1, m[2]) - max(x0, m[0]))
            iy = max(0.0, min(y1, m[3]) - max(y0, m[1]))
            if ix * iy / area > 0.3:
                return True
        return False
