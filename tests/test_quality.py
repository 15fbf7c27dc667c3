"""Quality gate on pages degraded on purpose: each defect fails its own check and only that one's hint shows."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from claims_ai.config import QualityThresholds
from claims_ai.ingest.quality import HINTS, QualityGate
from claims_ai.types import OcrResult, PageImage, QualityCheckName, QualityReport

N = QualityCheckName


def _photo_paper(image: Image.Image) -> Image.Image:
    return Image.fromarray((np.asarray(image).astype(np.float32) * 0.82).astype(np.uint8))


def _glare(image: Image.Image) -> Image.Image:
    photo = _photo_paper(image)
    w, h = photo.size
    ImageDraw.Draw(photo).ellipse([w * 0.45, h * 0.3, w * 0.8, h * 0.7], fill=(255, 255, 255))
    return photo.filter(ImageFilter.GaussianBlur(2))


def _perspective(image: Image.Image) -> Image.Image:
    page = np.asarray(image)
    h, w = page.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * 0.25, h * 0.12], [w * 0.8, 0], [w, h], [0, h * 0.92]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    return Image.fromarray(cv2.warpPerspective(page, matrix, (w, h), borderValue=(90, 80, 70)))


DEGRADATIONS = {
    N.BLUR: lambda im: im.filter(ImageFilter.GaussianBlur(4)),
    N.DARK: lambda im: ImageEnhance.Brightness(im).enhance(0.2),
    N.WASHED_OUT: lambda im: Image.blend(im, Image.new("RGB", im.size, "white"), 0.8),
    N.GLARE: _glare,
    N.TEXT_TOO_SMALL: lambda im: im.resize((im.width // 5, im.height // 5), Image.LANCZOS),
    N.SKEW: lambda im: im.rotate(12, expand=True, fillcolor=(255, 255, 255)),
    N.PERSPECTIVE: _perspective,
    N.CUT_OFF: lambda im: im.crop((0, 0, int(im.width * 0.6), im.height)),
    N.NO_TEXT: lambda im: Image.new("RGB", im.size, (235, 235, 230)),
}


def _check(pipeline, image: Image.Image) -> QualityReport:
    array = np.ascontiguousarray(np.asarray(image.convert("RGB")))
    page = PageImage(source="t.png", file_index=0, page=1, source_format="png", image=array)
    return QualityGate(QualityThresholds()).check(page, pipeline._ocr.read(array))


@pytest.fixture(scope="module")
def clean_reports(pipeline, sample_files) -> list[QualityReport]:
    return [
        _check(pipeline, sample_files.bill),
        _check(pipeline, sample_files.record),
        _check(pipeline, _photo_paper(sample_files.bill)),
    ]


def test_clean_pages_pass_every_check(clean_reports) -> None:
    for report in clean_reports:
        assert report.passed, [(c.name, c.score) for c in report.failed]
        assert {c.name for c in report.checks} == set(N)
        assert all(c.hint_zh is None for c in report.checks)


@pytest.mark.parametrize("defect", list(DEGRADATIONS), ids=lambda d: d.value)
def test_each_defect_fails_its_check_with_a_hint(pipeline, sample_files, defect: QualityCheckName) -> None:
    report = _check(pipeline, DEGRADATIONS[defect](sample_files.bill))
    failed = {c.name: c for c in report.failed}
    assert defect in failed, [(c.name.value, c.score) for c in report.checks]
    assert not report.passed
    check = failed[defect]
    assert (check.hint_zh, check.hint_en) == HINTS[defect]
    assert check.score is not None


def test_blur_hint_is_the_member_facing_text(pipeline, sample_files) -> None:
    report = _check(pipeline, DEGRADATIONS[N.BLUR](sample_files.bill))
    blur = next(c for c in report.checks if c.name is N.BLUR)
    assert blur.hint_zh == "照片模糊，请对焦后重新拍摄"


def test_sharpness_falls_steadily_with_blur(pipeline, sample_files) -> None:
    scores = []
    for radius in (0, 1, 2, 4):
        report = _check(pipeline, sample_files.bill.filter(ImageFilter.GaussianBlur(radius)))
        scores.append(next(c.score for c in report.checks if c.name is N.BLUR))
    assert scores == sorted(scores, reverse=True)


def test_thresholds_are_configuration(pipeline, sample_files) -> None:
    array = np.asarray(sample_files.bill)
    page = PageImage(source="t.png", file_index=0, page=1, source_format="png", image=array)
    ocr = pipeline._ocr.read(array)
    strict = QualityGate(QualityThresholds(min_text_height_px=100)).check(page, ocr)
    assert N.TEXT_TOO_SMALL in {c.name for c in strict.failed}


def test_checks_without_text_are_not_evaluated(pipeline) -> None:
    blank = np.full((600, 800, 3), 250, np.uint8)
    page = PageImage(source="b.png", file_index=0, page=1, source_format="png", image=blank)
    report = QualityGate(QualityThresholds()).check(page, OcrResult(lines=(), orientation=0))
    by_name = {c.name: c for c in report.checks}
    assert by_name[N.NO_TEXT].passed is False
    for name in (N.TEXT_TOO_SMALL, N.SKEW, N.PERSPECTIVE, N.CUT_OFF):
        assert by_name[name].passed is None and by_name[name].score is None
