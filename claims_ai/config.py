"""Settings, read from ``CLAIMS_AI_*`` environment variables (nested with ``__``) or a ``.env`` file.

Nothing here touches the disk or the network at import time; ``Settings()`` validates and fails fast.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "ClaimType",
    "ExecutionProvider",
    "IngestLimits",
    "OcrSettings",
    "QualityThresholds",
    "Settings",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ExecutionProvider(StrEnum):
    """Where onnxruntime runs the models. ``cuda`` falls back to ``cpu`` (with a log line) when unavailable."""

    CPU = "cpu"
    CUDA = "cuda"


class ClaimType(StrEnum):
    CRITICAL_ILLNESS = "critical_illness"
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    ACCIDENT = "accident"
    DEATH = "death"


class IngestLimits(BaseModel):
    """Limits that protect the service from huge or hostile files (decompression bombs, 1,000-page PDFs)."""

    max_file_bytes: int = Field(default=30 * 1024 * 1024, gt=0)
    max_page_pixels: int = Field(default=50_000_000, gt=0)
    max_pages_per_file: int = Field(default=60, gt=0)
    max_files_per_request: int = Field(default=30, gt=0)
    pdf_dpi: int = Field(default=200, ge=50, le=600)


class QualityThresholds(BaseModel):
    """A page fails a check when its score crosses the threshold (see ``claims_ai.ingest.quality``)."""

    min_sharpness: float = Field(default=0.10, ge=0)  # mean edge steepness of text strokes (0..1)
    min_brightness: float = Field(default=0.30, ge=0, le=1)  # 90th percentile of luminance: paper must show
    min_contrast: float = Field(default=0.25, ge=0, le=1)  # spread between ink and paper
    max_glare: float = Field(default=0.02, ge=0, le=1)  # share of the page blown out brighter than the paper
    min_text_height_px: float = Field(default=12.0, ge=0)  # median text-line height
    max_skew_degrees: float = Field(default=8.0, ge=0)
    max_perspective_degrees: float = Field(default=6.0, ge=0)  # spread of line angles across the page
    max_cut_off: float = Field(default=0.05, ge=0, le=1)  # share of text lines touching the image border


class OcrSettings(BaseModel):
    provider: ExecutionProvider = ExecutionProvider.CPU
    cuda_device_id: int = Field(default=0, ge=0)
    # Pages of one request read in parallel; each worker gets cpu_count // workers onnxruntime threads.
    workers: int = Field(default=2, ge=1, le=64)
    threads_per_worker: int | None = Field(default=None, ge=1)
    det_max_side: int = Field(default=2000, ge=320, le=8000)
    det_box_threshold: float = Field(default=0.5, gt=0, lt=1)
    min_text_score: float = Field(default=0.5, ge=0, lt=1)
    # Page is taken as rotated when this share of confidently classified lines says so.
    rotation_vote: float = Field(default=0.6, gt=0.5, le=1)

    def onnx_threads(self) -> int:
        if self.threads_per_worker is not None:
            return self.threads_per_worker
        return max(1, (os.cpu_count() or 1) // self.workers)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLAIMS_AI_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True
    models_dir: Path = PROJECT_ROOT / "models"
    # Requests assessed at the same time; more wait in line instead of exhausting memory.
    max_concurrent_assessments: int = Field(default=2, ge=1)

    limits: IngestLimits = IngestLimits()
    quality: QualityThresholds = QualityThresholds()
    ocr: OcrSettings = OcrSettings()

    @model_validator(mode="after")
    def _check_log_level(self) -> Settings:
        level = self.log_level.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {self.log_level!r}")
        self.log_level = level
        return self
