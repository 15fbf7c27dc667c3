"""Ingest: every format from its content, EXIF orientation, limits, and one typed error per bad-input code."""

from __future__ import annotations

import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from claims_ai.config import IngestLimits, Settings
from claims_ai.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    InputError,
    TooLargeError,
    TooManyPagesError,
    TooManyPixelsError,
    UnsupportedFormatError,
)
from claims_ai.ingest.decode import decode_file, sniff_format

LIMITS = IngestLimits()


def _encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _marked_image() -> Image.Image:
    """White page with a red square in the top-left corner, so orientation is visible in pixels."""
    image = Image.new("RGB", (300, 200), "white")
    image.paste((255, 0, 0), (0, 0, 60, 40))
    return image


@pytest.mark.parametrize(
    ("fmt", "kwargs", "expected"),
    [
        ("JPEG", {"quality": 92}, "jpeg"),
        ("PNG", {}, "png"),
        ("BMP", {}, "bmp"),
        ("WEBP", {"quality": 90}, "webp"),
        ("TIFF", {}, "tiff"),
        ("HEIF", {"quality": 90}, "heic"),
    ],
)
def test_image_formats_decode_to_rgb_pages(fmt: str, kwargs: dict, expected: str) -> None:
    if fmt == "HEIF":
        pillow_heif.register_heif_opener()
    data = _encode(_marked_image(), fmt, **kwargs)
    # The name says PDF on purpose: the format comes from the content.
    pages = decode_file(data, "upload.pdf", 0, LIMITS)
    assert sniff_format(data) in (expected, "heif")
    assert len(pages) == 1
    page = pages[0]
    assert page.image.dtype == np.uint8 and page.image.shape == (200, 300, 3)
    red = page.image[10, 10]
    assert red[0] > 200 and red[1] < 80, "colours must come out as RGB"


def test_multipage_tiff_gives_every_frame() -> None:
    frames = [Image.new("RGB", (120, 80), c) for c in ("white", "gray", "black")]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    pages = decode_file(data, "scan.tif", 3, LIMITS)
    assert [p.page for p in pages] == [1, 2, 3]
    assert [int(p.image.mean()) for p in pages] == [255, 128, 0]
    assert all(p.file_index == 3 and p.source == "scan.tif" for p in pages)


def test_pdf_pages_render_at_configured_dpi(sample_files) -> None:
    pages = decode_file(sample_files.three_page_pdf, "three.pdf", 0, IngestLimits(pdf_dpi=100))
    assert len(pages) == 3
    # Page 1 was an A4 image (1654 x 2339 px) embedded at 200 DPI: at 100 DPI it renders at half size.
    assert abs(pages[0].width - 827) <= 2 and abs(pages[0].height - 1170) <= 2
    assert pages[0].dpi == 100
    assert all(p.source_format == "pdf" for p in pages)


def test_exif_orientation_is_applied() -> None:
    image = _marked_image()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": phones store the sensor image plus this tag
    pages = decode_file(_encode(image, "JPEG", exif=exif, quality=95), "phone.jpg", 0, LIMITS)
    page = pages[0].image
    assert page.shape == (300, 200, 3)
    # After a 90° clockwise turn the red corner sits at the top-right.
    assert page[10, 190][0] > 200 and page[10, 190][1] < 80
    assert page[10, 10][1] > 200


def test_transparent_png_is_laid_on_white() -> None:
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    page = decode_file(_encode(image, "PNG"), "x.png", 0, LIMITS)[0]
    assert page.image.min() == 255


@pytest.mark.parametrize(
    ("attribute", "limits", "error", "code"),
    [
        ("empty", LIMITS, EmptyFileError, "empty_file"),
        ("text", LIMITS, UnsupportedFormatError, "unsupported_format"),
        ("gif", LIMITS, UnsupportedFormatError, "unsupported_format"),
        ("truncated_jpeg", LIMITS, CorruptFileError, "corrupt_file"),
        ("corrupt_pdf", LIMITS, CorruptFileError, "corrupt_file"),
        ("encrypted_pdf", LIMITS, EncryptedPdfError, "encrypted_pdf"),
        ("bill_jpeg", IngestLimits(max_file_bytes=10_000), TooLargeError, "too_large"),
        ("three_page_pdf", IngestLimits(max_pages_per_file=2), TooManyPagesError, "too_many_pages"),
        ("bomb_png", LIMITS, TooManyPixelsError, "too_many_pixels"),
        ("bill_png", IngestLimits(max_page_pixels=1_000_000), TooManyPixelsError, "too_many_pixels"),
    ],
)
def test_bad_inputs_raise_typed_errors_with_guidance(sample_files, attribute, limits, error, code) -> None:
    with pytest.raises(error) as caught:
        decode_file(getattr(sample_files, attribute), "member-upload", 0, limits)
    exc = caught.value
    assert isinstance(exc, InputError)
    assert exc.code == code
    assert exc.file == "member-upload"
    assert "lease" in exc.message, "every message tells the member what to do"


def test_too_many_pages_in_tiff() -> None:
    frames = [Image.new("L", (20, 20), v) for v in (0, 100, 200)]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(TooManyPagesError):
        decode_file(data, "scan.tif", 0, IngestLimits(max_pages_per_file=2))


def test_limits_come_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMS_AI_LIMITS__PDF_DPI", "300")
    monkeypatch.setenv("CLAIMS_AI_LIMITS__MAX_PAGES_PER_FILE", "7")
    limits = Settings(_env_file=None).limits  # type: ignore[call-arg]
    assert limits.pdf_dpi == 300 and limits.max_pages_per_file == 7


def test_bad_settings_fail_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("CLAIMS_AI_LIMITS__PDF_DPI", "5")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]
