"""The layout models (document type, field tagger) as onnxruntime sessions, with what their metadata says."""

from __future__ import annotations

import json

import numpy as np

from claims_ai.config import OcrSettings
from claims_ai.errors import ModelIntegrityError
from claims_ai.extract.encoding import EncodedPage, Vocabulary, encode_lines
from claims_ai.runtime.manifest import ModelSpec, open_model
from claims_ai.runtime.session import InferenceSession
from claims_ai.types import OcrResult

__all__ = ["LayoutModel"]


class LayoutModel:
    """Loads once; ``encode`` turns OCR lines into inputs, ``run`` returns logits (B, …)."""

    def __init__(self, spec: ModelSpec, settings: OcrSettings, session: InferenceSession | None = None) -> None:
        """``session``: anything with onnxruntime's ``run``/``get_modelmeta`` (the torch benchmark passes one)."""
        self.spec = spec
        self._session = session or open_model(
            spec, provider=settings.provider, threads=1, device_id=settings.cuda_device_id
        )
        meta = self._session.get_modelmeta().custom_metadata_map
        try:
            self.labels: tuple[str, ...] = tuple(json.loads(meta["labels"]))
            self.vocab = Vocabulary.from_json(meta["vocabulary"])
            self.max_tokens = int(meta["max_tokens"])
            self.temperature = float(meta.get("temperature", "1.0"))
        except (KeyError, ValueError) as exc:
            raise ModelIntegrityError(f"Model {spec.name!r} lacks its labels/vocabulary metadata: {exc}") from exc

    def encode(self, ocr: OcrResult, width: int, height: int, *, limit: int | None = None) -> EncodedPage:
        quads = np.array([line.box for line in ocr.lines], dtype=np.float64).reshape(-1, 4, 2)
        return encode_lines(
            [line.text for line in ocr.lines],
            quads,
            width,
            height,
            self.vocab,
            orientation=ocr.orientation,
            max_tokens=limit,
        )

    def run(self, ids: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Logits for one sequence of at most ``max_tokens``, run at its own length (the graph's sequence axis
        is dynamic: attention costs the square of the length, and most pages are far shorter than a window)."""
        n = int(ids.shape[0])
        if n > self.max_tokens:
            raise ValueError(f"{n} tokens given; the model takes at most {self.max_tokens}")
        feeds = {"ids": ids[None, :], "boxes": boxes[None, :, :], "mask": np.ones((1, n), dtype=np.int64)}
        return np.asarray(self._session.run(None, feeds)[0][0])


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=axis, keepdims=True)
