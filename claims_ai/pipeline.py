"""Composes the stages: files → pages → OCR → quality → type and fields (+ page forensics) → medical judgement
and materials → fraud → decision → assessment. Pure computation, no storage or HTTP: the claims service passes a
:class:`ClaimContext` (claim id and its duplicate index) when it wants duplicates looked up and the claim filed.

Stages are passed in through the constructor (tests swap in fakes); ``Pipeline.from_settings`` builds the
real ones. One bad file never loses the good ones: it is reported in ``files[]`` and the rest is assessed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from claims_ai.classify.doc_type import DocTypeClassifier, group_pages
from claims_ai.config import Settings
from claims_ai.decision import route
from claims_ai.errors import InputError, TooManyFilesError
from claims_ai.extract.fields import EXTRACTED_TYPES, FieldExtractor
from claims_ai.fraud import (
    DuplicateIndex,
    FraudAssessor,
    FraudResult,
    PageForensics,
    PageForensicsAnalyzer,
    PageHash,
    page_hash,
)
from claims_ai.fraud.forensics import field_boxes
from claims_ai.ingest.decode import decode_file
from claims_ai.ingest.quality import QualityGate
from claims_ai.judgement import CROSS_DOCUMENT_CHECK_IDS, ClaimJudge, Judgement, locate_spans
from claims_ai.ocr.base import OcrEngine
from claims_ai.types import (
    Assessment,
    Check,
    ClaimFacts,
    DocType,
    DocumentPage,
    ExtractedField,
    FileReport,
    PageImage,
    to_dict,
)

__all__ = ["ClaimContext", "InputFile", "PageCallback", "Pipeline"]

# Called after each page is read with (pages done, pages known so far).
PageCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class InputFile:
    name: str  # as the user called it; shown back to them, never used as a path
    data: bytes


@dataclass(frozen=True)
class ClaimContext:
    """The stored claim an assessment belongs to: duplicates are looked up in ``duplicates`` (other claims only)
    and, when ``register`` is set, this claim's pages and invoices are filed there for later claims."""

    claim_id: str
    duplicates: DuplicateIndex
    member_id: str | None = None
    register: bool = True


@dataclass(frozen=True)
class _PageResult:
    document: DocumentPage
    checks: tuple[Check, ...]
    forensics: PageForensics | None
    page_hash: PageHash | None
    ocr_ms: float
    quality_ms: float
    understand_ms: float


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        ocr: OcrEngine,
        quality: QualityGate,
        classifier: DocTypeClassifier | None = None,
        extractor: FieldExtractor | None = None,
        judge: ClaimJudge | None = None,
        fraud: FraudAssessor | None = None,
    ) -> None:
        self._settings = settings
        self._ocr = ocr
        self._quality = quality
        self._classifier = classifier
        self._extractor = extractor
        self._judge = judge
        self._fraud = fraud if judge is not None else None  # fraud reads what the judgement found
        self._forensics = PageForensicsAnalyzer() if self._fraud is not None else None
        # Built once: pages of a request are read in parallel; onnxruntime releases the GIL while it runs.
        self._executor = ThreadPoolExecutor(max_workers=settings.ocr.workers, thread_name_prefix="ocr")

    @classmethod
    def from_settings(cls, settings: Settings) -> Pipeline:
        from claims_ai.extract.onnx_model import LayoutModel
        from claims_ai.extract.rules import RuleExtractor
        from claims_ai.extract.tagger import FieldTagger
        from claims_ai.medical.normalizer import MODEL_NAME as DIAGNOSIS_MODEL
        from claims_ai.medical.normalizer import DiagnosisNormalizer
        from claims_ai.ocr.ppocr import PpOcrEngine
        from claims_ai.runtime.manifest import ModelManifest

        manifest = ModelManifest.load(settings.models_dir)
        engine = PpOcrEngine(settings.ocr, manifest)
        available = set(manifest.names())
        classifier = DocTypeClassifier(manifest.get("doc_type"), settings.ocr) if "doc_type" in available else None
        tagger = (
            FieldTagger(LayoutModel(manifest.get("field_tagger"), settings.ocr))
            if "field_tagger" in available
            else None
        )
        extractor = FieldExtractor(RuleExtractor(), tagger)
        judge = None
        if classifier is not None and DIAGNOSIS_MODEL in available:
            normalizer = DiagnosisNormalizer.from_models_dir(
                settings.models_dir, provider=settings.ocr.provider, threads=settings.ocr.onnx_threads()
            )
            judge = ClaimJudge(normalizer)
        fraud = FraudAssessor.from_settings(settings) if settings.fraud.model_name in available else None
        return cls(settings, engine, QualityGate(settings.quality), classifier, extractor, judge, fraud)

    @property
    def model_versions(self) -> dict[str, str]:
        versions = dict(self._ocr.versions)
        if self._classifier is not None:
            versions["doc_type"] = self._classifier.version
        if self._extractor is not None:
            versions.update(self._extractor.versions)
        if self._judge is not None:
            versions.update(self._judge.versions)
        if self._fraud is not None:
            versions["fraud"] = self._fraud.scorer.version
        return versions

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def assess(
        self,
        files: Sequence[InputFile],
        facts: ClaimFacts | None = None,
        on_page: PageCallback | None = None,
        context: ClaimContext | None = None,
    ) -> Assessment:
        limits = self._settings.limits
        if len(files) > limits.max_files_per_request:
            raise TooManyFilesError(
                f"{len(files)} files were sent; at most {limits.max_files_per_request} are accepted at once. "
                "Please send the rest in another request."
            )
        started = time.perf_counter()
        reports: list[FileReport] = []
        futures = []
        ingest_ms = 0.0
        for index, item in enumerate(files):
            t0 = time.perf_counter()
            report, pages = self._ingest(index, item)
            ingest_ms += (time.perf_counter() - t0) * 1000
            reports.append(report)
            # JPEG forensics (error levels) need the file's own bytes; a PDF page has none.
            jpeg = item.data if report.format == "jpeg" and len(pages) == 1 else None
            futures += [self._executor.submit(self._read_page, page, jpeg) for page in pages]

        results: list[_PageResult] = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            if on_page is not None:
                on_page(done, len(futures))

        documents = [r.document for r in results]
        if self._classifier is not None:
            groups = group_pages([(d.file_index, d.doc_type) for d in documents if d.doc_type is not None])
            documents = [replace(d, group=g) for d, g in zip(documents, groups, strict=True)]
        checks = tuple(c for r in results for c in r.checks) if self._extractor is not None else None
        t0 = time.perf_counter()
        sections: dict[str, Any] = {}
        fraud_ms = 0.0
        if self._judge is not None:
            judgement = self._judge.judge(to_dict(documents), facts)
            sections = dict(judgement.sections)
            checks = (checks or ()) + judgement.check_entries
            t1 = time.perf_counter()
            sections |= self._fraud_and_decision(judgement, results, context)
            fraud_ms = (time.perf_counter() - t1) * 1000
        timings = {
            "ingest": ingest_ms,
            "ocr": sum(r.ocr_ms for r in results),
            "quality": sum(r.quality_ms for r in results),
            "classify_extract": sum(r.understand_ms for r in results),
            "medical_materials": (time.perf_counter() - t0) * 1000 - fraud_ms,
            "fraud_decision": fraud_ms,
            "total": (time.perf_counter() - started) * 1000,
        }
        return Assessment(
            files=tuple(reports),
            documents=tuple(documents),
            model_versions=self.model_versions,
            timings_ms={k: round(v, 1) for k, v in timings.items()},
            claim=facts,
            checks=checks,
            **sections,
        )

    def _fraud_and_decision(
        self, judgement: Judgement, results: Sequence[_PageResult], context: ClaimContext | None
    ) -> dict[str, Any]:
        if self._fraud is None:
            return {}
        forensics = [r.forensics for r in results if r.forensics is not None]
        hashes = [r.page_hash for r in results if r.page_hash is not None]
        assessor = self._fraud
        if context is not None:  # the same model and settings, looking up this claim's store
            assessor = FraudAssessor(assessor.scorer, context.duplicates, assessor.settings, assessor.features)
        codes = [d.code for d in judgement.diagnoses if d.code]
        claim_id = context.claim_id if context is not None else ""
        fraud = assessor.assess(judgement.evidence, judgement.checks, codes, forensics, hashes, claim_id=claim_id)
        if context is not None and context.register:
            assessor.register(context.claim_id, judgement.evidence, hashes, member_id=context.member_id)
        decision = route(judgement.materials, judgement.severity, judgement.checks, fraud, self._settings.decision)
        return {"fraud": locate_spans(fraud.to_dict(), judgement.places), "decision": decision.to_dict()}

    def rederive(self, body: dict[str, Any], facts: ClaimFacts | None) -> dict[str, Any]:
        """The claim-level sections again from an assessment JSON whose pages an adjuster corrected.

        Page grouping is recomputed (a corrected type can split or join documents); diagnoses the adjuster
        corrected stay corrected. Page-level extraction checks are kept; cross-document checks are redone.
        """
        if self._judge is None:
            return body
        pages = [p for p in body.get("documents") or [] if isinstance(p, dict)]
        typed = [p for p in pages if p.get("doc_type")]
        groups = group_pages([(int(p.get("file_index", 0)), DocType(p["doc_type"])) for p in typed])
        for page, group in zip(typed, groups, strict=True):
            page["group"] = group
        corrected = [d for d in body.get("diagnoses") or [] if isinstance(d, dict) and d.get("corrected")]
        judgement = self._judge.judge(pages, facts, corrected)
        body.update(judgement.sections)
        kept = [c for c in body.get("checks") or [] if c.get("id") not in CROSS_DOCUMENT_CHECK_IDS]
        body["checks"] = kept + to_dict(judgement.check_entries)
        fraud = FraudResult.from_dict(body.get("fraud"))
        if fraud is not None:  # the score stays the machine's (it read the images); the route follows the corrections
            decision = route(judgement.materials, judgement.severity, judgement.checks, fraud, self._settings.decision)
            body["decision"] = decision.to_dict()
        return body

    def _ingest(self, index: int, item: InputFile) -> tuple[FileReport, list[PageImage]]:
        digest = hashlib.sha256(item.data).hexdigest()
        try:
            pages = decode_file(item.data, item.name, index, self._settings.limits)
        except InputError as exc:
            error = {"code": exc.code, "message": exc.message}
            return FileReport(file=item.name, size_bytes=len(item.data), sha256=digest, error=error), []
        fmt = pages[0].source_format
        return FileReport(item.name, len(item.data), digest, format=fmt, pages=len(pages)), pages

    def _read_page(self, page: PageImage, jpeg: bytes | None = None) -> _PageResult:
        t0 = time.perf_counter()
        ocr = self._ocr.read(page.image)
        t1 = time.perf_counter()
        quality = self._quality.check(page, ocr)
        t2 = time.perf_counter()
        doc_type, confidence = (None, None)
        if self._classifier is not None:
            doc_type, confidence = self._classifier.classify(ocr, page.width, page.height)
        fields: dict[str, ExtractedField] | None = None
        checks: list[Check] = []
        if self._extractor is not None and (doc_type is None or doc_type in EXTRACTED_TYPES):
            where = {"file": page.source, "file_index": page.file_index, "page": page.page}
            fields, checks = self._extractor.extract(ocr, page.width, page.height, page.page, where)
        forensics, hashed = None, None
        if self._forensics is not None and fields:
            boxes = field_boxes(fields)
            forensics = self._forensics.analyze(page.image, jpeg, boxes, file=page.source, page=page.page)
            hashed = page_hash(page.image, boxes, file=page.source, page=page.page)
        t3 = time.perf_counter()
        document = DocumentPage(
            file=page.source,
            file_index=page.file_index,
            page=page.page,
            width=page.width,
            height=page.height,
            orientation=ocr.orientation,
            quality=quality,
            text_lines=ocr.lines,
            doc_type=doc_type,
            doc_type_confidence=confidence,
            fields=fields if fields is not None else ({} if self._extractor is not None else None),
        )
        ms = 1000.0
        return _PageResult(document, tuple(checks), forensics, hashed, (t1 - t0) * ms, (t2 - t1) * ms, (t3 - t2) * ms)
