"""Page forensics: an altered amount region, a pasted JPEG region, copied pixels and a screen photo each score well
above the same page untouched."""

from __future__ import annotations

import numpy as np
import pytest
from fraud_helpers import PAGE_BOXES, altered, jpeg, page_image

from claims_ai.fraud.forensics import PageForensicsAnalyzer
from claims_ai.fraud.types import ForensicCheck, PageForensics


def _score(result: PageForensics, check: ForensicCheck) -> float:
    found = result.worst(check)
    assert found is not None, check
    return found.score


@pytest.fixture(scope="module")
def analyzer() -> PageForensicsAnalyzer:
    return PageForensicsAnalyzer()


def test_a_reprinted_total_stands_out_by_font_and_background(analyzer: PageForensicsAnalyzer) -> None:
    clean, clean_bytes = jpeg(page_image(1), 85)
    edited, edited_bytes = jpeg(altered(page_image(1)), 85)
    before = analyzer.analyze(clean, clean_bytes, PAGE_BOXES, file="p.jpg", page=2)
    after = analyzer.analyze(edited, edited_bytes, PAGE_BOXES, file="p.jpg", page=2)
    assert _score(after, ForensicCheck.FONT) > 6.5 > 2 * _score(before, ForensicCheck.FONT)
    finding = after.worst(ForensicCheck.FONT)
    assert finding is not None and finding.field == "total_amount" and finding.box == PAGE_BOXES["total_amount"]
    assert after.file == "p.jpg" and after.page == 2


def test_a_region_pasted_into_a_jpeg_shows_in_its_error_level(analyzer: PageForensicsAnalyzer) -> None:
    original = page_image(2)
    once, _ = jpeg(original, 70)  # the page as first saved
    pasted = once.copy()
    (x0, y0), _, (x1, y1), _ = PAGE_BOXES["total_amount"]
    region = (slice(int(y0), int(y1)), slice(int(x0), int(x1)))
    pasted[region] = original[region]  # never compressed: its error level differs from the rest
    untouched, untouched_bytes = jpeg(once, 95)
    edited, edited_bytes = jpeg(pasted, 95)
    clean = _score(analyzer.analyze(untouched, untouched_bytes, PAGE_BOXES), ForensicCheck.ELA)
    spliced = _score(analyzer.analyze(edited, edited_bytes, PAGE_BOXES), ForensicCheck.ELA)
    assert spliced > 4.0 > clean


def test_ela_runs_only_on_jpeg_uploads(analyzer: PageForensicsAnalyzer) -> None:
    result = analyzer.analyze(page_image(3), b"\x89PNG....", PAGE_BOXES)
    assert result.worst(ForensicCheck.ELA) is None


@pytest.mark.parametrize("shift", [(0, 0), (1, 0), (1, 1)], ids=["even", "odd-x", "odd-xy"])
def test_digits_copied_from_elsewhere_on_the_page_carry_their_noise(
    analyzer: PageForensicsAnalyzer, shift: tuple[int, int]
) -> None:
    # An odd pixel offset between copy and source: the search runs on a half-size page first, where such a copy
    # lands between pixels.
    page = page_image(4, grain=4.0)
    copied = page.copy()
    (x0, y0), _, (_, y1), _ = PAGE_BOXES["total_amount"]
    (sx, sy), *_ = PAGE_BOXES["insurance_fund_paid"]
    sx, sy = int(sx) + shift[0], int(sy) + shift[1]
    h = int(y1 - y0)
    copied[int(y0) : int(y0) + h, int(x0) : int(x0) + 200] = page[sy : sy + h, sx : sx + 200]
    untouched = _score(analyzer.analyze(page, None, PAGE_BOXES), ForensicCheck.COPY_MOVE)
    moved = _score(analyzer.analyze(copied, None, PAGE_BOXES), ForensicCheck.COPY_MOVE)
    assert moved > 0.6 > 0.3 > untouched


def test_a_photo_of_a_screen_has_moire(analyzer: PageForensicsAnalyzer) -> None:
    page = page_image(5).astype(np.float32)
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    screen = page * (0.85 + 0.15 * np.sin(2 * np.pi * (0.23 * xx + 0.19 * yy)))[..., None]
    plain = _score(analyzer.analyze(page_image(5), None), ForensicCheck.MOIRE)
    moire = _score(analyzer.analyze(screen.clip(0, 255).astype(np.uint8), None), ForensicCheck.MOIRE)
    assert moire > 3.0 > plain


def test_pages_without_amount_boxes_get_the_page_checks_only(analyzer: PageForensicsAnalyzer) -> None:
    result = analyzer.analyze(page_image(6), None, {})
    assert [f.check for f in result.findings] == [ForensicCheck.MOIRE]
    with pytest.raises(ValueError, match="RGB uint8"):
        analyzer.analyze(np.zeros((10, 10), np.uint8), None)
