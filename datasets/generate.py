"""Generation runs: single pages (``--pages``) or whole claims (``--claims``), on all cores, with a data card.

Output layout under ``out``::

    pages/<page_id>.jpg   the captured image
    pages/<page_id>.json  its ``PageTruth``
    claims/<claim_id>.json  (claim runs) facts, documents → pages, labels
    datacard.json, datacard.md  counts per type, layout, capture mode, fraud pattern …
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import random
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from claims_datasets.bundles import ClaimPlan, DocumentPlan, FraudRates, plan_claim, reused_content
from claims_datasets.canvas import RenderedPage
from claims_datasets.capture import Captured, capture, lightly_edited
from claims_datasets.content import ClaimContent, make_claim_content
from claims_datasets.layouts import LAYOUTS, SCENE_LAYOUTS, is_born_digital, render_document
from claims_datasets.schema import SEED_RANGES, CaptureMode, DocType, PageTruth, Split, check_seed_range, to_json
from claims_datasets.truth import page_truth

__all__ = [
    "DEFAULT_CAPTURE_MIX",
    "PAGE_TYPE_WEIGHTS",
    "GenerationOptions",
    "GenerationSummary",
    "generate",
    "make_claim_pages",
    "make_page",
    "page_doc_type",
    "planned_capture_mode",
    "render_planned_document",
]

# Share of each capture mode; electronic applies only to born-digital layouts (others re-share it).
DEFAULT_CAPTURE_MIX = {CaptureMode.ELECTRONIC.value: 0.2, CaptureMode.SCAN.value: 0.35, CaptureMode.PHOTO.value: 0.45}
PAGE_TYPE_WEIGHTS = {
    DocType.MEDICAL_INVOICE_INPATIENT.value: 18,
    DocType.MEDICAL_INVOICE_OUTPATIENT.value: 8,
    DocType.ITEMIZED_BILL.value: 10,
    DocType.DISCHARGE_SUMMARY.value: 12,
    DocType.DIAGNOSIS_CERTIFICATE.value: 8,
    DocType.PATHOLOGY_REPORT.value: 7,
    DocType.LAB_REPORT.value: 6,
    DocType.IMAGING_REPORT.value: 6,
    DocType.ADMISSION_RECORD.value: 5,
    DocType.MEDICAL_RECORD_FRONT_PAGE.value: 5,
    DocType.ID_CARD.value: 4,
    DocType.BANK_CARD.value: 3,
    DocType.DEATH_CERTIFICATE.value: 2,
    DocType.CLAIM_FORM.value: 4,
}
_SMALL_SLIPS = (
    DocType.MEDICAL_INVOICE_INPATIENT.value,
    DocType.MEDICAL_INVOICE_OUTPATIENT.value,
    DocType.DIAGNOSIS_CERTIFICATE.value,
    DocType.ID_CARD.value,
    DocType.BANK_CARD.value,
)
_CARDS = (DocType.ID_CARD.value, DocType.BANK_CARD.value)


@dataclass(frozen=True)
class GenerationOptions:
    split: Split = Split.TRAIN
    capture_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CAPTURE_MIX))
    multi_slip_rate: float = 0.2  # photos that show other slips of the claim too
    rates: FraudRates = field(default_factory=FraudRates)
    first_seed: int = 0  # first seed of the run (reuse patterns borrow only from seeds ≥ this)
    other_rate: float = 0.05  # independent pages that are not claim material (DocType other)
    doc_types: tuple[str, ...] = ()  # page runs: draw only these types (empty: all)

    def __post_init__(self) -> None:
        unknown = set(self.doc_types) - {t.value for t in DocType}
        if unknown:
            raise ValueError(f"unknown document types: {sorted(unknown)}")


@dataclass
class GenerationSummary:
    pages: int
    claims: int
    seconds: float
    counts: dict[str, dict[str, int]]

    @property
    def pages_per_second(self) -> float:
        return self.pages / max(self.seconds, 1e-9)


def _choose_mode(
    rng: random.Random, doc_type: str, born_digital: bool, mix: dict[str, float], scene: bool = False
) -> CaptureMode:
    modes = dict(mix)
    if not born_digital:
        modes.pop(CaptureMode.ELECTRONIC.value, None)
    if scene:  # nobody scans a picture of their room: it is the phone's file or a photo of the screen
        modes[CaptureMode.PHOTO.value] = modes.get(CaptureMode.PHOTO.value, 0) + modes.pop(CaptureMode.SCAN.value, 0)
    if doc_type in _CARDS:
        modes[CaptureMode.PHOTO.value] = (
            modes.get(CaptureMode.PHOTO.value, 0) + modes.get(CaptureMode.SCAN.value, 0) / 2
        )
    names = [m for m, w in modes.items() if w > 0] or [CaptureMode.PHOTO.value]
    return CaptureMode(rng.choices(names, [modes.get(m, 1) for m in names])[0])


def planned_capture_mode(doc: DocumentPlan, options: GenerationOptions) -> CaptureMode:
    """The capture mode ``render_planned_document`` will use, without drawing the page."""
    return _choose_mode(
        random.Random(doc.capture_seed),
        doc.doc_type,
        is_born_digital(doc.doc_type, doc.layout),
        options.capture_mix,
        doc.layout in SCENE_LAYOUTS,
    )


def _others(
    rng: random.Random, content: ClaimContent, page: RenderedPage, options: GenerationOptions, mode: CaptureMode
) -> list[RenderedPage]:
    """Other slips of the same visit lying in the same photo (only small slips are photographed together)."""
    if mode is not CaptureMode.PHOTO or page.doc_type not in _SMALL_SLIPS or rng.random() >= options.multi_slip_rate:
        return []
    invoice = (
        DocType.MEDICAL_INVOICE_INPATIENT.value if content.stay.inpatient else DocType.MEDICAL_INVOICE_OUTPATIENT.value
    )
    out = []
    for _ in range(rng.randint(1, 2)):
        doc_type = rng.choice((invoice, invoice, DocType.DIAGNOSIS_CERTIFICATE.value))
        out.append(render_document(doc_type, rng.choice(LAYOUTS[doc_type]), content, rng))
    return out


def _write(out: Path, page_id: str, captured: Captured, truth: PageTruth) -> None:
    pages = out / "pages"
    (pages / f"{page_id}.jpg").write_bytes(captured.encoded)
    (pages / f"{page_id}.json").write_text(json.dumps(to_json(truth), ensure_ascii=False), encoding="utf-8")


def _page_type(seed: int, rng: random.Random, options: GenerationOptions) -> str:
    """``other`` at ``other_rate`` (always when it is the only type asked for), else a claim material by weight.

    The ``other`` draw has its own stream, so adding it left the claim pages of every seed unchanged.
    """
    wanted = options.doc_types or (*PAGE_TYPE_WEIGHTS, DocType.OTHER.value)
    claim_types = [t for t in PAGE_TYPE_WEIGHTS if t in wanted]
    if DocType.OTHER.value in wanted and (
        not claim_types or random.Random(seed * 31 + 11).random() < options.other_rate
    ):
        return DocType.OTHER.value
    return rng.choices(claim_types, [PAGE_TYPE_WEIGHTS[t] for t in claim_types])[0]


def page_doc_type(seed: int, options: GenerationOptions = GenerationOptions()) -> str:
    """The document type ``make_page(seed, options)`` draws, without drawing it."""
    return _page_type(seed, random.Random(seed * 31 + 7), options)


def make_page(
    seed: int,
    options: GenerationOptions = GenerationOptions(),
    *,
    doc_type: str | None = None,
    mode: CaptureMode | None = None,
) -> tuple[Captured, PageTruth]:
    """One independent page from ``seed`` (random claim content, document type, layout and capture)."""
    rng = random.Random(seed * 31 + 7)
    doc_type = doc_type or _page_type(seed, rng, options)
    groups = ("thyroid_cancer", "prostate_cancer", "cancer") if doc_type == DocType.PATHOLOGY_REPORT.value else None
    content = make_claim_content(seed, groups=groups, inpatient=doc_type != DocType.MEDICAL_INVOICE_OUTPATIENT.value)
    page = render_document(doc_type, rng.choice(LAYOUTS[doc_type]), content, rng)
    if mode is CaptureMode.ELECTRONIC and not page.born_digital:
        mode = CaptureMode.SCAN  # paper forms have no born-digital version
    mode = mode or _choose_mode(rng, page.doc_type, page.born_digital, options.capture_mix, page.scene)
    captured = capture(page, mode, rng, _others(rng, content, page, options, mode))
    page_id = f"P{seed:09d}"
    truth = page_truth(
        page, captured, page_id=page_id, image_name=f"{page_id}.jpg", seed=seed, split=options.split.value
    )
    return captured, truth


def render_planned_document(
    plan: ClaimPlan, doc: DocumentPlan, options: GenerationOptions
) -> tuple[RenderedPage, Captured]:
    """Draw and capture one planned document (reused documents are drawn from their source claim's content)."""
    content = plan.content
    if doc.source_claim_seed is not None:
        content, _ = reused_content(doc.source_claim_seed)
    page = render_document(doc.doc_type, doc.layout, content, random.Random(doc.render_seed), doc.overrides)
    crng = random.Random(doc.capture_seed)
    mode = _choose_mode(crng, page.doc_type, page.born_digital, options.capture_mix, page.scene)
    captured = capture(page, mode, crng, _others(crng, content, page, options, mode))
    if doc.reuse == "image":
        captured = lightly_edited(captured, random.Random(doc.capture_seed ^ plan.seed))
    return page, captured


def make_claim_pages(
    seed: int, options: GenerationOptions = GenerationOptions()
) -> tuple[ClaimPlan, list[tuple[Captured, PageTruth]]]:
    plan = plan_claim(seed, options.rates, min_seed=options.first_seed)
    pages = []
    for doc in plan.documents:
        page, captured = render_planned_document(plan, doc, options)
        truth = page_truth(
            page,
            captured,
            page_id=doc.document_id,
            image_name=f"{doc.document_id}.jpg",
            seed=seed,
            split=options.split.value,
            claim_id=plan.claim_id,
            document_id=doc.document_id,
        )
        pages.append((captured, truth))
    return plan, pages


def claim_record(plan: ClaimPlan, truths: list[PageTruth] | None, split: str, options: GenerationOptions) -> dict:
    """The claim file; with ``truths=None`` (plan-only runs) pages are the planned page ids, not written."""
    return {
        "claim_id": plan.claim_id,
        "seed": plan.seed,
        "split": split,
        "facts": plan.facts,
        "member": {"name": plan.content.person.name, "gender": plan.content.person.gender},
        "documents": [
            {
                "document_id": d.document_id,
                "doc_type": d.doc_type,
                "layout": d.layout,
                "pages": [d.document_id]
                if truths is None
                else [t.page_id for t in truths if t.document_id == d.document_id],
                "capture_mode": planned_capture_mode(d, options).value,
                "reused_from_claim": f"C{d.source_claim_seed:09d}" if d.source_claim_seed is not None else None,
            }
            for d in plan.documents
        ],
        "labels": {
            "missing_materials": list(plan.missing),
            "severity_tier": plan.severity_tier,
            "primary_diagnosis": {
                "icd10": plan.content.primary.row.code,
                "name": plan.content.primary.row.name,
                "written": plan.content.primary.written,
                "tnm": plan.content.primary.tnm,
            },
            "fraud": list(plan.fraud),
            "is_fraud": bool(plan.fraud),
        },
    }


def _page_counts(truth: PageTruth) -> list[tuple[str, str]]:
    return [
        ("doc_type", truth.doc_type),
        ("layout", f"{truth.doc_type}/{truth.layout}"),
        ("capture_mode", truth.capture["mode"]),
        ("rotation", str(truth.capture.get("rotation", 0))),
        ("multi_slip_photo", str(bool(truth.capture.get("other_slips")))),
    ]


def _page_job(args: tuple[int, GenerationOptions, str]) -> list[tuple[str, str]]:
    seed, options, out = args
    captured, truth = make_page(seed, options)
    _write(Path(out), truth.page_id, captured, truth)
    return _page_counts(truth)


def _claim_job(args: tuple[int, GenerationOptions, str]) -> list[tuple[str, str]]:
    seed, options, out = args
    plan, pages = make_claim_pages(seed, options)
    for captured, truth in pages:
        _write(Path(out), truth.page_id, captured, truth)
    record = claim_record(plan, [t for _, t in pages], options.split.value, options)
    (Path(out) / "claims" / f"{plan.claim_id}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return [c for _, t in pages for c in _page_counts(t)] + _claim_counts(plan, len(pages))


def _claim_plan_job(args: tuple[int, GenerationOptions, str]) -> list[tuple[str, str]]:
    """Plan-only: the claim file and the counts, without drawing pages (capture modes are the planned ones)."""
    seed, options, out = args
    plan = plan_claim(seed, options.rates, min_seed=options.first_seed)
    record = claim_record(plan, None, options.split.value, options)
    (Path(out) / "claims" / f"{plan.claim_id}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    counts = []
    for d in plan.documents:
        counts += [
            ("doc_type", d.doc_type),
            ("layout", f"{d.doc_type}/{d.layout}"),
            ("capture_mode", planned_capture_mode(d, options).value),
        ]
    return counts + _claim_counts(plan, len(plan.documents))


def _claim_counts(plan: ClaimPlan, n_pages: int) -> list[tuple[str, str]]:
    counts = [("claim_type", plan.claim_type)]
    counts.append(("severity_tier", plan.severity_tier))
    counts += [("fraud_pattern", f["pattern"]) for f in plan.fraud] or [("fraud_pattern", "none")]
    counts += [("missing_material", m) for m in plan.missing]
    counts.append(("claims_with_missing_materials", str(bool(plan.missing))))
    counts.append(("_pages", str(n_pages)))
    return counts


def _run(jobs: Iterable, fn, total: int, workers: int) -> Counter:  # type: ignore[no-untyped-def]
    counts: Counter = Counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("generating", total=total)
        if workers <= 1:
            results: Iterable = map(fn, jobs)
            for result in results:
                counts.update(result)
                progress.advance(task)
        else:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                for result in pool.map(fn, jobs, chunksize=2):
                    counts.update(result)
                    progress.advance(task)
    return counts


def generate(
    out: Path,
    *,
    pages: int | None = None,
    claims: int | None = None,
    seed: int = 0,
    options: GenerationOptions | None = None,
    workers: int = 2,
    plan_only: bool = False,
) -> GenerationSummary:
    """Write ``pages`` single pages or ``claims`` claim bundles under ``out`` and a data card; return counts.

    ``plan_only`` (claims only) writes the claim files and the data card without drawing any page: fast coverage
    checks of document types, planned capture modes, fraud patterns and missing materials.
    """
    if (pages is None) == (claims is None):
        raise ValueError("give exactly one of pages or claims")
    if claims is not None and options is not None and options.doc_types:
        raise ValueError("doc_types applies to page runs only")
    n = pages if pages is not None else (claims or 0)
    options = dataclasses.replace(options or GenerationOptions(), first_seed=seed)
    check_seed_range(options.split, seed, n)
    (out / "pages").mkdir(parents=True, exist_ok=True)
    if claims is not None:
        (out / "claims").mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    jobs = [(seed + i, options, str(out)) for i in range(n)]
    job = _page_job if claims is None else (_claim_plan_job if plan_only else _claim_job)
    counts = _run(jobs, job, n, workers)
    seconds = time.perf_counter() - start
    grouped: dict[str, dict[str, int]] = {}
    n_pages = 0
    for (key, value), count in counts.items():
        if key == "_pages":
            n_pages += int(value) * count
            continue
        grouped.setdefault(key, {})[value] = count
    if pages is not None:
        n_pages = pages
    summary = GenerationSummary(
        n_pages, claims or 0, seconds, {k: dict(sorted(v.items())) for k, v in sorted(grouped.items())}
    )
    write_datacard(out, summary, options, seed, plan_only=plan_only and claims is not None)
    return summary


def write_datacard(
    out: Path, summary: GenerationSummary, options: GenerationOptions, seed: int, *, plan_only: bool = False
) -> None:
    n = summary.claims or summary.pages
    card = {
        "split": options.split.value,
        "seed_range_of_split": [SEED_RANGES[options.split].start, SEED_RANGES[options.split].stop - 1],
        "seeds": [seed, seed + n - 1],
        "pages": summary.pages,
        "pages_rendered": not plan_only,
        "claims": summary.claims,
        "seconds": round(summary.seconds, 1),
        "pages_per_second": None if plan_only else round(summary.pages_per_second, 2),
        "capture_mix": options.capture_mix,
        "fraud_rate": options.rates.fraud_rate,
        "missing_rate": options.rates.missing_rate,
        "other_rate": options.other_rate if not summary.claims else options.rates.other_page_rate,
        "doc_types": list(options.doc_types) or "all",
        "counts": summary.counts,
    }
    (out / "datacard.json").write_text(json.dumps(card, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        f"# Data card: {summary.claims or summary.pages} {'claims' if summary.claims else 'pages'}",
        "",
        f"- split: {options.split.value}, seeds {seed}..{seed + n - 1}",
        f"- pages: {summary.pages}, claims: {summary.claims}"
        + (" (plan only: pages planned, not drawn; capture modes are the planned ones)" if plan_only else ""),
        f"- generation: {summary.seconds:.1f} s" + ("" if plan_only else f", {summary.pages_per_second:.2f} pages/s"),
        f"- fraud rate {options.rates.fraud_rate}, missing-materials rate {options.rates.missing_rate}, "
        + (
            f"claims with a non-claim page {options.rates.other_page_rate}"
            if summary.claims
            else f"other pages {options.other_rate}, document types: {', '.join(options.doc_types) or 'all'}"
        ),
        "",
    ]
    for key, values in summary.counts.items():
        lines += [f"## {key}", "", "| value | count |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(values.items(), key=lambda kv: -kv[1])]
        lines.append("")
    (out / "datacard.md").write_text("\n".join(lines), encoding="utf-8")
