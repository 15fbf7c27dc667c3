"""Benchmark: the raw OCR engine against the full pipeline on the same pages, in one run.

Three measurements per pass, interleaved so machine drift hits them alike:
- ``rapidocr``: the stock ``rapidocr.RapidOCR`` call on decoded pages (the library as shipped);
- ``ocr_engine``: our ``PpOcrEngine.read`` on decoded pages (the raw engine the pipeline uses);
- ``pipeline``: ``Pipeline.assess`` from the file bytes (decode, OCR, quality, JSON), one worker, so the
  ratio to ``ocr_engine`` is the pipeline's own overhead; plus the same with the configured workers.
"""

from __future__ import annotations

import json
import platform
import resource
import time
from collections.abc import Callable, Sequence

import numpy as np

from claims_ai.config import Settings
from claims_ai.ingest.decode import decode_file
from claims_ai.pipeline import InputFile, Pipeline
from claims_ai.types import to_dict

__all__ = ["run_benchmark"]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def _timed(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run_benchmark(settings: Settings, inputs: Sequence[InputFile], *, repeat: int = 2) -> dict:
    from rapidocr import RapidOCR

    pages = [p for i, f in enumerate(inputs) for p in decode_file(f.data, f.name, i, settings.limits)]
    if not pages:
        raise ValueError("no pages to measure")
    single = settings.model_copy(update={"ocr": settings.ocr.model_copy(update={"workers": 1})})
    pipeline_1 = Pipeline.from_settings(single)
    pipeline_n = Pipeline.from_settings(settings)
    engine = pipeline_1._ocr  # the same engine object the single-worker pipeline uses
    stock = RapidOCR()
    bgr_pages = [np.ascontiguousarray(p.image[:, :, ::-1]) for p in pages]

    def assess_one(pipeline: Pipeline, item: InputFile) -> None:
        json.dumps(to_dict(pipeline.assess([item])), ensure_ascii=False)

    # Warm-up: first calls allocate onnxruntime arenas, in the OCR and in every model the pipelines run after it
    # (document type, fields, diagnosis, fraud): the service measured is a running one.
    engine.read(pages[0].image)
    stock(bgr_pages[0])
    assess_one(pipeline_1, inputs[0])
    assess_one(pipeline_n, inputs[0])
    rss_after_load = _peak_rss_mb()

    # Interleaved file by file so that load from other processes falls on every measurement alike.
    seconds = {"rapidocr": 0.0, "ocr_engine": 0.0, "pipeline": 0.0, "pipeline_parallel": 0.0}
    for _ in range(repeat):
        for index, item in enumerate(inputs):
            mine = [k for k, p in enumerate(pages) if p.file_index == index]
            seconds["rapidocr"] += sum(_timed(stock, bgr_pages[k]) for k in mine)
            seconds["ocr_engine"] += sum(_timed(engine.read, pages[k].image) for k in mine)
            seconds["pipeline"] += _timed(assess_one, pipeline_1, item)
            seconds["pipeline_parallel"] += _timed(assess_one, pipeline_n, item)
    pipeline_1.close()
    pipeline_n.close()

    measured = len(pages) * repeat
    figures = {
        name: {"ms_per_page": round(1000 * s / measured, 1), "pages_per_s": round(measured / s, 3)}
        for name, s in seconds.items()
    }
    return {
        "pages": len(pages),
        "repeat": repeat,
        "workers_parallel": settings.ocr.workers,
        "results": figures,
        "ratio_pipeline_to_ocr_engine": round(seconds["pipeline"] / seconds["ocr_engine"], 3),
        "ratio_pipeline_to_rapidocr": round(seconds["pipeline"] / seconds["rapidocr"], 3),
        "ratio_ocr_engine_to_rapidocr": round(seconds["ocr_engine"] / seconds["rapidocr"], 3),
        "peak_rss_mb_after_model_load": round(rss_after_load, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "machine": {"cpus": _cpu_count(), "python": platform.python_version()},
        "page_sizes": sorted({f"{p.width}x{p.height}" for p in pages}),
    }


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1
