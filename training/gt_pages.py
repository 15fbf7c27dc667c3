"""Ground-truth records of synthetic pages (no OCR): cheap training text with exact labels, for augmentation."""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from claims_datasets.generate import GenerationOptions, make_page
from claims_datasets.schema import SEED_RANGES, Split, to_json

__all__ = ["build_gt_pages"]


def _truth(seed: int) -> str:
    _, truth = make_page(seed, GenerationOptions(split=Split.TRAIN))
    return json.dumps(to_json(truth), ensure_ascii=False)


def build_gt_pages(path: Path, count: int, first_seed: int, workers: int = 2) -> None:
    """Append ``count`` training pages' truth to ``path`` (JSON lines); seeds follow the OCR corpus's."""
    done = sum(1 for _ in path.open(encoding="utf-8")) if path.exists() else 0
    seeds = range(first_seed + done, first_seed + count)
    assert seeds.stop <= SEED_RANGES[Split.TRAIN].stop
    started = time.perf_counter()
    with path.open("a", encoding="utf-8") as sink, ProcessPoolExecutor(workers) as pool:
        for index, line in enumerate(pool.map(_truth, seeds, chunksize=4), start=1):
            sink.write(line + "\n")
            if index % 100 == 0:
                print(f"{done + index}/{count} pages, {index / (time.perf_counter() - started):.2f}/s", flush=True)


if __name__ == "__main__":
    build_gt_pages(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
