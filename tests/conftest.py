"""Shared fixtures: real pipeline (models load once per session), sample files of every kind, a fake engine."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from claims_ai.config import ServiceSettings, Settings
from claims_ai.ingest.quality import QualityGate
from claims_ai.pipeline import Pipeline
from claims_ai.types import OcrResult, TextLine
from claims_datasets.samples import discharge_record, inpatient_invoice


@pytest.fixture(scope="session")
def service_data_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("service-data"))


@pytest.fixture(autouse=True)
def _clean_settings_env(monkeypatch: pytest.MonkeyPatch, service_data_dir: str) -> None:
    """Tests see default settings unless they set CLAIMS_AI_* themselves; service data never goes to var/."""
    for key in list(os.environ):
        if key.startswith("CLAIMS_AI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CLAIMS_AI_SERVICE__DATA_DIR", service_data_dir)


@pytest.fixture(scope="session")
def settings(service_data_dir: str) -> Settings:
    # The claims service keeps its SQLite database and files under data_dir: a fresh one per test session.
    return Settings(_env_file=None, service=ServiceSettings(data_dir=service_data_dir))  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def pipeline(settings: Settings) -> Iterator[Pipeline]:
    built = Pipeline.from_settings(settings)
    yield built
    built.close()


class FakeOcr:
    """Returns one fixed line per page; lets ingest and API tests run without models."""

    @property
    def versions(self) -> dict[str, str]:
        return {"fake_ocr": "1"}

    def read(self, image: np.ndarray) -> OcrResult:
        h, w = image.shape[:2]
        box = ((10.0, 10.0), (w - 10.0, 10.0), (w - 10.0, 40.0), (10.0, 40.0))
        return OcrResult(lines=(TextLine(f"page {w}x{h}", 0.99, box),), orientation=0)


@pytest.fixture
def fake_pipeline(settings: Settings) -> Iterator[Pipeline]:
    built = Pipeline(settings, FakeOcr(), QualityGate(settings.quality))
    yield built
    built.close()


def _encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _pdf(pages: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf([Image.new("RGB", (400, 300), "white")]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _bomb_png() -> bytes:
    """A 20,000 x 20,000 PNG of a few kB: decoding it would take 1.2 GB."""
    return _encode(Image.new("1", (20_000, 20_000), 1), "PNG", optimize=True)


@pytest.fixture(scope="session")
def sample_files() -> SimpleNamespace:
    """Real files of every kind, built once: good ones and one per bad-input code."""
    bill = inpatient_invoice().image
    record = discharge_record().image
    small = Image.new("RGB", (64, 48), (240, 240, 240))
    jpeg = _encode(bill, "JPEG", quality=90)
    return SimpleNamespace(
        bill=bill,
        record=record,
        bill_jpeg=jpeg,
        bill_png=_encode(bill, "PNG"),
        three_page_pdf=_pdf([record, bill, record]),
        small_png=_encode(small, "PNG"),
        empty=b"",
        text=b"This is a note, not a photo.\n",
        gif=_encode(small, "GIF"),
        truncated_jpeg=jpeg[: len(jpeg) // 3],
        corrupt_pdf=b"%PDF-1.7\n" + b"\x00garbage" * 200,
        encrypted_pdf=_encrypted_pdf(),
        bomb_png=_bomb_png(),
    )


# Files that produce each bad-input code with default limits, and the limit override for the others.
BAD_INPUTS = {
    "empty_file": ("empty", "empty.jpg", {}),
    "unsupported_format": ("text", "notes.txt", {}),
    "corrupt_file": ("truncated_jpeg", "bill.jpg", {}),
    "encrypted_pdf": ("encrypted_pdf", "locked.pdf", {}),
    "too_large": ("bill_jpeg", "bill.jpg", {"CLAIMS_AI_LIMITS__MAX_FILE_BYTES": "10000"}),
    "too_many_pages": ("three_page_pdf", "three.pdf", {"CLAIMS_AI_LIMITS__MAX_PAGES_PER_FILE": "2"}),
    "too_many_pixels": ("bomb_png", "bomb.png", {}),
}


@pytest.fixture(scope="session")
def bad_inputs() -> dict[str, tuple[str, str, dict[str, str]]]:
    return BAD_INPUTS
