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
    "DecisionPolicy",
    "ExecutionProvider",
    "FraudSettings",
    "IngestLimits",
    "OcrSettings",
    "QualityThresholds",
    "QueueBackend",
    "ServiceSettings",
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


class ClaimantRelationship(StrEnum):
    """Who files the claim, relative to the insured person (a relative must prove the relationship)."""

    SELF = "self"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    OTHER = "other"


class IngestLimits(BaseModel):
    """Limits that protect the service from huge or hostile files (decompression bombs, 1,000-page PDFs)."""

    max_file_bytes: int = Field(default=30 * 1024 * 1024, gt=0)
    max_page_pixels: int = Field(default=50_000_000, gt=0)
    max_pages_per_file: int = Field(default=60, gt=0)
    max_files_per_request: int = Field(default=30, gt=0)
    pdf_dpi: int = Field(default=200, ge=50, le=600)


class QualityThresholds(BaseModel):
    """A page fails a check when its score crosses the threshold (see ``claims_ai.ingest.quality``)."""

    min_sharpness: float = Field(default=0.35, ge=0)  # edge steepness of text strokes (≈1 crisp)
    min_brightness: float = Field(default=0.30, ge=0, le=1)  # 90th percentile of luminance: paper must show
    min_contrast: float = Field(default=0.25, ge=0, le=1)  # spread between ink and paper
    max_glare: float = Field(default=0.02, ge=0, le=1)  # share of the page blown out brighter than the paper
    min_text_height_px: float = Field(default=12.0, ge=0)  # median text-line height
    max_skew_degrees: float = Field(default=8.0, ge=0)
    max_perspective_degrees: float = Field(default=3.0, ge=0)  # spread of line angles across the page
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
    # Pages with red ink are searched again in their red channel for lines a seal hid (about one more
    # detection at half the scale on those pages).
    search_under_seals: bool = True

    def onnx_threads(self) -> int:
        if self.threads_per_worker is not None:
            return self.threads_per_worker
        return max(1, (os.cpu_count() or 1) // self.workers)


class QueueBackend(StrEnum):
    """Where assessment jobs run: threads inside the API process, or Celery workers fed through Redis."""

    INPROCESS = "inprocess"
    CELERY = "celery"


class ServiceSettings(BaseModel):
    """The claims service (``claims_ai.service``): store, files, queue, webhooks, retention.

    Embedded defaults: SQLite (WAL) and files under ``data_dir``, jobs on threads in the API process.
    Production: ``database_url=postgresql+psycopg://…``, ``queue=celery``, ``broker_url=redis://…`` and
    ``claims-ai worker`` on as many machines as needed.
    """

    data_dir: Path = PROJECT_ROOT / "var"
    # None: SQLite file ``<data_dir>/claims.db``. PostgreSQL: ``postgresql+psycopg://user@host:5432/db``.
    database_url: str | None = None
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=20, ge=0, le=500)
    # Apply Alembic migrations at start-up (``claims-ai db upgrade`` does it by hand).
    auto_migrate: bool = True
    # None: ``<data_dir>/files``. Content-addressed: files are kept by sha256, never by the uploaded name.
    storage_root: Path | None = None

    queue: QueueBackend = QueueBackend.INPROCESS
    broker_url: str = "redis://127.0.0.1:6379/0"
    celery_queue: str = Field(default="claims-ai", min_length=1, max_length=100)
    # Prefix of every Redis key Celery writes, so several deployments (or test runs) share one Redis.
    broker_key_prefix: str = Field(default="", max_length=100)
    # A job a worker took but did not acknowledge (worker killed) goes back on the queue after this long.
    broker_visibility_timeout_seconds: int = Field(default=900, ge=1)
    worker_concurrency: int = Field(default=1, ge=1, le=64)
    job_max_attempts: int = Field(default=5, ge=1, le=100)
    job_retry_delay_seconds: float = Field(default=5.0, ge=0)
    # A running job renews its lease as pages are read; one whose lease ran out is given to another worker.
    job_lease_seconds: int = Field(default=300, ge=1)
    # Queued jobs untouched this long are put on the queue again (e.g. the broker was down at upload time).
    job_requeue_after_seconds: int = Field(default=600, ge=1)
    # On shutdown, running jobs get this long to finish; the rest stay queued in the database and resume later.
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    maintenance_interval_seconds: float = Field(default=30.0, gt=0)

    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_backoff_seconds: float = Field(default=2.0, ge=0)
    webhook_max_backoff_seconds: float = Field(default=3600.0, ge=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)

    # Claims are deleted with their files this many days after they were last changed (PIPL: keep no longer
    # than needed). ``claims-ai retention purge`` runs it; the API also runs it every ``retention_check_hours``.
    retention_days: int = Field(default=3 * 365, ge=1)
    retention_check_hours: float = Field(default=24.0, ge=0)  # 0: only by the command
    # Verified API keys are remembered this long so argon2 runs once per key, not once per request.
    key_cache_seconds: float = Field(default=60.0, ge=0)
    metrics_enabled: bool = True

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'claims.db'}"

    def resolved_storage_root(self) -> Path:
        return self.storage_root or self.data_dir / "files"


class FraudSettings(BaseModel):
    """The fraud stage (``claims_ai.fraud``): model, bands, and the thresholds at which a signal fires as a rule.

    Forensic scores are robust z-scores against the page's other printed values (font, noise, ELA; 0 ordinary),
    a colour step in levels / 4 (background), a noise-matched share (copy-move, 0–1) or log10 of a spectral peak
    over the median (moiré). Thresholds were set on synthetic pages (``models/cards/fraud.md``).
    """

    model_name: str = "fraud"  # manifest entry; the feature spec ships beside it as ``<file>.spec.json``
    # Band of the calibrated probability: low below ``medium_from``, high from ``high_from``.
    medium_from: float = Field(default=0.15, gt=0, lt=1)
    high_from: float = Field(default=0.6, gt=0, lt=1)
    # The model's probabilities are calibrated to its training prevalence (the spec's ``label.base_rate``); set the
    # share of fraud expected among the claims it will see to shift them to it (Bayes' rule on the odds).
    expected_fraud_rate: float | None = Field(default=None, gt=0, lt=1)
    max_feature_reasons: int = Field(default=5, ge=1, le=20)
    min_reason_weight: float = Field(default=0.01, ge=0)  # features that moved the score less are not reasons
    attribution_permutations: int = Field(default=16, ge=1, le=256)

    # Forensic rules fire above what honest synthetic bill pages reached (max over 180: font 5.9, background 5.5,
    # noise 11.1, ELA 2.8, copy-move 0); below that the scores still count as model features.
    font_threshold: float = Field(default=6.5, gt=0)
    background_threshold: float = Field(default=6.0, gt=0)
    noise_threshold: float = Field(default=15.0, gt=0)
    ela_threshold: float = Field(default=4.0, gt=0)
    copy_move_threshold: float = Field(default=0.6, gt=0, le=1)
    moire_threshold: float = Field(default=3.0, gt=0)  # honest synthetic photos reached 2.8
    amount_ratio_threshold: float = Field(default=2.2, gt=0)  # claimed / usual high for diagnosis and level
    page_hash_max_distance: int = Field(default=6, ge=0, le=64)  # region hash
    # 0: candidates share a 16-bit band exactly (recall exact to distance 3, lookups flat); 1: to distance 7
    page_hash_probe_radius: int = Field(default=0, ge=0, le=1)
    page_hash_max_page_distance: int = Field(default=12, ge=0, le=64)  # whole page, checked on candidates
    history_claims_12m_threshold: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _check_bands(self) -> FraudSettings:
        if self.medium_from >= self.high_from:
            raise ValueError("fraud.medium_from must be below fraud.high_from")
        return self


class DecisionPolicy(BaseModel):
    """Routing (``claims_ai.decision``): which claims are paid without a person, and which are investigated.

    ``auto_approve`` needs complete materials, a determined tier, every check passed, a low fraud band and no
    fired fraud rule. Bands at or above ``investigate_from_band`` are investigated, as are claims with a fired rule
    listed in ``investigate_rules``; what is left goes to an adjuster (or back to the member for materials).
    """

    investigate_from_band: str = Field(default="high", pattern="^(medium|high)$")
    investigate_rules: tuple[str, ...] = ("invoice_reused", "image_reused", "altered_amount")
    # Covered tiers may be paid automatically; ``not_covered`` goes to an adjuster to decline with a reason.
    auto_approve_tiers: tuple[str, ...] = ("severe", "mild")
    # A claim with missing materials is sent back to the member unless fraud already calls for investigation.
    materials_before_review: bool = True


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
    service: ServiceSettings = ServiceSettings()
    fraud: FraudSettings = FraudSettings()
    decision: DecisionPolicy = DecisionPolicy()

    @model_validator(mode="after")
    def _check_log_level(self) -> Settings:
        level = self.log_level.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {self.log_level!r}")
        self.log_level = level
        return self
