"""Document-type classifier (ONNX): what each page is, from its lines' words and places, with a calibrated
confidence. Features: ``claims_ai.classify.features``; training: ``training/layout/doc_type_lines.py``."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from claims_ai.classify.features import page_features
from claims_ai.config import OcrSettings
from claims_ai.errors import ModelIntegrityError
from claims_ai.extract.onnx_model import softmax
from claims_ai.runtime.manifest import ModelSpec, open_model
from claims_ai.runtime.session import InferenceSession
from claims_ai.types import DocType, OcrResult

__all__ = ["DocTypeClassifier", "group_pages"]


class DocTypeClassifier:
    """Loads the ``doc_type`` model once; ``classify`` gives the type and a temperature-calibrated probability."""

    def __init__(self, spec: ModelSpec, settings: OcrSettings, session: InferenceSession | None = None) -> None:
        """``session``: anything with onnxruntime's ``run``/``get_modelmeta`` (the torch benchmark passes one)."""
        self._spec = spec
        self._session = session or open_model(
            spec, provider=settings.provider, threads=1, device_id=settings.cuda_device_id
        )
        meta = self._session.get_modelmeta().custom_metadata_map
        try:
            self._labels = tuple(DocType(v) for v in json.loads(meta["labels"]))
            self._temperature = float(meta.get("temperature", "1.0"))
        except (KeyError, ValueError) as exc:
            raise ModelIntegrityError(f"Model {spec.name!r} lacks valid labels/temperature metadata: {exc}") from exc

    @property
    def version(self) -> str:
        return self._spec.version_tag

    def classify(self, ocr: OcrResult, width: int, height: int) -> tuple[DocType, float]:
        """A page without text is ``other`` with confidence 0: the quality gate says why."""
        if not ocr.lines:
            return DocType.OTHER, 0.0
        quads = np.array([line.box for line in ocr.lines], dtype=np.float64)
        features = page_features([line.text for line in ocr.lines], quads, width, height, ocr.orientation)
        feeds = {
            "ngrams": features.ngrams[None],
            "geometry": features.geometry[None],
            "line_mask": features.line_mask[None],
        }
        logits = np.asarray(self._session.run(None, feeds)[0][0]) / self._temperature
        probs = softmax(logits)
        best = int(np.argmax(probs))
        return self._labels[best], round(float(probs[best]), 4)


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
