"""The ``claims-ai`` command line: ``ocr``, ``assess``, ``serve``, ``benchmark`` and plug-in sub-commands.

Exit codes: 0 success, 2 bad input (error code and message on stderr), 1 anything else. Never a traceback.
Sub-commands from outside the runtime library (``dataset``, ``train`` …) register under the entry-point group
``claims_ai.commands`` and are imported only when called.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from claims_ai.config import ClaimType, Settings
from claims_ai.errors import ClaimsAIError, InputError
from claims_ai.logs import configure_logging
from claims_ai.types import Assessment, ClaimFacts, to_dict

__all__ = ["app", "main"]

app = typer.Typer(
    name="claims-ai",
    help="Reads claim documents: OCR, quality, and (as they land) types, fields, medical rules, fraud, routing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_err = Console(stderr=True)
log = logging.getLogger("claims_ai.cli")

FilesArg = Annotated[list[Path], typer.Argument(help="Photos (JPEG, PNG, HEIC, WebP, BMP, TIFF) or PDFs.")]


class _BadInput(Exception):
    """Raised after the assessment was printed when some inputs were rejected: exit code 2."""


def _read_inputs(paths: list[Path]) -> list:
    from claims_ai.pipeline import InputFile

    inputs = []
    for path in paths:
        try:
            inputs.append(InputFile(name=path.name, data=path.read_bytes()))
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror or exc}.", file=str(path)) from exc
    return inputs


def _run(paths: list[Path], facts: ClaimFacts | None, settings: Settings) -> Assessment:
    from claims_ai.pipeline import Pipeline

    inputs = _read_inputs(paths)
    pipeline = Pipeline.from_settings(settings)
    try:
        if len(inputs) < 2:
            return pipeline.assess(inputs, facts)
        with Progress(
            TextColumn("reading pages"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_err,
            transient=True,
        ) as progress:
            task = progress.add_task("pages", total=None)
            return pipeline.assess(
                inputs, facts, on_page=lambda done, total: progress.update(task, completed=done, total=total)
            )
    finally:
        pipeline.close()


def _report_rejected(assessment: Assessment) -> None:
    for report in assessment.rejected_files:
        assert report.error is not None
        _err.print(f"error [{report.error['code']}] {report.file}: {report.error['message']}", markup=False)
    if assessment.rejected_files:
        raise _BadInput


@app.command()
def ocr(files: FilesArg) -> None:
    """Read every page and print its text lines (text, confidence, box) as JSON."""
    settings = Settings()
    assessment = _run(files, None, settings)
    pages = [
        {
            "file": d.file,
            "page": d.page,
            "width": d.width,
            "height": d.height,
            "orientation": d.orientation,
            "text_lines": to_dict(d.text_lines),
        }
        for d in assessment.documents
    ]
    typer.echo(json.dumps({"pages": pages, "files": to_dict(assessment.files)}, ensure_ascii=False, indent=2))
    _report_rejected(assessment)


@app.command()
def assess(
    files: FilesArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment JSON.")] = False,
    claim_type: Annotated[ClaimType | None, typer.Option(help="Kind of claim.")] = None,
    age: Annotated[int | None, typer.Option(min=0, max=130, help="Member's age in years.")] = None,
    plan: Annotated[str | None, typer.Option(help="Plan identifier.")] = None,
    policy_start: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Policy start date, YYYY-MM-DD.")
    ] = None,
    waiting_period_days: Annotated[int | None, typer.Option(min=0, help="Waiting period in days.")] = None,
) -> None:
    """Assess the files of one claim and print the result (a table, or JSON with --json)."""
    facts = None
    if any(v is not None for v in (claim_type, age, plan, policy_start, waiting_period_days)):
        facts = ClaimFacts(
            claim_type=claim_type,
            member_age=age,
            plan=plan,
            policy_start_date=policy_start.date() if policy_start else None,
            waiting_period_days=waiting_period_days,
        )
    assessment = _run(files, facts, Settings())
    if as_json:
        typer.echo(json.dumps(to_dict(assessment), ensure_ascii=False, indent=2))
    else:
        _print_table(assessment)
    _report_rejected(assessment)


def _print_table(assessment: Assessment) -> None:
    console = Console()
    table = Table(title="Pages", show_lines=False)
    for column in ("file", "page", "size", "turned", "lines", "quality", "first lines"):
        table.add_column(column, overflow="fold")
    for d in assessment.documents:
        failed = ", ".join(c.name.value for c in d.quality.failed) or "ok"
        preview = " / ".join(line.text for line in d.text_lines[:3])
        table.add_row(
            d.file,
            str(d.page),
            f"{d.width}x{d.height}",
            f"{d.orientation}°",
            str(len(d.text_lines)),
            failed,
            preview,
        )
    console.print(table)
    for d in assessment.documents:
        for check in d.quality.failed:
            console.print(f"  {d.file} p{d.page}: {check.hint_zh} / {check.hint_en}", markup=False)
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in assessment.timings_ms.items())
    console.print(f"timings: {timings}", markup=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Start the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,  # our JSON logging, configured in main()
        timeout_graceful_shutdown=30,
    )


@app.command()
def benchmark(
    files: Annotated[list[Path], typer.Argument(help="Pages to measure (scripts/benchmark renders sample pages).")],
    out: Annotated[Path, typer.Option(help="Where to write the figures (JSON).")] = Path("out/benchmark.json"),
    repeat: Annotated[int, typer.Option(min=1, help="Passes over the pages.")] = 2,
) -> None:
    """Raw OCR engine vs the full pipeline on the same pages, in one run: ms/page, pages/s, ratio, memory."""
    from claims_ai.bench import run_benchmark

    figures = run_benchmark(Settings(), _read_inputs(files), repeat=repeat)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    typer.echo(json.dumps(figures, indent=2))
    typer.echo(f"written to {out}")


def _add_plugin_command(argv: list[str]) -> None:
    """Import only the plug-in sub-command being called (they may pull in heavy libraries)."""
    plugins = {ep.name: ep for ep in entry_points(group="claims_ai.commands")}
    if argv and argv[0] in plugins:
        app.add_typer(plugins[argv[0]].load(), name=argv[0])
    elif plugins:
        app.info.epilog = "More commands: " + ", ".join(sorted(plugins))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: settings from the environment are wrong
        _err.print(f"error [config_error] {exc}", markup=False)
        sys.exit(2)
    configure_logging(settings.log_level, json_format=settings.log_json and "serve" in args[:1])
    try:
        _add_plugin_command(args)
        app(args=args, prog_name="claims-ai")  # click handles usage errors itself (exit 2)
    except _BadInput:
        sys.exit(2)
    except InputError as exc:
        _err.print(f"error {exc}", markup=False)
        sys.exit(2)
    except ClaimsAIError as exc:
        _err.print(f"error {exc}", markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)  # the trace only with CLAIMS_AI_LOG_LEVEL=DEBUG
        _err.print(f"error [internal_error] {type(exc).__name__}: {exc}", markup=False)
        sys.exit(1)
