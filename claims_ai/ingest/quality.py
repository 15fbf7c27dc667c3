"""Quality gate: tells the member, per page, what would stop a person or a machine from reading it.

It reports and never blocks. Exposure and glare are measured on the image; sharpness, text size, skew,
perspective and cut-off edges are measured on the text lines OCR found, which is where they matter and
where they can be measured independently of how much paper is in the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from claims_ai.config import QualityThresholds
from claims_ai.types import OcrResult, PageImage, QualityCheck, QualityCheckName, QualityReport, TextLine

__all__ = ["HINTS", "QualityGate"]

HINTS: dict[QualityCheckName, tuple[str, str]] = {
    QualityCheckName.BLUR: ("照片模糊，请对焦后重新拍摄", "The photo is blurred. Please focus and take it again."),
    QualityCheckName.DARK: (
        "照片太暗，请在光线充足的地方重新拍摄",
        "The photo is too dark. Please take it again in good light.",
    ),
    QualityCheckName.WASHED_OUT: (
        "照片过曝或字迹太淡，请避开强光重新拍摄",
        "The photo is washed out or the print is too faint. Avoid strong light and take it again.",
    ),
    QualityCheckName.GLARE: (
        "照片有反光，请调整角度避开灯光后重新拍摄",
        "There is glare on the page. Tilt the page away from the light and take it again.",
    ),
    QualityCheckName.NO_TEXT: (
        "未识别到文字，请确认拍摄的是理赔材料，且完整清晰",
        "No text was found. Make sure the photo shows the claim document, whole and in focus.",
    ),
    QualityCheckName.TEXT_TOO_SMALL: (
        "文字太小，请靠近拍摄或提高扫描分辨率",
        "The text is too small to read. Move closer, or scan at a higher resolution (300 DPI).",
    ),
    QualityCheckName.SKEW: (
        "页面歪斜，请将材料摆正后重新拍摄",
        "The page is tilted. Lay it straight and take the photo again.",
    ),
    QualityCheckName.PERSPECTIVE: (
        "拍摄角度倾斜，请将手机正对材料、与纸面平行拍摄",
        "The photo is taken at an angle. Hold the phone flat, straight above the page.",
    ),
    QualityCheckName.CUT_OFF: (
        "材料边缘被裁切，请把整页都拍进照片里",
        "Part of the page is cut off. Make sure the whole page is inside the photo.",
    ),
}

_ANALYSIS_SIDE = 1200  # exposure and glare are measured on a copy this size
_LINE_HEIGHT = 32  # text crops are scaled to this height before measuring sharpness
_MAX_LINES_FOR_SHARPNESS = 40
_MIN_LINES_FOR_SHARPNESS = 3
_BORDER_PX = 3


@dataclass(frozen=True)
class _LineGeometry:
    angle: float  # degrees from horizontal in the upright page, positive clockwise
    length: float
    height: float
    touches_border: bool


class QualityGate:
    """``check(page, ocr)`` → ``QualityReport``. Thresholds are fixed at construction."""

    def __init__(self, thresholds: QualityThresholds) -> None:
        self._t = thresholds

    def check(self, page: PageImage, ocr: OcrResult) -> QualityReport:
        gray = cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY)
        small, scale = _downscale(gray, _ANALYSIS_SIDE)
        text_mask = _text_mask(small.shape, ocr.lines, scale)
        geometry = [_geometry(line, ocr.orientation, page.width, page.height) for line in ocr.lines]
        t = self._t

        dark = _at_least(QualityCheckName.DARK, float(np.percentile(small, 90)) / 255.0, t.min_brightness)
        # A dark page also has little contrast; telling the member it is washed out too would contradict.
        contrast = None if dark.passed is False else _contrast(small, text_mask)
        checks = [
            _at_least(QualityCheckName.BLUR, _sharpness(gray, small, ocr.lines, text_mask), t.min_sharpness),
            dark,
            _at_least(QualityCheckName.WASHED_OUT, contrast, t.min_contrast),
            _at_most(QualityCheckName.GLARE, _glare(small, text_mask), t.max_glare),
            _at_least(QualityCheckName.NO_TEXT, float(len(ocr.lines)), 1.0),
        ]
        readable = [g for g in geometry if g.length >= 2 * g.height]
        heights = [g.height for g in geometry]
        angles = [g.angle for g in readable]
        checks += [
            _at_least(
                QualityCheckName.TEXT_TOO_SMALL,
                float(np.median(heights)) if heights else None,
                t.min_text_height_px,
            ),
            _at_most(QualityCheckName.SKEW, abs(float(np.median(angles))) if angles else None, t.max_skew_degrees),
            _at_most(
                QualityCheckName.PERSPECTIVE,
                float(np.percentile(angles, 90) - np.percentile(angles, 10)) if len(angles) >= 5 else None,
                t.max_perspective_degrees,
            ),
            _at_most(
                QualityCheckName.CUT_OFF,
                sum(g.touches_border for g in geometry) / len(geometry) if geometry else None,
                t.max_cut_off,
            ),
        ]
        return QualityReport(passed=all(c.passed is not False for c in checks), checks=tuple(checks))


def _result(name: QualityCheckName, score: float | None, threshold: float, ok: bool | None) -> QualityCheck:
    hint_zh, hint_en = HINTS[name] if ok is False else (None, None)
    return QualityCheck(name, score, threshold, ok, hint_zh, hint_en)


def _at_least(name: QualityCheckName, score: float | None, threshold: float) -> QualityCheck:
    return _result(name, score, threshold, None if score is None else score >= threshold)


def _at_most(name: QualityCheckName, score: float | None, threshold: float) -> QualityCheck:
    return _result(name, score, threshold, None if score is None else score <= threshold)


def _downscale(gray: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, side / max(gray.shape))
    if scale == 1.0:
        return gray, 1.0
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale


def _text_mask(shape: tuple[int, ...], lines: tuple[TextLine, ...], scale: float) -> np.ndarray:
    mask = np.zeros(shape[:2], dtype=np.uint8)
    for line in lines:
        cv2.fillPoly(mask, [np.round(np.array(line.box) * scale).astype(np.int32)], 1)
    return mask.astype(bool)


def _steepness(gray: np.ndarray, contrast: float) -> float:
    """Strongest gradients relative to the page's ink/paper contrast: ≈1 for crisp print, → 0 when blurred."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.sqrt(gx * gx + gy * gy) / 4.0  # Sobel 3x3 gain is 4
    return float(np.percentile(magnitude, 99)) / contrast


def _sharpness(gray: np.ndarray, small: np.ndarray, lines: tuple[TextLine, ...], text_mask: np.ndarray) -> float | None:
    """Median edge steepness over text lines scaled to a common height, so the score means 'readable'.

    Normalised by the contrast of the whole page's text, not of each line: blur lowers the peak contrast of
    thin strokes, and that loss is part of what makes a page unreadable.
    """
    pixels = small[text_mask] if text_mask.sum() > 200 else small.ravel()
    low, high = np.percentile(pixels, (0.5, 99.5))
    contrast = float(high - low)
    if contrast < 20:
        return None
    if len(lines) < _MIN_LINES_FOR_SHARPNESS:  # a heavily blurred page keeps only its largest titles
        return _steepness(small, contrast)
    ranked = sorted(lines, key=lambda ln: -_quad_size(ln.box)[0])[:_MAX_LINES_FOR_SHARPNESS]
    crops = [_crop_line(gray, line.box) for line in ranked]
    scores = [_steepness(crop, contrast) for crop in crops if crop is not None]
    return float(np.median(scores)) if scores else None


def _crop_line(gray: np.ndarray, box: tuple) -> np.ndarray | None:
    width, height = _quad_size(box)
    if height < 4 or width < 4:
        return None
    target_w = max(8, round(width * _LINE_HEIGHT / height))
    src = np.array(box, dtype=np.float32)
    dst = np.array([[0, 0], [target_w, 0], [target_w, _LINE_HEIGHT], [0, _LINE_HEIGHT]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        gray, matrix, (target_w, _LINE_HEIGHT), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


def _contrast(small: np.ndarray, text_mask: np.ndarray) -> float:
    pixels = small[text_mask] if text_mask.sum() > 200 else small.ravel()
    low, high = np.percentile(pixels, (1, 99))
    return float(high - low) / 255.0


def _glare(small: np.ndarray, text_mask: np.ndarray) -> float:
    """Share of the page blown out to white in patches, where the paper itself is not white."""
    pixels = small[text_mask] if text_mask.sum() > 200 else small.ravel()
    paper = float(np.percentile(pixels, 75))
    if paper >= 235:  # scans and e-invoices are white paper, not glare
        return 0.0
    blown = (small >= 250).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    patches = cv2.morphologyEx(blown, cv2.MORPH_OPEN, kernel)
    return float(patches.mean())


def _quad_size(box: tuple) -> tuple[float, float]:
    p = np.array(box, dtype=np.float64)
    width = (np.linalg.norm(p[1] - p[0]) + np.linalg.norm(p[2] - p[3])) / 2
    height = (np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2
    return float(width), float(height)


def _geometry(line: TextLine, orientation: int, page_w: int, page_h: int) -> _LineGeometry:
    p = np.array(line.box, dtype=np.float64)
    dx, dy = p[1] - p[0]
    # The box starts at the text's top-left, so its first edge points along the text; undo the page turn.
    angle = (math.degrees(math.atan2(dy, dx)) - orientation + 180.0) % 360.0 - 180.0
    width, height = _quad_size(line.box)
    touches = bool(
        p[:, 0].min() <= _BORDER_PX
        or p[:, 1].min() <= _BORDER_PX
        or p[:, 0].max() >= page_w - 1 - _BORDER_PX
        or p[:, 1].max() >= page_h - 1 - _BORDER_PX
    )
    return _LineGeometry(angle=angle, length=width, height=height, touches_border=touches)
