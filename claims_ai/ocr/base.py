"""The OCR engine interface every engine implements, and the reading-order helper they share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np

from claims_ai.types import OcrResult

__all__ = ["OcrEngine"]


@runtime_checkable
class OcrEngine(Protocol):
    """Reads one page. Built once per worker, safe to call from several threads, never mutated per call."""

    @property
    def versions(self) -> Mapping[str, str]:
        """Model name → version tag, reported in every assessment."""
        ...

    def read(self, image: np.ndarray) -> OcrResult:
        """Text lines of an RGB ``uint8`` page in reading order, boxes in that page's pixels.

        Raises ``claims_ai.errors.InferenceError`` when the models fail; a page without text gives an
        ``OcrResult`` with no lines (which is not the same thing).
        """
        ...
