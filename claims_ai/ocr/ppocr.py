"""PaddleOCR PP-OCR (detection, direction, recognition) on onnxruntime, with the model files rapidocr ships.

rapidocr's stage objects supply the pre- and post-processing (DB box decoding, CTC decoding) in numpy; we
hand them sessions created by ``claims_ai.runtime`` so provider choice, threads and checksums are ours.
On top of them this engine finds the page orientation (0/90/180/270) once per page, crops every line in
its reading direction from the full-resolution page, and returns lines in reading order.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
from rapidocr.ch_ppocr_cls import TextClassifier
from rapidocr.ch_ppocr_det import TextDetector
from rapidocr.ch_ppocr_rec import TextRecInput, TextRecognizer
from rapidocr.utils.typings import EngineType, OCRVersion

from claims_ai.config import OcrSettings
from claims_ai.errors import InferenceError
from claims_ai.geometry import upright_points
from claims_ai.runtime.manifest import ModelManifest, ModelSpec, open_model
from claims_ai.types import OcrResult, Quad, TextLine

__all__ = ["PpOcrEngine", "reading_order"]

log = logging.getLogger(__name__)
# rapidocr logs every stage construction at INFO through its own colour handler; keep its warnings only.
logging.getLogger("RapidOCR").setLevel(logging.WARNING)

_CLS_CONFIDENT = 0.9  # direction votes below this confidence are ignored
_MIN_CROP_SIDE = 2
_LABEL_THEN_FIGURE = re.compile(r"^(.*[\u4e00-\u9fff）)])([\d,.:;]*\d)$")  # "个人现金支付5159.80"
_TRAILING_FIGURE = re.compile(r"\d[\d,.:;]*\d$")
_FORM_INK_CHROMA = 40  # max − min of R, G, B: form inks are far above it, black and grey print below
_RESTORE_CONFIDENCE = 0.9
_SEAL_REDNESS = 40  # R − max(G, B) of seal ink; black print and blue handwriting are far below it
_MIN_RED_SHARE = 0.002  # of the page: less is no seal
_MIN_RED_SHARE_IN_LINE = 0.01  # of a line's box: a line under a seal


class _StageConfig(dict):
    """rapidocr's stage classes read their configuration both as ``cfg[key]`` and ``cfg.key``."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc


class PpOcrEngine:
    def __init__(self, settings: OcrSettings, manifest: ModelManifest) -> None:
        self._settings = settings
        det, cls, rec = (manifest.get(n) for n in ("ocr_det", "ocr_cls", "ocr_rec"))
        common = {"engine_type": EngineType.ONNXRUNTIME, "lang_type": "ch"}
        detection = _StageConfig(
            common,
            session=self._session(det),
            limit_side_len=736,
            limit_type="min",
            mean=[0.5, 0.5, 0.5],
            std=[0.5, 0.5, 0.5],
            thresh=0.3,
            box_thresh=settings.det_box_threshold,
            max_candidates=1000,
            unclip_ratio=1.6,
            use_dilation=True,
            score_mode="fast",
        )
        self._det = TextDetector(detection)
        # The red channel of a page with seals is searched again at half the scale, on the same session.
        seal_side = max(320, settings.det_max_side // 2)
        self._seal_det = TextDetector(_StageConfig(detection, limit_side_len=seal_side, limit_type="max"))
        self._cls = TextClassifier(
            _StageConfig(
                common,
                session=self._session(cls),
                ocr_version=OCRVersion.PPOCRV4,
                cls_batch_num=16,
                cls_thresh=1.1,  # never flip single lines: the page-level vote decides
                label_list=["0", "180"],
            )
        )
        self._rec = TextRecognizer(
            _StageConfig(
                common, session=self._session(rec), rec_batch_num=8, rec_img_shape=[3, 48, 320], font_path=None
            )
        )
        self._versions = {spec.name: spec.version_tag for spec in (det, cls, rec)}

    def _session(self, spec: ModelSpec) -> Any:
        settings = self._settings
        return open_model(
            spec, provider=settings.provider, threads=settings.onnx_threads(), device_id=settings.cuda_device_id
        )

    @property
    def versions(self) -> Mapping[str, str]:
        return self._versions

    def read(self, image: np.ndarray) -> OcrResult:
        bgr = np.ascontiguousarray(image[:, :, ::-1])
        try:
            quads = self._detect(bgr)
            if len(quads) == 0:
                return OcrResult(lines=(), orientation=0)
            orientation, quads, crops = self._orient_and_crop(bgr, quads)
            rec = self._rec(TextRecInput(img=crops))
            texts = self._restore_figures(crops, [text.strip() for text in rec.txts or ()])
            read = list(zip(quads, texts, rec.scores, strict=True)) + self._under_seals(bgr, quads, orientation)
        except Exception as exc:  # onnxruntime and rapidocr raise untyped errors
            raise InferenceError(f"OCR failed on a {image.shape[1]}x{image.shape[0]} page: {exc}") from exc
        minimum = self._settings.min_text_score
        lines = [
            TextLine(text=text, confidence=float(score), box=_as_quad(_text_order(quad, orientation)))
            for quad, text, score in read
            if text and score >= minimum
        ]
        height, width = image.shape[:2]
        return OcrResult(lines=reading_order(lines, orientation, width, height), orientation=orientation)

    def _restore_figures(self, crops: list[np.ndarray], texts: list[str]) -> list[str]:
        """A figure printed over its form label (a misfed slip) loses the digits that overlap the label:
        "医保统筹基金支付7195.18" for 37195.18. Form labels are printed in coloured ink and figures in black, so
        such a line is read again with the coloured ink removed; the figure is taken only when it is the one
        read before with one or two more leading digits, read confidently."""
        candidates = [i for i, text in enumerate(texts) if _LABEL_THEN_FIGURE.match(text)]
        cleaned = [(i, crop) for i in candidates if (crop := _without_form_ink(crops[i])) is not None]
        if not cleaned:
            return texts
        again = self._rec(TextRecInput(img=[crop for _, crop in cleaned]))
        restored = list(texts)
        for (i, _), text, score in zip(cleaned, again.txts or (), again.scores, strict=True):
            label, figure = _LABEL_THEN_FIGURE.match(texts[i]).groups()  # type: ignore[union-attr]
            found = _TRAILING_FIGURE.search(text.strip())
            if found is None or score < _RESTORE_CONFIDENCE:
                continue
            old, new = re.sub(r"\D", "", figure), re.sub(r"\D", "", found.group())
            if new.endswith(old) and 1 <= len(new) - len(old) <= 2:
                restored[i] = label + found.group()
        return restored

    def _under_seals(self, bgr: np.ndarray, found: np.ndarray, orientation: int) -> list[tuple[np.ndarray, str, float]]:
        """Lines a red seal hid from the detector (its ring breaks up the text it lies on: on e-invoices the
        payee's name and a payment line under the seal were not found at all). On a page with red ink the red
        channel, in which red ink is as light as the paper, is searched again at half the scale; lines found
        there that lie under red ink and over no line found before are read from it."""
        if not self._settings.search_under_seals:
            return []
        red = _red_ink(bgr)
        if red.mean() < _MIN_RED_SHARE:
            return []
        grey = np.ascontiguousarray(np.repeat(bgr[:, :, 2:3], 3, axis=2))
        if orientation % 180 == 90:  # searched turned upright, as the page was
            quads = _from_turned_upright(
                self._detect(np.ascontiguousarray(np.rot90(grey, k=1)), self._seal_det), bgr.shape[1]
            )
        else:
            quads = self._detect(grey, self._seal_det)
        known = [_bounds(q) for q in found]
        new = []
        for quad in quads:
            box = _bounds(quad)
            x0, y0, x1, y1 = (max(0, int(v)) for v in box)
            under = red[y0 : y1 + 1, x0 : x1 + 1]
            under_red = under.size > 0 and under.mean() >= _MIN_RED_SHARE_IN_LINE
            if under_red and sum(_overlap(box, other) for other in known) < 0.3 * _area(box):
                new.append(quad)
        if not new:
            return []
        rec = self._rec(TextRecInput(img=[_crop(grey, _text_order(q, orientation)) for q in new]))
        return [(q, text.strip(), score) for q, text, score in zip(new, rec.txts or (), rec.scores, strict=True)]

    def _detect(self, bgr: np.ndarray, detector: TextDetector | None = None) -> np.ndarray:
        """Quads (N, 4, 2) in page pixels, corners clockwise from the image's top-left (``detector``: the page's
        own by default)."""
        height, width = bgr.shape[:2]
        scale = min(1.0, self._settings.det_max_side / max(height, width))
        small = (
            bgr
            if scale == 1.0
            else cv2.resize(
                bgr, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
            )
        )
        result = (detector or self._det)(small)
        if result.boxes is None or len(result.boxes) == 0:
            return np.zeros((0, 4, 2), dtype=np.float32)
        return np.asarray(result.boxes, dtype=np.float32) / scale

    def _orient_and_crop(self, bgr: np.ndarray, quads: np.ndarray) -> tuple[int, np.ndarray, list[np.ndarray]]:
        """Page orientation from line shapes (0/180 vs 90/270) and the direction classifier's vote. A page
        turned on its side is detected again turned upright: the detector, trained on upright text, misses or
        splits many lines of a sideways photo (on our photos, 22% of field values against 6% upright)."""
        if _base_orientation(quads) == 90:
            upright = np.ascontiguousarray(np.rot90(bgr, k=1))  # content turned back 90° counter-clockwise
            again = self._detect(upright)
            if len(again):
                quads = _from_turned_upright(again, bgr.shape[1])
        base = _base_orientation(quads)
        crops = [_crop(bgr, _text_order(q, base)) for q in quads]
        labels = self._cls(crops).cls_res or []
        confident = [label for label, score in labels if score >= _CLS_CONFIDENT]
        flipped = sum(label == "180" for label in confident)
        if confident and flipped / len(confident) >= self._settings.rotation_vote:
            return base + 180, quads, [cv2.rotate(c, cv2.ROTATE_180) for c in crops]
        return base, quads, crops


def _without_form_ink(crop: np.ndarray) -> np.ndarray | None:
    """The crop with coloured ink (the pre-printed form: red, blue, green, brown) painted over with the paper's
    colour; None when there is almost no coloured ink (a black-and-white page, or colours washed out)."""
    pixels = crop.astype(np.int16)
    chroma = pixels.max(axis=2) - pixels.min(axis=2)
    lightness = pixels.mean(axis=2)
    coloured = chroma > _FORM_INK_CHROMA
    if coloured.mean() < 0.01:
        return None
    # Also the coloured strokes' soft edges, but never a dark grey pixel: that is the figure's own ink.
    grey_ink = (chroma <= _FORM_INK_CHROMA) & (lightness < 110)
    mask = cv2.dilate(coloured.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~grey_ink
    paper = crop[~coloured & (lightness > 150)]
    cleaned = crop.copy()
    cleaned[mask] = np.median(paper, axis=0) if len(paper) else 255
    return cleaned


_Box = tuple[float, float, float, float]


def _red_ink(bgr: np.ndarray) -> np.ndarray:
    pixels = bgr.astype(np.int16)
    return (pixels[:, :, 2] - np.maximum(pixels[:, :, 0], pixels[:, :, 1])) > _SEAL_REDNESS


def _bounds(quad: np.ndarray) -> _Box:
    (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _area(box: _Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _overlap(a: _Box, b: _Box) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _base_orientation(quads: np.ndarray) -> int:
    """90 when more lines run down the image than across it, else 0 (the direction classifier adds 180)."""
    sides = np.linalg.norm(quads[:, 1] - quads[:, 0], axis=1), np.linalg.norm(quads[:, 3] - quads[:, 0], axis=1)
    horizontal = int(np.sum(sides[0] >= 1.5 * sides[1]))
    vertical = int(np.sum(sides[1] >= 1.5 * sides[0]))
    return 90 if vertical > horizontal else 0


def _from_turned_upright(quads: np.ndarray, width: int) -> np.ndarray:
    """Quads found in the page turned 90° counter-clockwise, back in the page's own pixels, corners again
    clockwise from the image's top-left (a point (x', y') there was (width − 1 − y', x') here)."""
    back = np.stack([width - 1 - quads[:, :, 1], quads[:, :, 0]], axis=-1)
    return np.roll(back, 1, axis=1)


def _text_order(quad: np.ndarray, orientation: int) -> np.ndarray:
    """Corners re-listed from the text's own top-left when the page content is turned ``orientation``° CW."""
    return np.roll(quad, -(orientation // 90), axis=0)


def _crop(bgr: np.ndarray, quad: np.ndarray) -> np.ndarray:
    width = max(_MIN_CROP_SIDE, round(float(np.linalg.norm(quad[1] - quad[0]))))
    height = max(_MIN_CROP_SIDE, round(float(np.linalg.norm(quad[3] - quad[0]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(bgr, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _as_quad(quad: np.ndarray) -> Quad:
    p = [(round(float(x), 1), round(float(y), 1)) for x, y in quad]
    return (p[0], p[1], p[2], p[3])


def reading_order(lines: list[TextLine], orientation: int, width: int, height: int) -> tuple[TextLine, ...]:
    """Top-to-bottom rows (lines whose centres lie within half a line height), left to right in each row."""
    if not lines:
        return ()
    upright, _, _ = upright_points(np.array([ln.box for ln in lines]), orientation, width, height)
    centre_y = upright[:, :, 1].mean(axis=1)
    left_x = upright[:, :, 0].min(axis=1)
    heights = np.linalg.norm(upright[:, 3] - upright[:, 0], axis=1)
    tolerance = 0.5 * float(np.median(heights))
    rows: list[list[int]] = []
    row_y = 0.0
    for index in np.argsort(centre_y, kind="stable"):
        if rows and centre_y[index] - row_y <= tolerance:
            rows[-1].append(int(index))
        else:
            rows.append([int(index)])
            row_y = float(centre_y[index])
    return tuple(lines[i] for row in rows for i in sorted(row, key=lambda i: left_x[i]))
