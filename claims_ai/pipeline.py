"""Composes the stages: files → pages → OCR → quality → type and fields → medical judgement and materials →
assessment. Pure computation, no storage or HTTP.

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
from claims_ai.errors import InputError, TooManyFilesError
from claims_ai.extract.fields import EXTRACTED_TYPES, FieldExtractor
from claims_ai.ingest.decode import decode_file
from claims_ai.ingest.quality import QualityGate
from claims_ai.judgement import CROSS_DOCUMENT_CHECK_IDS, ClaimJudge
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

__all__ = ["InputFile", "PageCallback", "Pipeline"]

# Called after each page is read with (pages done, pages known so far).
PageCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class InputFile:
    name: str  # as the user called it; shown back to them, never used as a path
    data: bytes


@dataclass(frozen=True)
class _PageResult:
    document: DocumentPage
    checks: tuple[Check, ...]
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
    ) -> None:
        self._settings = settings
        self._ocr = ocr
        self._quality = quality
        self._classifier = classifier
        self._extractor = extractor
        self._judge = judge
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
        return cls(settings, engine, QualityGate(settings.quality), classifier, extractor, judge)

    @property
    def model_versions(self) -> dict[str, str]:
        versions = dict(self._ocr.versions)
        if self._classifier is not None:
            versions["doc_type"] = self._classifier.version
        if self._extractor is not None:
            versions.update(self._extractor.versions)
        if self._judge is not None:
            versions.update(self._judge.versions)
        return versions

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def assess(
        self,
        files: Sequence[InputFile],
        facts: ClaimFacts | None = None,
        on_page: PageCallback | None = None,
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
            futures += [self._executor.submit(self._read_page, page) for page in pages]

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
        if self._judge is not None:
            judgement = self._judge.judge(to_dict(documents), facts)
            sections = dict(judgement.sections)
            checks = (checks or ()) + judgement.check_entries
        timings = {
            "ingest": ingest_ms,
            "ocr": sum(r.ocr_ms for r in results),
            "quality": sum(r.quality_ms for r in results),
            "classify_extract": sum(r.understand_ms for r in results),
            "medical_materials": (time.perf_counter() - t0) * 1000,
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

    def _read_page(self, page: PageImage) -> _PageResult:
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
        return _PageResult(document, tuple(checks), (t1 - t0) * ms, (t2 - t1) * ms, (t3 - t2) * ms)
