"""Image forensics on one page: is an amount region unlike the rest of the page, or the page a photo of a screen?

Each check compares the amount region (``total_amount`` by default) with the page's other printed values — the
same printer, paper and capture — so scores are robust z-scores (0 ordinary, 3+ unusual) or, for copy-move and
moiré, bounded ratios. Runs on the decoded RGB page (plus its encoded bytes when it was a JPEG) in tens of
milliseconds; see ``claims_ai.fraud.bench`` for figures.

- ``ela``: error level analysis — re-encode as JPEG and compare the error of the region with the references; a
  region pasted after the last compression (or compressed differently) stands out.
- ``noise``: the noise residual's spread in the region's paper against the references'.
- ``font``: ink darkness, stroke width (relative to text height) and ink colour against the references: a figure
  re-printed by another printer, face or pen.
- ``background``: the paper right behind the figure against the paper around it: a pasted patch that hides the
  ruling, seal ink or grain.
- ``copy_move``: blocks of the region that appear elsewhere on the page *with the same noise*: re-printed glyphs
  look alike, copied pixels carry their grain along.
- ``moire``: strong off-axis peaks in the spectrum of the page (screen pixel grid beating with the camera's).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from claims_ai.fraud.types import ForensicCheck, ForensicFinding, PageForensics
from claims_ai.types import Quad

__all__ = ["AMOUNT_FIELDS", "PageForensicsAnalyzer", "field_boxes"]

AMOUNT_FIELDS = ("total_amount",)
_MAX_COPY_BLOCKS = 6


@dataclass(frozen=True)
class _Rect:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    def crop(self, image: np.ndarray) -> np.ndarray:
        return image[self.y0 : self.y1, self.x0 : self.x1]

    def grown(self, margin: int, shape: tuple[int, ...]) -> _Rect:
        return _Rect(
            max(0, self.x0 - margin),
            max(0, self.y0 - margin),
            min(shape[1], self.x1 + margin),
            min(shape[0], self.y1 + margin),
        )


def _rect(box: Quad, shape: tuple[int, ...]) -> _Rect | None:
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    r = _Rect(
        max(0, int(min(xs))),
        max(0, int(min(ys))),
        min(shape[1], int(np.ceil(max(xs)))),
        min(shape[0], int(np.ceil(max(ys)))),
    )
    return r if r.width >= 6 and r.height >= 6 else None


def _robust_z(value: float, refs: list[float], floor: float, relative: float = 0.0) -> float:
    """|value − median| over the references' spread (MAD), the spread never below ``floor`` nor below
    ``relative`` × the median (error and noise levels scale with the page's quality)."""
    ref = np.asarray(refs, dtype=np.float64)
    median = float(np.median(ref))
    spread = max(float(np.median(np.abs(ref - median))) * 1.4826, floor, relative * abs(median))
    return abs(value - median) / spread


@dataclass(frozen=True)
class _InkStats:
    contrast: float  # (paper - ink) / paper
    stroke: float  # stroke width / text height
    chroma: float  # colourfulness of the ink
    evenness: float  # spread of the ink's darkness / contrast: ribbon and dot-matrix prints are uneven
    paper_noise: float  # spread of the noise residual in the paper pixels
    ela: float  # mean JPEG re-encoding error (ELA)


def _ink_stats(
    rgb: np.ndarray, grey: np.ndarray, residual: np.ndarray, ela: np.ndarray | None, r: _Rect
) -> _InkStats | None:
    g = r.crop(grey).astype(np.float32)
    if g.size < 36:
        return None
    paper, ink = float(np.percentile(g, 90)), float(np.percentile(g, 5))
    if paper - ink < 12:
        return None  # nothing printed here (or masked): no statistics
    mask = g < paper - 0.5 * (paper - ink)
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    stroke = 2.0 * float(dist[mask].mean()) / max(r.height, 1) if mask.any() else 0.0
    colour = r.crop(rgb).astype(np.float32)
    chroma = float((colour.max(axis=2) - colour.min(axis=2))[mask].mean()) if mask.any() else 0.0
    evenness = float(g[mask].std()) / (paper - ink) if mask.any() else 0.0
    res = r.crop(residual)
    paper_pixels = g > paper - 0.15 * (paper - ink)
    noise = float(np.median(np.abs(res[paper_pixels]))) * 1.4826 if paper_pixels.sum() > 20 else float("nan")
    ela_value = float(np.abs(colour - r.crop(ela)).mean()) if ela is not None else float("nan")
    return _InkStats((paper - ink) / max(paper, 1.0), stroke, chroma, evenness, noise, ela_value)


def _page_noise(grey: np.ndarray, residual: np.ndarray) -> float:
    """Grain of the paper: robust spread of the residual where the page is bright and flat."""
    step = 4  # every 4th pixel is plenty and keeps this cheap
    g, res = grey[::step, ::step], residual[::step, ::step]
    paper = g > np.percentile(g, 60)
    return float(np.median(np.abs(res[paper]))) * 1.4826 if paper.any() else 0.0


def _recompressed(rgb: np.ndarray, quality: int) -> np.ndarray:
    """The page encoded as JPEG once more and decoded (ELA compares each region with this, not the whole page:
    the difference over a full page cost more than everything else here)."""
    ok, buf = cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, quality])
    again = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else None
    return rgb if again is None else again


def _look_alikes(
    grey: np.ndarray, small: np.ndarray, x: int, y: int, side: int, candidates: int = 8
) -> list[tuple[int, int]]:
    """Top-left corners of up to ``candidates`` blocks elsewhere on the page that correlate ≥ 0.9 with the
    ``side``-pixel block at (x, y). Searched on the half-size page ``small`` (a quarter of the work of a
    full-size search, which took most of the forensics time), then placed to the pixel on the full page."""
    half = side // 2
    sx, sy = x // 2, y // 2
    scores = cv2.matchTemplate(small, small[sy : sy + half, sx : sx + half], cv2.TM_CCOEFF_NORMED)
    scores[max(0, sy - half) : sy + half, max(0, sx - half) : sx + half] = -1  # the block's own place
    block = grey[y : y + side, x : x + side]
    found = []
    for _ in range(candidates):
        _, peak, _, (cx, cy) = cv2.minMaxLoc(scores)
        if peak < 0.7:  # a copy at an odd pixel offset correlates less on the half-size page
            break
        scores[max(0, cy - half // 2) : cy + half // 2 + 1, max(0, cx - half // 2) : cx + half // 2 + 1] = -1
        x0, y0 = max(0, 2 * cx - 3), max(0, 2 * cy - 3)
        window = grey[y0 : 2 * cy + side + 3, x0 : 2 * cx + side + 3]
        if window.shape[0] < side or window.shape[1] < side:
            continue
        _, peak, _, (fx, fy) = cv2.minMaxLoc(cv2.matchTemplate(window, block, cv2.TM_CCOEFF_NORMED))
        mx, my = x0 + fx, y0 + fy
        if peak >= 0.9 and (abs(mx - x) >= side or abs(my - y) >= side):
            found.append((mx, my))
    return found


def _background_colour(rgb: np.ndarray, grey: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """Median colour of the brighter half of the masked pixels (paper, not ink or ruling)."""
    values = grey[mask]
    if values.size < 30:
        return None
    bright = mask & (grey >= np.median(values))
    return np.median(rgb[bright].astype(np.float32), axis=0)


def field_boxes(fields: Mapping[str, Any]) -> dict[str, Quad]:
    """``{name: box}`` from a page's extracted fields (anything with a ``box``: ``ExtractedField``, ``FieldValue``)."""
    return {name: f.box for name, f in fields.items() if getattr(f, "box", None) is not None}


class PageForensicsAnalyzer:
    """Stateless and thread-safe; thresholds are applied later, by the fraud features and rules."""

    def __init__(self, amount_fields: tuple[str, ...] = AMOUNT_FIELDS, *, ela_quality: int = 90) -> None:
        self.amount_fields = amount_fields
        self.ela_quality = ela_quality

    def analyze(
        self,
        image: np.ndarray,
        encoded: bytes | None = None,
        field_boxes: Mapping[str, Quad] | None = None,
        *,
        file: str = "",
        page: int = 1,
    ) -> PageForensics:
        """``image``: RGB uint8 (H, W, 3) as decoded; ``encoded``: the uploaded bytes when the page was a JPEG
        file (ELA runs only then); ``field_boxes``: field name → box in this image's pixels."""
        start = time.perf_counter()
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError("page forensics needs an RGB uint8 image of shape (H, W, 3)")
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        findings = [self._moire(grey)]
        boxes = dict(field_boxes or {})
        targets = [(name, boxes[name]) for name in self.amount_fields if boxes.get(name) is not None]
        if targets:
            residual = grey.astype(np.float32) - cv2.GaussianBlur(grey, (0, 0), 1.2).astype(np.float32)
            is_jpeg = encoded is not None and encoded[:2] == b"\xff\xd8"
            ela = _recompressed(image, self.ela_quality) if is_jpeg else None
            refs = [
                stats
                for name, box in boxes.items()
                if name not in self.amount_fields
                and box is not None
                and (r := _rect(box, grey.shape)) is not None
                and (stats := _ink_stats(image, grey, residual, ela, r)) is not None
            ]
            # Blurred before halving so that a copy's sub-pixel phase barely changes its correlation.
            blurred = cv2.GaussianBlur(grey, (0, 0), 1.0)
            small = cv2.resize(blurred, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
            for name, box in targets:
                findings.extend(self._amount_region(image, grey, small, residual, ela, name, box, refs))
        return PageForensics(file, page, tuple(findings), round((time.perf_counter() - start) * 1000, 2))

    def _amount_region(
        self,
        rgb: np.ndarray,
        grey: np.ndarray,
        small: np.ndarray,
        residual: np.ndarray,
        ela: np.ndarray | None,
        name: str,
        box: Quad,
        refs: list[_InkStats],
    ) -> list[ForensicFinding]:
        r = _rect(box, grey.shape)
        if r is None:
            return []
        sigma = _page_noise(grey, residual)
        out = [self._background(rgb, grey, name, box, r), self._copy_move(grey, small, sigma, name, box, r)]
        stats = _ink_stats(rgb, grey, residual, ela, r)
        if stats is None or len(refs) < 2:
            return out  # no reference values on this page: font, noise and ELA cannot be judged
        parts = {
            "ink": _robust_z(stats.contrast, [s.contrast for s in refs], 0.06),
            "stroke": _robust_z(stats.stroke, [s.stroke for s in refs], 0.025),
            "colour": _robust_z(stats.chroma, [s.chroma for s in refs], 10.0),
            "evenness": _robust_z(stats.evenness, [s.evenness for s in refs], 0.03),
        }
        font = float(np.sqrt(sum(z * z for z in parts.values())))
        detail = ", ".join(f"{k} {v:.1f}" for k, v in parts.items())
        out.append(ForensicFinding(ForensicCheck.FONT, font, name, box, f"z vs other printed values: {detail}"))
        noise_refs = [s.paper_noise for s in refs if not np.isnan(s.paper_noise)]
        if not np.isnan(stats.paper_noise) and len(noise_refs) >= 2:
            noise = _robust_z(stats.paper_noise, noise_refs, 0.4, 0.25)
            out.append(ForensicFinding(ForensicCheck.NOISE, noise, name, box, "paper noise vs other printed values"))
        if ela is not None:
            ela_z = _robust_z(stats.ela, [s.ela for s in refs], 0.15, 0.25)
            out.append(ForensicFinding(ForensicCheck.ELA, ela_z, name, box, "JPEG error level vs other printed values"))
        return out

    def _background(self, rgb: np.ndarray, grey: np.ndarray, name: str, box: Quad, r: _Rect) -> ForensicFinding:
        margin = max(6, r.height)
        outer = r.grown(margin, grey.shape)
        rgb_o, grey_o = outer.crop(rgb), outer.crop(grey)
        inner = np.zeros(grey_o.shape, bool)
        inner[r.y0 - outer.y0 : r.y1 - outer.y0, r.x0 - outer.x0 : r.x1 - outer.x0] = True
        ring = np.ones(grey_o.shape, bool)
        gap = r.grown(3, grey.shape)  # a few pixels of margin belong to neither side
        ring[gap.y0 - outer.y0 : gap.y1 - outer.y0, gap.x0 - outer.x0 : gap.x1 - outer.x0] = False
        inside = _background_colour(rgb_o, grey_o, inner)
        around = _background_colour(rgb_o, grey_o, ring)
        if inside is None or around is None:
            return ForensicFinding(ForensicCheck.BACKGROUND, 0.0, name, box, "too small to compare")
        step = float(np.abs(inside - around).max())
        return ForensicFinding(
            ForensicCheck.BACKGROUND, step / 4.0, name, box, f"paper behind the figure differs by {step:.1f} levels"
        )

    def _copy_move(
        self, grey: np.ndarray, small: np.ndarray, sigma: float, name: str, box: Quad, r: _Rect
    ) -> ForensicFinding:
        side = int(min(r.height, 48))
        if sigma < 0.8:
            return ForensicFinding(
                ForensicCheck.COPY_MOVE, 0.0, name, box, "page too clean to tell copies from reprints"
            )
        if side < 10:
            return ForensicFinding(ForensicCheck.COPY_MOVE, 0.0, name, box, "region too small")
        best = 0.0
        xs = list(range(r.x0, max(r.x0 + 1, r.x1 - side + 1), max(side // 2, 1)))[:_MAX_COPY_BLOCKS]
        for x in xs:
            a = grey[r.y0 : r.y0 + side, x : x + side].astype(np.float32)
            if a.shape != (side, side) or float(a.std()) < 12:
                continue  # flat paper matches everywhere: only inked blocks count
            for mx, my in _look_alikes(grey, small, x, r.y0, side):
                b = grey[my : my + side, mx : mx + side].astype(np.float32)
                # Re-printed glyphs differ by two independent grains (and sub-pixel edges); copied pixels do not.
                best = max(best, 1.0 - float(np.std(a - b)) / (np.sqrt(2.0) * sigma))
        return ForensicFinding(
            ForensicCheck.COPY_MOVE, max(best, 0.0), name, box, "noise correlation of the best look-alike block"
        )

    def _moire(self, grey: np.ndarray) -> ForensicFinding:
        h, w = grey.shape
        side = 256
        if h < side or w < side:
            return ForensicFinding(ForensicCheck.MOIRE, 0.0, None, None, "page too small")
        window = np.outer(np.hanning(side), np.hanning(side)).astype(np.float32)
        freq = np.fft.fftfreq(side)
        fy, fx = np.meshgrid(freq, freq, indexing="ij")
        radius = np.hypot(fx, fy)
        # mid/high band, away from both axes (text lines, ruling and page edges put their energy on the axes)
        band = (radius > 0.06) & (np.abs(fx) > 0.02) & (np.abs(fy) > 0.02)
        best = 0.0
        for cy, cx in ((h // 2, w // 2), (h // 4, w // 4), (3 * h // 4, 3 * w // 4)):
            y0, x0 = min(max(0, cy - side // 2), h - side), min(max(0, cx - side // 2), w - side)
            tile = grey[y0 : y0 + side, x0 : x0 + side].astype(np.float32)
            spectrum = np.abs(np.fft.fft2((tile - tile.mean()) * window))[band]
            median = float(np.median(spectrum))
            if median > 1e-6:
                best = max(best, float(np.log10(spectrum.max() / median)))
        return ForensicFinding(
            ForensicCheck.MOIRE, best, None, None, "log10 of the strongest off-axis peak over the median"
        )
