"""Bytes → pages. The format is taken from the content (magic bytes), never from the file name.

Images: JPEG, PNG, TIFF (every frame), BMP, WebP, HEIC/HEIF; PDF pages are rendered with pypdfium2.
Pillow, pillow-heif and pdfium errors are translated into ``claims_ai.errors`` here.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from io import BytesIO

import filetype
import numpy as np
import pillow_heif
import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from claims_ai.config import IngestLimits
from claims_ai.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    TooLargeError,
    TooManyPagesError,
    TooManyPixelsError,
    UnsupportedFormatError,
)
from claims_ai.types import PageImage

__all__ = ["SUPPORTED_FORMATS", "decode_file", "sniff_format"]

pillow_heif.register_heif_opener()

# MIME type reported by `filetype` → our format name. Anything else is unsupported.
_MIME_TO_FORMAT = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/tiff": "tiff",
    "image/bmp": "bmp",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/avif": "heif",
    "application/pdf": "pdf",
}
SUPPORTED_FORMATS = ("jpeg", "png", "tiff", "bmp", "webp", "heic", "heif", "pdf")
_PILLOW_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "BMP", "DIB", "WEBP", "HEIF", "AVIF"}
_WHAT_TO_SEND = "Please upload a photo (JPEG, PNG, HEIC, WebP, BMP, TIFF) or a PDF."
_PDF_POINTS_PER_INCH = 72.0


def sniff_format(data: bytes) -> str | None:
    """Our format name for these bytes, or None if they are not a format we read."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return _MIME_TO_FORMAT.get(kind.mime)
    # PDFs may start with a few bytes of junk before the header; pdfium accepts that too.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def decode_file(data: bytes, name: str, file_index: int, limits: IngestLimits) -> list[PageImage]:
    """All pages of one file, each an upright RGB array (EXIF orientation applied)."""
    if len(data) == 0:
        raise EmptyFileError("The file is empty (0 bytes). Please upload the file again.", file=name)
    if len(data) > limits.max_file_bytes:
        raise TooLargeError(
            f"The file is larger than the {limits.max_file_bytes / 1e6:.0f} MB limit. "
            "Please upload a smaller photo or split the PDF.",
            file=name,
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedFormatError(f"This file is not an image or PDF we can read. {_WHAT_TO_SEND}", file=name)
    if fmt == "pdf":
        return _decode_pdf(data, name, file_index, limits)
    return _decode_image(data, name, file_index, fmt, limits)


def _decode_image(data: bytes, name: str, file_index: int, fmt: str, limits: IngestLimits) -> list[PageImage]:
    try:
        with warnings.catch_warnings():
            # We apply our own, lower pixel limit below; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(name, None, limits) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptFileError(
            f"The file looks like {fmt.upper()} but cannot be opened; it may be damaged or incomplete. "
            "Please take the photo again or export it once more.",
            file=name,
        ) from exc
    if image.format not in _PILLOW_FORMATS:
        raise UnsupportedFormatError(f"{image.format} images are not accepted. {_WHAT_TO_SEND}", file=name)

    frame_count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
    if frame_count > limits.max_pages_per_file:
        raise _too_many_pages(name, frame_count, limits)

    pages: list[PageImage] = []
    frames: Iterator[Image.Image] = ImageSequence.Iterator(image) if frame_count > 1 else iter([image])
    try:
        for number, frame in enumerate(frames, start=1):
            if frame.width * frame.height > limits.max_page_pixels:
                raise _too_many_pixels(name, frame.width * frame.height, limits)
            pages.append(
                PageImage(
                    source=name,
                    file_index=file_index,
                    page=number,
                    source_format=fmt,
                    image=_to_rgb_array(ImageOps.exif_transpose(frame)),
                    dpi=_dpi_of(frame),
                )
            )
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptFileError(
            f"The {fmt.upper()} file is damaged or cut short and its picture cannot be read. "
            "Please take the photo again or send the original file.",
            file=name,
        ) from exc
    return pages


def _decode_pdf(data: bytes, name: str, file_index: int, limits: IngestLimits) -> list[PageImage]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise EncryptedPdfError(
                "The PDF is protected by a password. Please remove the password (print it to a new PDF) "
                "and upload it again.",
                file=name,
            ) from exc
        raise CorruptFileError(
            "The PDF is damaged and cannot be opened. Please download or export it again.", file=name
        ) from exc
    try:
        count = len(document)
        if count == 0:
            raise CorruptFileError("The PDF has no pages. Please export it again.", file=name)
        if count > limits.max_pages_per_file:
            raise _too_many_pages(name, count, limits)
        scale = limits.pdf_dpi / _PDF_POINTS_PER_INCH
        pages = []
        for index in range(count):
            page = document[index]
            try:
                width_pt, height_pt = page.get_size()
                pixels = int(width_pt * scale) * int(height_pt * scale)
                if pixels > limits.max_page_pixels:
                    raise _too_many_pixels(name, pixels, limits)
                image = _to_rgb_array(page.render(scale=scale, may_draw_forms=True).to_pil())
            finally:
                page.close()
            pages.append(
                PageImage(
                    source=name,
                    file_index=file_index,
                    page=index + 1,
                    source_format="pdf",
                    image=image,
                    dpi=float(limits.pdf_dpi),
                )
            )
        return pages
    except pdfium.PdfiumError as exc:
        raise CorruptFileError(
            "A page of the PDF is damaged and cannot be drawn. Please download or export it again.", file=name
        ) from exc
    finally:
        document.close()


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    """RGB uint8 array; transparency is laid on white paper, 16-bit greys scaled to 8 bits."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        top = float(array.max()) or 1.0
        image = Image.fromarray((array * (255.0 / top)).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def _dpi_of(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and float(dpi[0]) > 1:
        return float(dpi[0])
    return None


def _too_many_pages(name: str, count: int, limits: IngestLimits) -> TooManyPagesError:
    return TooManyPagesError(
        f"The file has {count} pages; at most {limits.max_pages_per_file} are accepted per file. "
        "Please split it into smaller files.",
        file=name,
    )


def _too_many_pixels(name: str, pixels: int | None, limits: IngestLimits) -> TooManyPixelsError:
    size = f"{pixels / 1e6:.0f} megapixels" if pixels else "more pixels than Pillow allows"
    return TooManyPixelsError(
        f"A page has {size}; the limit is {limits.max_page_pixels / 1e6:.0f} megapixels. "
        "Please send a smaller photo or scan at a lower resolution (200–300 DPI is enough).",
        file=name,
    )
