"""``claims-ai train doc-type|fields`` and ``claims-ai evaluate doc-type|fields`` (added to training.cli's apps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from claims_ai.config import PROJECT_ROOT

__all__ = ["evaluate_doc_type_command", "evaluate_fields_command", "train_doc_type_command", "train_fields_command"]

CorpusOpt = Annotated[Path, typer.Option(help="OCR'd corpus (python -m training.corpus): *.jsonl per split")]
ModelsOpt = Annotated[Path, typer.Option(help="models/ folder with manifest.json")]
ReportOpt = Annotated[Path, typer.Option(help="Report folder")]
_CORPUS = Path("out/corpus")
_MODELS = PROJECT_ROOT / "models"
_REPORTS = Path("out/reports")


def _save_checkpoint(models_dir: Path, name: str, model: Any, config: dict) -> Path:
    """The torch weights beside the ONNX file: for fine-tuning and for the ONNX-versus-torch benchmark."""
    import torch

    path = models_dir / "checkpoints" / f"{name}.pt"
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": config, "state_dict": model.state_dict()}, path)
    return path


def _card(models_dir: Path, name: str, version: str, body: str) -> None:
    from training.layout.publish import write_card

    write_card(models_dir / "cards" / f"{name}.md", title=f"{name} {version}", body=body)


def train_doc_type_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    steps: int = 1500,
    version: str = "1.0.0",
    threads: int = 2,
) -> None:
    """Train the document-type model, export ONNX (parity-checked), update the manifest and card."""
    import torch

    from claims_ai.classify.features import MAX_LINES
    from training.layout.doc_type_lines import export_line_model, train_line_model
    from training.layout.publish import update_manifest
    from training.layout.train import load_pages

    torch.set_num_threads(threads)
    train, validation = load_pages(corpus)
    typer.echo(f"{len(train)} training pages, {len(validation)} validation pages")
    model, history, temperature = train_line_model(train, validation, steps=steps)
    _save_checkpoint(models_dir, "doc_type", model, {"dim": model.head[0].in_features // 2})
    worst = export_line_model(
        model, models_dir / "doc_type.onnx", version=version, temperature=temperature, samples=validation[:16]
    )
    metrics = {
        "val_accuracy": max(h["val_accuracy"] for h in history),
        "temperature": round(temperature, 4),
        "parity_max_abs_diff": worst,
    }
    update_manifest(
        models_dir,
        name="doc_type",
        version=version,
        filename="doc_type.onnx",
        metrics=metrics,
        description="Document type from each line's character n-grams and box (attention over lines).",
        inputs=("ngrams", "geometry", "line_mask"),
    )
    _card(
        models_dir,
        "doc_type",
        version,
        f"""
Task: document type of a page (the 15 DESIGN types). Each OCR line becomes hashed character uni- and bigrams
(CRC-32 into 8,192 buckets) plus its box, its rank in the upright page and its distance from where most of the
page's text is (so in a photo of several slips the main one speaks loudest); an attention pooling over the first
{MAX_LINES} lines and a small MLP give the type. Temperature-scaled on the validation pages (T = {temperature:.3f}).
Exported to ONNX (opset 17), parity with torch max |Δ| {worst:.1e}.

Data: {len(train)} synthetic training pages (OCR'd train split + renderer text with OCR-like augmentation),
{len(validation)} OCR'd validation pages. Validation accuracy {metrics["val_accuracy"]:.2%}.
Test figures: `claims-ai evaluate doc-type`. Not yet measured on real documents.
""",
    )
    typer.echo(json.dumps(metrics, indent=2))


def train_fields_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    steps: int = 3000,
    version: str = "1.0.0",
    threads: int = 2,
    fine_tune: Annotated[
        bool, typer.Option(help="go on from models/checkpoints/field_tagger.pt and the shipped vocabulary")
    ] = False,
    export_only: Annotated[
        bool,
        typer.Option(help="no training: export models/checkpoints/field_tagger.pt again (e.g. for a new graph)"),
    ] = False,
    dim: Annotated[int, typer.Option(help="width of a new tagger (multiple of its 4 heads)")] = 128,
    layers: Annotated[int, typer.Option(help="encoder layers of a new tagger")] = 3,
    ff: Annotated[int, typer.Option(help="feed-forward width of a new tagger")] = 256,
    keep_layers: Annotated[
        int, typer.Option(help="a faster student: the shipped tagger's first K layers, distilled from it")
    ] = 0,
) -> None:
    """Train the field tagger, export ONNX (parity-checked), update the manifest and card."""
    import torch

    from training.layout.data import encode_page
    from training.layout.export import export_onnx
    from training.layout.publish import update_manifest
    from training.layout.quantize import quantize_int8
    from training.layout.speed import float_graph
    from training.layout.train import TrainedModel, load_pages, train_fields

    torch.set_num_threads(threads)
    if export_only:
        from training.corpus import read_corpus
        from training.layout.pages import page_from_ocr

        model, shipped = _shipped_tagger(models_dir)
        trained = TrainedModel(model, model.encoder.config, shipped.vocab, shipped.labels, [], shipped.temperature)
        train: list = []
        validation = [page_from_ocr(r) for r in read_corpus(corpus / "validation.jsonl")]
    else:
        train, validation = load_pages(corpus)
        typer.echo(f"{len(train)} training pages, {len(validation)} validation pages")
        start, teacher = None, None
        if fine_tune or keep_layers:
            model, shipped = _shipped_tagger(models_dir)
            if keep_layers:
                from training.layout.model import keep_first_layers
                from training.layout.speed import load_checkpoint

                teacher = load_checkpoint(models_dir, "field_tagger")
                model = keep_first_layers(model, keep_layers)
            start = (model.train(), shipped.vocab)
        trained = train_fields(
            train,
            validation,
            steps=steps,
            start=start,
            lr=4e-4 if start else 8e-4,
            size=(dim, layers, ff),
            teacher=teacher,
        )
        _save_checkpoint(
            models_dir,
            "field_tagger",
            trained.model,
            {"encoder": trained.config.to_dict(), "tags": len(trained.labels)},
        )
    samples = []
    for page in validation[:16]:
        encoded, tags = encode_page(page, trained.vocab)
        samples.append((encoded.ids, encoded.boxes, tags))
    # The float graph is kept beside the checkpoint (the speed benchmark times it); the int8 one is served.
    graph = float_graph(models_dir)
    parity = export_onnx(trained, graph, name="field_tagger", version=version, samples=samples)
    parity |= quantize_int8(graph, models_dir / "field_tagger.onnx", samples, trained.config.max_tokens)
    checks = {"parity_max_abs_diff": parity["max_abs_diff"], "int8_tag_agreement": parity["int8_tag_agreement"]}
    if export_only:
        listed = json.loads((models_dir / "manifest.json").read_text(encoding="utf-8"))["models"]
        previous = next(m.get("metrics", {}) for m in listed if m["name"] == "field_tagger")
        metrics = previous | checks
    else:
        best = max(trained.history, key=lambda h: h["val_entity_recall"]) if trained.history else {}
        metrics = {k: v for k, v in best.items() if k.startswith("val_")} | checks
    update_manifest(
        models_dir,
        name="field_tagger",
        version=version,
        filename="field_tagger.onnx",
        metrics=metrics,
        description="Layout-aware character tagger (BIO) for the contract's key fields.",
    )
    if export_only:  # same weights: the card keeps its text, under the new version
        card = models_dir / "cards" / "field_tagger.md"
        body = card.read_text(encoding="utf-8").split("\n", 1)[1] if card.exists() else ""
        card.write_text(f"# field_tagger {version}\n{body}", encoding="utf-8")
        typer.echo(json.dumps(metrics, indent=2))
        return
    origin = (
        f"the first {keep_layers} layers of the tagger before it, distilled from it"
        if keep_layers
        else ("fine-tuned from the tagger before it" if fine_tune else "trained from scratch")
    )
    _card(
        models_dir,
        "field_tagger",
        version,
        f"""
Task: tag every OCR character with the key field it belongs to (BIO over {len(trained.labels)} tags). A
{trained.config.layers}-layer transformer encoder (dim {trained.config.dim}) over characters with their boxes
(LayoutLM-style 2D embeddings), {origin} ({steps} steps), windows of {trained.config.max_tokens} tokens. Exported to
ONNX (opset 17) with a dynamic sequence length (each window runs at its own length, up to
{trained.config.max_tokens}); parity max |Δ| {parity["max_abs_diff"]:.1e}. Served with int8 weight matrices
(onnxruntime dynamic quantization; the float graph is `checkpoints/field_tagger.fp32.onnx`): it keeps
{parity["int8_tag_agreement"]:.2%} of the float graph's tags on validation pages.

Data: {len(train)} synthetic training pages, {len(validation)} OCR'd validation pages; labels are aligned to
OCR lines by box overlap and text match. Validation: {json.dumps(metrics)}.
Test figures: `claims-ai evaluate fields` (rules alone, model alone, combined).
""",
    )
    typer.echo(json.dumps(metrics, indent=2))


def _shipped_tagger(models_dir: Path) -> tuple[Any, Any]:
    """The shipped tagger's torch checkpoint and its ONNX model (vocabulary, labels, temperature)."""
    from claims_ai.config import Settings
    from claims_ai.extract.onnx_model import LayoutModel
    from training.layout.speed import load_checkpoint

    return load_checkpoint(models_dir, "field_tagger"), LayoutModel(_spec("field_tagger", models_dir), Settings().ocr)


def _spec(name: str, models_dir: Path):  # type: ignore[no-untyped-def]
    from claims_ai.runtime.manifest import ModelManifest

    return ModelManifest.load(models_dir).get(name)


def evaluate_doc_type_command(
    corpus: CorpusOpt = _CORPUS, models_dir: ModelsOpt = _MODELS, out: ReportOpt = _REPORTS
) -> None:
    """Accuracy, per-type recall, confusion matrix PNG and calibration on the OCR'd test split."""
    from claims_ai.classify.doc_type import DocTypeClassifier
    from claims_ai.config import Settings
    from training.layout.evaluate import evaluate_doc_type

    classifier = DocTypeClassifier(_spec("doc_type", models_dir), Settings().ocr)
    report = evaluate_doc_type(classifier, corpus / "test.jsonl", out)
    typer.echo(json.dumps({k: report[k] for k in ("pages", "accuracy", "expected_calibration_error")}, indent=2))


def evaluate_fields_command(
    corpus: CorpusOpt = _CORPUS, models_dir: ModelsOpt = _MODELS, out: ReportOpt = _REPORTS
) -> None:
    """Exact match per field for rules alone, model alone and combined on the OCR'd test split."""
    from claims_ai.config import Settings
    from claims_ai.extract.onnx_model import LayoutModel
    from claims_ai.extract.tagger import FieldTagger
    from training.layout.evaluate import evaluate_fields

    tagger = FieldTagger(LayoutModel(_spec("field_tagger", models_dir), Settings().ocr))
    report = evaluate_fields(tagger, corpus / "test.jsonl", out)
    typer.echo(json.dumps(report["summary"], indent=2))


def layout_speed_command(
    corpus: CorpusOpt = _CORPUS,
    models_dir: ModelsOpt = _MODELS,
    out: ReportOpt = _REPORTS,
    pages: int = 100,
    repeats: int = 7,  # min over interleaved repeats: a shared host varied 8.8-13.3 ms with 3
) -> None:
    """Classifier + field extractor per page: onnxruntime against torch eager on the same pages, one thread each."""
    from training.layout.speed import benchmark_layout

    report = benchmark_layout(models_dir, corpus / "test.jsonl", pages=pages, repeats=repeats)
    out.mkdir(parents=True, exist_ok=True)
    (out / "layout_speed.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    typer.echo(json.dumps(report, indent=2))
