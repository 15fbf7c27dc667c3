"""Document-type classifier (layout-aware, ONNX): what each page is, with a calibrated confidence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from claims_ai.extract.onnx_model import LayoutModel, softmax
from claims_ai.types import DocType, OcrResult

__all__ = ["DocTypeClassifier", "group_pages"]


class DocTypeClassifier:
    def __init__(self, model: LayoutModel) -> None:
        self._model = model

    @property
    def version(self) -> str:
        return self._model.spec.version_tag

    def classify(self, ocr: OcrResult, width: int, height: int) -> tuple[DocType, float]:
        """A page without text is ``other`` with confidence 0: the quality gate says why."""
        if not ocr.lines:
            return DocType.OTHER, 0.0
        encoded = self._model.encode(ocr, width, height, limit=self._model.max_tokens)
        logits = self._model.run(encoded.ids, encoded.boxes) / self._model.temperature
        probs = softmax(logits)
        best = int(np.argmax(probs))
        return DocType(self._model.labels[best]), round(float(probs[best]), 4)


# Each of these is one document per page: two invoice pages are two invoices.
_ONE_PAGE_TYPES = {
    DocType.MEDICAL_INVOICE_INPATIENT,
    DocType.MEDICAL_INVOICE_OUTPATIENT,
    DocType.ID_CARD,
    DocType.BANK_CARD,
    DocType.OTHER,
}


def group_pages(pages: Sequence[tuple[int, DocType]]) -> list[int]:
    """Group numbers for pages in order: consecutive pages of one file and one type form one document."""
    groups: list[int] = []
    for index, (file_index, doc_type) in enumerate(pages):
        previous = pages[index - 1] if index else None
        same = previous is not None and previous == (file_index, doc_type) and doc_type not in _ONE_PAGE_TYPES
        groups.append(groups[-1] if same else (groups[-1] + 1 if groups else 0))
    return groups
