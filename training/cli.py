"""``claims-ai train …`` and ``claims-ai evaluate …``: Typer apps registered through the ``claims_ai.commands``
entry-point group (pyproject). Each task is a sub-command; torch is imported only when a command runs."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from claims_ai.config import PROJECT_ROOT
from training.layout.cli import (
    evaluate_doc_type_command,
    evaluate_fields_command,
    layout_speed_command,
    train_doc_type_command,
    train_fields_command,
)

__all__ = ["evaluate_app", "train_app"]

train_app = typer.Typer(help="Train models (needs the train extra: torch, onnx).", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate models on fixed held-out sets and write reports.", no_args_is_help=True)

_CHIP = PROJECT_ROOT.parent / "shared" / "data" / "chip_cdn" / "train.json"


@train_app.command("diagnosis")
def train_diagnosis(
    chip: Annotated[Path, typer.Option(help="CHIP-CDN train.json (read in place, never copied).")] = _CHIP,
    out: Annotated[Path, typer.Option(help="Checkpoint directory.")] = Path("out/diagnosis"),
    models_dir: Annotated[Path, typer.Option(help="Where the ONNX model and manifest live.")] = PROJECT_ROOT / "models",
    epochs: Annotated[int, typer.Option(min=1)] = 8,
    version: Annotated[str, typer.Option(help="Model version written into metadata and manifest.")] = "1.0.0",
    seed: Annotated[int, typer.Option()] = 0,
    threads: Annotated[int, typer.Option(min=1, help="torch threads")] = 2,
) -> None:
    """Train the diagnosis re-ranker, export it to ONNX (parity-checked), evaluate it and update the manifest."""
    import torch

    from training.diagnosis.evaluate import evaluate
    from training.diagnosis.export import export, load_checkpoint, update_manifest
    from training.diagnosis.train import TrainConfig, train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(threads)
    result = train(TrainConfig(chip_path=chip, out_dir=out, epochs=epochs, version=version, seed=seed))
    typer.echo(f"validation F1 {result.validation_f1:.4f} (epoch {result.epoch}), {result.seconds:.0f} s")
    model, meta, _info = load_checkpoint(out)
    exported = export(model, meta, models_dir / "diagnosis_reranker.onnx")
    typer.echo(
        f"exported {exported.path} ({exported.size_bytes / 1e6:.2f} MB), parity max |Δ| {exported.max_abs_diff:.1e}"
    )
    metrics = {"validation_f1": round(result.validation_f1, 4), "train_pairs": result.pairs}
    update_manifest(exported, meta, metrics, models_dir)
    report = evaluate(chip, models_dir, out / "eval")
    metrics.update(
        {"test_f1": report["f1"], "test_texts": report["texts"], "parity_max_abs_diff": exported.max_abs_diff}
    )
    update_manifest(exported, meta, metrics, models_dir)
    typer.echo(json.dumps(metrics, indent=2))


@evaluate_app.command("diagnosis")
def evaluate_diagnosis(
    chip: Annotated[Path, typer.Option(help="CHIP-CDN train.json (read in place, never copied).")] = _CHIP,
    models_dir: Annotated[Path, typer.Option(help="Where the ONNX model and manifest live.")] = PROJECT_ROOT / "models",
    out: Annotated[Path, typer.Option(help="Report directory (report.md, report.json).")] = Path("out/diagnosis/eval"),
    split: Annotated[str, typer.Option(help="test (held-out) or validation.")] = "test",
) -> None:
    """CHIP-CDN-style F1 of the committed ONNX model on the fixed held-out split."""
    from training.diagnosis.evaluate import evaluate

    report = evaluate(chip, models_dir, out, split)
    typer.echo(
        f"{report['texts']} texts: F1 {report['f1']:.4f} (P {report['precision']:.4f}, R {report['recall']:.4f}); "
        f"report in {out}/report.md"
    )


@evaluate_app.command("materials")
def evaluate_materials_command(
    bundles: Annotated[
        Path, typer.Option(help="Output directory of `claims-ai dataset generate --claims` (held out).")
    ],
    models_dir: Annotated[Path, typer.Option(help="Where the ONNX model and manifest live.")] = PROJECT_ROOT / "models",
    out: Annotated[Path, typer.Option(help="Report directory (report.md, report.json).")] = Path("out/materials/eval"),
    through_pipeline: Annotated[
        bool, typer.Option(help="Read the page images with the whole pipeline (slow) instead of ground truth.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N claims.")] = None,
) -> None:
    """Share of synthetic claims whose missing-materials list is exactly right (and severity-tier agreement)."""
    from training.materials.evaluate import evaluate_materials

    report = evaluate_materials(bundles, models_dir, out, through_pipeline=through_pipeline, limit=limit)
    typer.echo(
        f"{report['claims']} claims: missing materials exactly right {report['missing_exactly_right']:.4f}; "
        f"severity tier agreement {report['severity_tier_agreement']:.4f}; report in {out}/report.md"
    )


# Layout models (issue 4): document type and key fields.
train_app.command("doc-type")(train_doc_type_command)
train_app.command("fields")(train_fields_command)
evaluate_app.command("doc-type")(evaluate_doc_type_command)
evaluate_app.command("fields")(evaluate_fields_command)
evaluate_app.command("layout-speed")(layout_speed_command)


@train_app.command("fraud")
def train_fraud(
    csv: Annotated[Path | None, typer.Option(help="Labelled claims table (CSV) to train on.")] = None,
    label: Annotated[str | None, typer.Option(help="The CSV's label column (Y/N, 1/0, yes/no, fraud/legit …).")] = None,
    out: Annotated[
        Path, typer.Option(help="Output folder: model.onnx, model.spec.json, metrics.json, plots, card.")
    ] = Path("out/fraud/model"),
    bundles: Annotated[
        Path | None, typer.Option(help="Instead of --csv: synthetic claim bundles (train seeds) → models/fraud.onnx.")
    ] = None,
    models_dir: Annotated[Path, typer.Option(help="Where the shipped model and manifest live.")] = PROJECT_ROOT
    / "models",
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Train the fraud model on a labelled CSV (--csv/--label/--out) or ship the synthetic-claims scorer (--bundles)."""
    from claims_ai.errors import ClaimsAIError

    try:
        if bundles is not None:
            from training.fraud.synthetic import train_synthetic

            metrics = train_synthetic(bundles, models_dir, out, seed=seed)
        else:
            if csv is None or label is None:
                raise typer.BadParameter("give --csv FILE and --label COLUMN (or --bundles DIR)")
            from training.fraud.train import train_from_csv

            metrics = train_from_csv(csv, label, out, seed=seed)
    except ClaimsAIError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"held-out ROC-AUC {metrics['roc_auc']:.4f}, PR-AUC {metrics['pr_auc']:.4f} "
        f"({metrics['positives']} frauds / {metrics['negatives']} legit held out); written to {out}"
    )


@evaluate_app.command("fraud")
def evaluate_fraud(
    bundles: Annotated[Path, typer.Option(help="Held-out synthetic claim bundles (test seeds).")],
    models_dir: Annotated[Path, typer.Option(help="Where the ONNX model and manifest live.")] = PROJECT_ROOT / "models",
    out: Annotated[Path, typer.Option(help="Report folder (fraud.md, fraud.json, plots).")] = PROJECT_ROOT
    / "models"
    / "reports",
) -> None:
    """ROC-AUC, injected pattern among the top three reasons, and the routing/investigation-cost report."""
    from training.fraud.evaluate import evaluate_fraud as run

    report = run(bundles, models_dir, out)
    typer.echo(
        f"{report['claims']} claims: ROC-AUC {report['roc_auc']:.4f}; pattern in top-3 reasons "
        f"{report['top3_hit_rate']:.1%}; report in {out}/fraud.md"
    )


@train_app.command("fraud-bundles")
def render_fraud_bundles(
    out: Annotated[Path, typer.Option(help="Bundle folder (claims/, pages/).")],
    claims: Annotated[int, typer.Option(min=1)] = 1000,
    seed: Annotated[int, typer.Option(help="First seed, inside the split's range.")] = 0,
    split: Annotated[str, typer.Option(help="train, validation or test.")] = "train",
    fraud_rate: Annotated[float, typer.Option(min=0, max=1)] = 0.5,
) -> None:
    """Render synthetic claim bundles for the fraud model (bill pages captured as planned, others electronic)."""
    from claims_datasets.schema import Split
    from training.fraud.render import render_bundles

    card = render_bundles(out, claims=claims, seed=seed, split=Split(split), fraud_rate=fraud_rate)
    typer.echo(json.dumps(card))
