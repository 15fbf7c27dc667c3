"""``claims-ai train doc-type|fields`` and ``claims-ai evaluate doc-type|fields`` (added to training.cli's apps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from claims_ai.config import PROJECT_ROOT

__all__ = ["evaluate_doc_type_command", "evaluate_fields_command", "train_doc_type_command", "train_fields_command"]

CorpusOpt = Annotated[Path, typer.Option(help="OCR'd corpus (training.corpus): train/validation/test .jsonl")]
ModelsOpt = Annotated[Path, typer.Option(help="models/ folder with manifest.json")]
_CORPUS = Path("out/corpus")
_MODELS = PROJECT_ROOT / "models"
_NAMES = {"doc-type": ("doc_type", "doc_type.onnx"), "fields": ("field_tagger", "field_tagger.onnx")}


def _train(task: str, corpus: Path, models_dir: Path, steps: int, version: str, threads: int) -> None:
    import torch

    from training.layout.data import encode_page
    from training.layout.export import export_onnx
    from training.layout.publish import update_manifest, write_card
    from training.layout.train import load_pages, train_doc_type, train_fields

    torch.set_num_threads(threads)
    train, validation = load_pages(corpus)
    typer.echo(f"{len(train)} training pages, {len(validation)} validation pages")
    trained = (train_doc_type if task == "doc-type" else train_fields)(train, validation, steps=steps)
    name, filename = _NAMES[task]
    samples = []
    for page in validation[:16]:
        encoded, tags = encode_page(page, trained.vocab)
        samples.append((encoded.ids, encoded.boxes, tags))
    parity = export_onnx(trained, models_dir / filename, name=name, version=version, samples=samples)
    best = trained.history[-1] if trained.history else {}
    metrics = {k: v for k, v in best.items() if k.startswith("val_")} | {"parity_max_abs_diff": parity["max_abs_diff"]}
    update_manifest(
        models_dir,
        name=name,
        version=version,
        filename=filename,
        metrics=metrics,
        description=f"Layout-aware {task} model (characters + boxes), trained on synthetic pages.",
    )
    write_card(
        models_dir / "cards" / f"{name}.md",
        title=f"{name} {version}",
        body=f"""
Task: {task}. A {trained.config.layers}-layer transformer encoder (dim {trained.config.dim}) over OCR characters
with their boxes (LayoutLM-style 2D embeddings), trained from scratch in PyTorch, exported to ONNX (opset 17,
parity max |Δ| {parity["max_abs_diff"]:.1e}), served by onnxruntime.

Data: {len(train)} synthetic training pages from `claims-ai dataset` seeds in the train range (the OCR'd train
split plus renderer text with OCR-like augmentation: misread and dropped characters, merged and missing lines,
layout shifts); {len(validation)} OCR'd validation pages chose the checkpoint. Labels, vocabulary
({len(trained.vocab)} tokens), window size and temperature are in the ONNX metadata.

Validation at the kept checkpoint: {json.dumps(metrics)}. Test figures: `claims-ai evaluate {task}`.
Not yet measured on real documents.
""",
    )
    typer.echo(json.dumps(metrics, indent=2))


def train_doc_type_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    steps: int = 1500,
    version: str = "1.0.0",
    threads: int = 2,
) -> None:
    """Train the document-type classifier, export ONNX (parity-checked), update the manifest and card."""
    _train("doc-type", corpus, models_dir, steps, version, threads)


def train_fields_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    steps: int = 3000,
    version: str = "1.0.0",
    threads: int = 2,
) -> None:
    """Train the field tagger, export ONNX (parity-checked), update the manifest and card."""
    _train("fields", corpus, models_dir, steps, version, threads)


def _layout_model(name: str, models_dir: Path):  # type: ignore[no-untyped-def]
    from claims_ai.config import Settings
    from claims_ai.extract.onnx_model import LayoutModel
    from claims_ai.runtime.manifest import ModelManifest

    return LayoutModel(ModelManifest.load(models_dir).get(name), Settings().ocr)


def evaluate_doc_type_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    out: Annotated[Path, typer.Option(help="Report folder")] = Path("out/reports"),
) -> None:
    """Accuracy, per-type recall, confusion matrix PNG and calibration on the OCR'd test split."""
    from claims_ai.classify.doc_type import DocTypeClassifier
    from training.layout.evaluate import evaluate_doc_type

    report = evaluate_doc_type(DocTypeClassifier(_layout_model("doc_type", models_dir)), corpus / "test.jsonl", out)
    typer.echo(json.dumps({k: report[k] for k in ("pages", "accuracy", "expected_calibration_error")}, indent=2))


def evaluate_fields_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    out: Annotated[Path, typer.Option(help="Report folder")] = Path("out/reports"),
) -> None:
    """Exact match per field for rules alone, model alone and combined on the OCR'd test split."""
    from claims_ai.extract.tagger import FieldTagger
    from training.layout.evaluate import evaluate_fields

    report = evaluate_fields(FieldTagger(_layout_model("field_tagger", models_dir)), corpus / "test.jsonl", out)
    typer.echo(json.dumps(report["summary"], indent=2))
