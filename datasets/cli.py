"""``claims-ai dataset …``: generate corpora, check them with the project's OCR, draw a contact sheet."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from claims_datasets.bundles import FraudRates
from claims_datasets.schema import CaptureMode, DocType, FraudPattern, Split

__all__ = ["app"]

app = typer.Typer(help="Synthetic claim documents and claim bundles.", no_args_is_help=True)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Output directory (pages/, claims/, datacard.*).")],
    pages: Annotated[int | None, typer.Option(help="Number of independent pages.")] = None,
    claims: Annotated[int | None, typer.Option(help="Number of claim bundles.")] = None,
    seed: Annotated[int, typer.Option(help="First seed; item i uses seed+i, inside the split's range.")] = 0,
    split: Annotated[Split, typer.Option(help="Seed range to draw from.")] = Split.TRAIN,
    fraud_rate: Annotated[float, typer.Option(min=0, max=1)] = 0.25,
    missing_rate: Annotated[float, typer.Option(min=0, max=1)] = 0.3,
    electronic: Annotated[float, typer.Option(min=0, help="Weight of born-digital captures.")] = 0.2,
    scan: Annotated[float, typer.Option(min=0, help="Weight of scans.")] = 0.35,
    photo: Annotated[float, typer.Option(min=0, help="Weight of phone photos.")] = 0.45,
    multi_slip_rate: Annotated[float, typer.Option(min=0, max=1)] = 0.2,
    other_rate: Annotated[
        float,
        typer.Option(min=0, max=1, help="Pages: share of non-claim pages (doc type other); claims: share holding one."),
    ] = 0.05,
    doc_type: Annotated[
        list[DocType] | None,
        typer.Option("--doc-type", help="Pages only: draw just this document type (repeat for several)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1)] = os.cpu_count() or 1,
    contact: Annotated[bool, typer.Option(help="Also write contact_sheet.png.")] = True,
    plan_only: Annotated[
        bool, typer.Option(help="Claims only: write claim files and the data card without drawing pages.")
    ] = False,
) -> None:
    """Generate pages or claims; prints pages per second and writes the data card."""
    from claims_datasets.contact import contact_sheet
    from claims_datasets.generate import GenerationOptions
    from claims_datasets.generate import generate as run

    if (pages is None) == (claims is None):
        raise typer.BadParameter("give exactly one of --pages or --claims")
    if doc_type and claims is not None:
        raise typer.BadParameter("--doc-type applies to --pages runs; claims hold the documents they need")
    options = GenerationOptions(
        split=split,
        capture_mix={
            CaptureMode.ELECTRONIC.value: electronic,
            CaptureMode.SCAN.value: scan,
            CaptureMode.PHOTO.value: photo,
        },
        multi_slip_rate=multi_slip_rate,
        rates=FraudRates(fraud_rate=fraud_rate, missing_rate=missing_rate, other_page_rate=other_rate),
        other_rate=other_rate,
        doc_types=tuple(t.value for t in doc_type or ()),
    )
    try:
        summary = run(out, pages=pages, claims=claims, seed=seed, options=options, workers=workers, plan_only=plan_only)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if plan_only:
        typer.echo(f"{summary.claims} claims, {summary.pages} pages planned in {summary.seconds:.1f} s (nothing drawn)")
    else:
        typer.echo(
            f"{summary.pages} pages in {summary.seconds:.1f} s: {summary.pages_per_second:.2f} pages/s "
            f"({workers} workers)"
        )
    if contact and not plan_only:
        typer.echo(f"contact sheet: {contact_sheet(out / 'pages', out / 'contact_sheet.png')}")
    typer.echo(f"data card: {out / 'datacard.md'}")


@app.command("check-ocr")
def check_ocr(
    out: Annotated[Path, typer.Option(help="Report directory.")],
    pages: Annotated[int, typer.Option(min=1)] = 60,
    seed: Annotated[int, typer.Option()] = 110_000_000,
    split: Annotated[Split, typer.Option()] = Split.TEST,
) -> None:
    """Run the project's OCR on generated pages; report key-field recovery per capture mode."""
    from claims_datasets.ocrcheck import run_ocr_check

    try:
        report = run_ocr_check(out, pages=pages, seed=seed, split=split)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(json.dumps(report["per_capture_mode"], indent=1))


@app.command("contact-sheet")
def contact(
    pages_dir: Annotated[Path, typer.Option(help="A pages/ directory from generate.")],
    out: Annotated[Path, typer.Option(help="PNG to write.")],
    limit: Annotated[int, typer.Option(min=1)] = 36,
) -> None:
    """Tile generated pages into one PNG."""
    from claims_datasets.contact import contact_sheet

    typer.echo(str(contact_sheet(pages_dir, out, limit=limit)))


@app.command("patterns")
def patterns() -> None:
    """List the fraud patterns the generator can inject."""
    for p in FraudPattern:
        typer.echo(p.value)


def _register_feedback_export() -> None:
    """``claims-ai dataset export-feedback``: adjusters' corrections as ground truth in this package's format.

    The export itself belongs to the claims service (it reads the store); it is offered here too because it
    produces training data next to ``generate``. Same command as ``claims-ai feedback export``.
    """
    from claims_ai.cli import feedback_export

    app.command("export-feedback")(feedback_export)


_register_feedback_export()
