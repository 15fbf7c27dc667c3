"""``claims-ai evaluate layout-speed``: the document-type classifier plus the field extractor per page, served by
onnxruntime (as served, with the tagger's int8 weights, and with its float graph) and by torch eager, on the
same OCR'd pages in one run.

Both backends go through the serving code (:class:`DocTypeClassifier`, :class:`FieldExtractor`): only the session
differs — :class:`TorchSession` answers onnxruntime's ``run`` with the torch module loaded from
``models/checkpoints``. One thread each, as the service runs them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from claims_ai.classify.doc_type import DocTypeClassifier
from claims_ai.config import Settings
from claims_ai.extract.fields import FieldExtractor
from claims_ai.extract.onnx_model import LayoutModel
from claims_ai.extract.rules import RuleExtractor
from claims_ai.extract.tagger import FieldTagger
from claims_ai.runtime.manifest import ModelManifest, open_model
from claims_ai.runtime.session import create_session
from claims_ai.types import OcrResult
from training.corpus import read_corpus
from training.layout.doc_type_lines import LineDocTypeModel
from training.layout.evaluate import ocr_of
from training.layout.model import EncoderConfig
from training.layout.model import FieldTagger as TorchFieldTagger

__all__ = ["TorchSession", "benchmark_layout", "float_graph", "load_checkpoint"]


class TorchSession:
    """onnxruntime's session interface over a torch module: inputs in the ONNX graph's order, logits out."""

    def __init__(self, module: nn.Module, onnx_session: Any) -> None:
        self._module = module.eval()
        self._meta = onnx_session.get_modelmeta()
        self._inputs = [i.name for i in onnx_session.get_inputs()]

    def get_modelmeta(self) -> Any:
        return self._meta

    def run(self, output_names: Sequence[str] | None, input_feed: Mapping[str, Any]) -> list[Any]:
        with torch.inference_mode():
            out = self._module(*(torch.from_numpy(input_feed[name]) for name in self._inputs))
        return [out.numpy()]


def load_checkpoint(models_dir: Path, name: str) -> nn.Module:
    """The torch module saved by ``claims-ai train doc-type|fields`` in ``models/checkpoints``."""
    path = models_dir / "checkpoints" / f"{name}.pt"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: retrain with `claims-ai train {name.replace('_', '-')}`")
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    config = checkpoint["config"]
    if name == "doc_type":
        module: nn.Module = LineDocTypeModel(dim=int(config["dim"]))
    else:
        module = TorchFieldTagger(EncoderConfig(**config["encoder"]), int(config["tags"]))
    module.load_state_dict(checkpoint["state_dict"])
    return module.eval()


def _time_pages(
    classifier: DocTypeClassifier, extractor: FieldExtractor, pages: Sequence[tuple[OcrResult, int, int]]
) -> tuple[list[float], list[dict]]:
    times, outputs = [], []
    for ocr, width, height in pages:
        started = time.perf_counter()
        doc_type, confidence = classifier.classify(ocr, width, height)
        confidence = round(confidence, 2)
        fields, _ = extractor.extract(ocr, width, height, 1, {"file": "", "file_index": 0, "page": 1})
        times.append((time.perf_counter() - started) * 1000)
        outputs.append(
            {"doc_type": doc_type, "confidence": confidence, "fields": {k: f.value for k, f in fields.items()}}
        )
    return times, outputs


def _time_rules(rules: RuleExtractor, pages: Sequence[tuple[OcrResult, int, int]]) -> list[float]:
    times = []
    for ocr, width, height in pages:
        started = time.perf_counter()
        rules.extract(ocr, width, height)
        times.append((time.perf_counter() - started) * 1000)
    return times


def benchmark_layout(models_dir: Path, test: Path, pages: int = 100, repeats: int = 7) -> dict[str, Any]:
    torch.set_num_threads(1)
    settings = Settings().ocr
    manifest = ModelManifest.load(models_dir)
    records = [r for _, r in zip(range(pages), read_corpus(test), strict=False)]
    inputs = [(ocr_of(r), int(r["truth"]["width"]), int(r["truth"]["height"])) for r in records]

    def stack(backend: str) -> tuple[DocTypeClassifier, FieldExtractor]:
        """``onnx``: as served (int8 tagger); ``onnx_float``: the tagger's float graph; ``torch``: checkpoints."""
        sessions: dict[str, Any] = {}
        for name in ("doc_type", "field_tagger"):
            if backend == "torch":  # the ONNX session only lends its metadata (labels, vocabulary)
                onnx_session = open_model(manifest.get(name), provider=settings.provider, threads=1)
                sessions[name] = TorchSession(load_checkpoint(models_dir, name), onnx_session)
            elif backend == "onnx_float" and name == "field_tagger":
                sessions[name] = create_session(float_graph(models_dir), provider=settings.provider, threads=1)
        classifier = DocTypeClassifier(manifest.get("doc_type"), settings, session=sessions.get("doc_type"))
        layout = LayoutModel(manifest.get("field_tagger"), settings, session=sessions.get("field_tagger"))
        return classifier, FieldExtractor(RuleExtractor(), FieldTagger(layout))

    rules = RuleExtractor()
    stacks = {backend: stack(backend) for backend in ("onnx", "onnx_float", "torch")}
    for built in stacks.values():
        _time_pages(*built, inputs[:5])  # warm-up: first runs allocate
    medians: dict[str, float] = {}
    outputs: dict[str, list[dict]] = {}
    for _ in range(repeats):  # interleaved, so background load hits every backend alike
        medians["rules"] = min(medians.get("rules", float("inf")), statistics.median(_time_rules(rules, inputs)))
        for backend, built in stacks.items():
            times, outputs[backend] = _time_pages(*built, inputs)
            medians[backend] = min(medians.get(backend, float("inf")), statistics.median(times))
    models_only = {backend: medians[backend] - medians["rules"] for backend in stacks}

    def same_as_torch(backend: str) -> int:
        return sum(a == b for a, b in zip(outputs[backend], outputs["torch"], strict=True))

    return {
        "pages": len(inputs),
        "repeats": repeats,
        "ms_per_page": {
            "classifier_plus_extractor_onnx": round(medians["onnx"], 2),
            "classifier_plus_extractor_onnx_float": round(medians["onnx_float"], 2),
            "classifier_plus_extractor_torch_eager": round(medians["torch"], 2),
            "rules_alone": round(medians["rules"], 2),
            "models_only_onnx": round(models_only["onnx"], 2),
            "models_only_onnx_float": round(models_only["onnx_float"], 2),
            "models_only_torch_eager": round(models_only["torch"], 2),
        },
        "torch_over_onnx": round(medians["torch"] / medians["onnx"], 2),
        "torch_over_onnx_float": round(medians["torch"] / medians["onnx_float"], 2),
        "models_only_torch_over_onnx": round(models_only["torch"] / max(models_only["onnx"], 1e-6), 2),
        "same_output_pages": same_as_torch("onnx"),
        "same_output_pages_float": same_as_torch("onnx_float"),
    }


def float_graph(models_dir: Path) -> Path:
    """The field tagger's float ONNX graph, written beside its checkpoint by ``claims-ai train fields``."""
    return models_dir / "checkpoints" / "field_tagger.fp32.onnx"
