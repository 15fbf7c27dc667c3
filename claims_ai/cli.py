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
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from claims_ai.config import ClaimantRelationship, ClaimType, Settings
from claims_ai.errors import ClaimsAIError, InputError
from claims_ai.logs import configure_logging
from claims_ai.types import Assessment, ClaimFacts, to_dict

if TYPE_CHECKING:
    from claims_ai.service.runtime import ServiceRuntime

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
    claimant: Annotated[
        ClaimantRelationship | None, typer.Option(help="Who files the claim, relative to the insured.")
    ] = None,
) -> None:
    """Assess the files of one claim and print the result (a table, or JSON with --json)."""
    facts = None
    if any(v is not None for v in (claim_type, age, plan, policy_start, waiting_period_days, claimant)):
        facts = ClaimFacts(
            claim_type=claim_type,
            member_age=age,
            plan=plan,
            policy_start_date=policy_start.date() if policy_start else None,
            waiting_period_days=waiting_period_days,
            claimant=claimant,
        )
    assessment = _run(files, facts, Settings())
    if as_json:
        typer.echo(json.dumps(to_dict(assessment), ensure_ascii=False, indent=2))
    else:
        _print_table(assessment)
    _report_rejected(assessment)


def _shown(value: object) -> str:
    return " / ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


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
        kind = f" [{d.doc_type.value} {d.doc_type_confidence:.0%}]" if d.doc_type is not None else ""
        if d.fields:
            shown = ", ".join(f"{name}={_shown(f.value)}" for name, f in d.fields.items() if name != "line_items")
            console.print(f"  {d.file} p{d.page}{kind}: {shown}", markup=False)
        for check in d.quality.failed:
            console.print(f"  {d.file} p{d.page}: {check.hint_zh} / {check.hint_en}", markup=False)
    for problem in [c for c in assessment.checks or () if c.status.value == "failed"]:
        console.print(f"  check {problem.id} failed: {problem.message}", markup=False)
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


@app.command()
def diagnose(
    texts: Annotated[list[str], typer.Argument(help="Diagnoses as written, e.g. '甲状腺乳头状癌 pT1aN0M0'.")],
    age: Annotated[
        int | None, typer.Option(min=0, max=130, help="Member's age (payout band, thyroid staging).")
    ] = None,
    plan: Annotated[str | None, typer.Option(help="Plan id (default: the default plan).")] = None,
    unconfirmed: Annotated[
        bool, typer.Option("--unconfirmed", help="Judge the words only, not as written on a pathology report.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The standard diagnoses (ICD-10) each text holds, and the tier and payout they would get on their own."""
    from claims_ai.medical.diagnose import judge_text
    from claims_ai.medical.normalizer import DiagnosisNormalizer
    from claims_ai.medical.severity import SeverityAssessor

    settings = Settings()
    normalizer = DiagnosisNormalizer.from_models_dir(settings.models_dir, threads=settings.ocr.onnx_threads())
    assessor = SeverityAssessor()
    judged = [judge_text(normalizer, assessor, t, age=age, plan=plan, confirmed=not unconfirmed) for t in texts]
    if as_json:
        typer.echo(json.dumps(to_dict(judged), ensure_ascii=False, indent=2))
        return
    console = Console()
    for item in judged:
        sev = item.severity
        payout = sev.payout.amount if sev.payout and sev.payout.amount else "-"
        console.print(f"{item.text}", markup=False)
        for d in item.normalized:
            qualifiers = ", ".join(q for q in (d.status.value, "metastasis" if d.metastasis else "") if q)
            console.print(f"  {d.code}  {d.name}  ({d.confidence:.2f}; {qualifiers})", markup=False)
        console.print(
            f"  tier: {sev.tier.value}  rule: {sev.rule_id or '-'}  payout: {payout}  ({sev.reason})", markup=False
        )
        for m in sev.missing:
            needs = ", ".join(t.value for t in m.doc_types)
            console.print(f"  missing: {m.description_en} [{needs}]", markup=False)


# --------------------------------------------------------------------------- claims service commands
# The logic lives in claims_ai.service; these only parse arguments and print.

keys_app = typer.Typer(help="API keys of the claims service (stored argon2-hashed).", no_args_is_help=True)
db_app = typer.Typer(help="The claims service database.", no_args_is_help=True)
retention_app = typer.Typer(help="Deletion of claims past the retention period.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.add_typer(retention_app, name="retention")


def _service_runtime(settings: Settings) -> ServiceRuntime:
    from claims_ai.service.runtime import ServiceRuntime

    return ServiceRuntime(settings, None, role="cli")


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key belongs to; it sees only this tenant's claims.")],
    role: Annotated[
        list[str], typer.Option(help="platform, adjuster, admin or ml_engineer; repeat for several roles.")
    ],
    name: Annotated[str | None, typer.Option(help="A note on who uses the key.")] = None,
) -> None:
    """Create an API key and print it (shown once; only its argon2 hash is stored)."""
    runtime = _service_runtime(Settings())
    try:
        created = runtime.keys.create(tenant, role, name)
    finally:
        runtime.close()
    _err.print(f"key {created.key_id} for tenant {created.tenant} ({', '.join(created.roles)}):", markup=False)
    typer.echo(created.key)


@keys_app.command("list")
def keys_list(tenant: Annotated[str | None, typer.Option(help="Only this tenant's keys.")] = None) -> None:
    """List keys (ids, tenants, roles; never the keys themselves)."""
    runtime = _service_runtime(Settings())
    try:
        for key in runtime.keys.list(tenant):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            typer.echo(f"{key.id}\t{key.tenant}\t{','.join(key.roles)}\t{state}\t{key.name or ''}")
    finally:
        runtime.close()


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key id (key_…).")]) -> None:
    """Revoke a key; requests with it are refused from then on."""
    runtime = _service_runtime(Settings())
    try:
        if not runtime.keys.revoke(key_id):
            raise InputError(f"There is no active key {key_id}.")
    finally:
        runtime.close()
    typer.echo(f"revoked {key_id}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target migration.")] = "head") -> None:
    """Apply the database migrations (the service also does it at start-up unless auto_migrate is off)."""
    from claims_ai.service.db import create_db_engine, current_revision, migrate

    engine = create_db_engine(Settings().service)
    try:
        migrate(engine, revision)
        typer.echo(f"database at {current_revision(engine)}")
    finally:
        engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the migration the database is at, and the newest one."""
    from claims_ai.service.db import create_db_engine, current_revision, head_revision

    engine = create_db_engine(Settings().service)
    try:
        typer.echo(f"current: {current_revision(engine)}  head: {head_revision()}")
    finally:
        engine.dispose()


@retention_app.command("purge")
def retention_purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be deleted.")] = False,
    days: Annotated[int | None, typer.Option(min=1, help="Override the retention period (days).")] = None,
) -> None:
    """Delete claims (with their files) unchanged for longer than the retention period."""
    from claims_ai.service.retention import purge_expired, remove_orphan_files

    settings = Settings()
    runtime = _service_runtime(settings)
    try:
        ids = purge_expired(runtime.db, runtime.claims, days or settings.service.retention_days, dry_run=dry_run)
        orphans = 0 if dry_run else remove_orphan_files(runtime.db, runtime.files)
    finally:
        runtime.close()
    for claim_id in ids:
        typer.echo(claim_id)
    verb = "would delete" if dry_run else "deleted"
    _err.print(f"{verb} {len(ids)} claim(s); removed {orphans} orphan file(s)", markup=False)


feedback_app = typer.Typer(help="Adjusters' corrections as labelled training data.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option(help="Folder to write pages/, claims/ and manifest.json into.")],
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's corrections.")] = None,
    since: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only corrections made on or after, YYYY-MM-DD.")
    ] = None,
    split: Annotated[str, typer.Option(help="Split written into the records.")] = "train",
    images: Annotated[bool, typer.Option("--images/--no-images", help="Write the page images too.")] = True,
) -> None:
    """Export corrected pages as ground truth (the synthetic generator's PageTruth format) for retraining."""
    from claims_ai.service.feedback import export_feedback

    settings = Settings()
    runtime = _service_runtime(settings)
    try:
        manifest = export_feedback(
            runtime.db,
            runtime.files,
            settings,
            out,
            tenant=tenant,
            since=since.replace(tzinfo=dt.UTC) if since else None,
            split=split,
            images=images,
        )
    finally:
        runtime.close()
    typer.echo(json.dumps(manifest, indent=2))


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(min=1, help="Jobs at a time (default from settings).")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus metrics on this port.")] = None,
) -> None:
    """Run a Celery worker that assesses claims (needs CLAIMS_AI_SERVICE__QUEUE=celery and a Redis broker)."""
    from claims_ai.pipeline import Pipeline
    from claims_ai.service.celery_app import run_worker

    settings = Settings()
    pipeline = Pipeline.from_settings(settings)
    try:
        run_worker(settings, pipeline, concurrency=concurrency, metrics_port=metrics_port)
    finally:
        pipeline.close()


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
    configure_logging(settings.log_level, json_format=settings.log_json and args[:1] in (["serve"], ["worker"]))
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
