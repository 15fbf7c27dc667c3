"""Synthetic claim bundles for the fraud model, rendered at a cost the shared 2-core machine can afford.

The bundle layout is the one ``claims-ai dataset generate --claims`` writes (``claims/<id>.json``,
``pages/<page_id>.jpg|json``), so :func:`training.materials.evaluate.load_bundle` reads it. One shortcut: pages
that carry no amount (ID and bank cards, claim form, clinical documents) are captured as clean electronic
copies instead of the planned photo or scan, because capture simulation is three quarters of the render time
(measured: ~7.5 s per claim with planned captures under load, ~2 s this way) and the fraud features read only
their text fields. Invoices and itemized bills get exactly the planned capture (photo, scan or electronic; image
reuse lightly edited), so image forensics and page hashes see what the generator intends.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from claims_datasets.bundles import FraudRates, plan_claim
from claims_datasets.capture import capture
from claims_datasets.generate import GenerationOptions, claim_record, render_planned_document
from claims_datasets.layouts import render_document
from claims_datasets.schema import CaptureMode, Split, check_seed_range, to_json
from claims_datasets.truth import page_truth

__all__ = ["AMOUNT_DOC_TYPES", "render_bundles"]

AMOUNT_DOC_TYPES = frozenset({"medical_invoice_inpatient", "medical_invoice_outpatient", "itemized_bill"})


def _render_claim(seed: int, options: GenerationOptions, out: Path) -> int:
    plan = plan_claim(seed, options.rates, min_seed=options.first_seed)
    truths = []
    modes: dict[str, str] = {}
    for doc in plan.documents:
        if doc.doc_type in AMOUNT_DOC_TYPES:
            page, captured = render_planned_document(plan, doc, options)
        else:
            page = render_document(
                doc.doc_type, doc.layout, plan.content, random.Random(doc.render_seed), doc.overrides
            )
            captured = capture(page, CaptureMode.ELECTRONIC, random.Random(doc.capture_seed))
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
        modes[doc.document_id] = str(truth.capture["mode"])
        (out / "pages" / f"{doc.document_id}.jpg").write_bytes(captured.encoded)
        (out / "pages" / f"{doc.document_id}.json").write_text(
            json.dumps(to_json(truth), ensure_ascii=False), encoding="utf-8"
        )
        truths.append(truth)
    record = claim_record(plan, truths, options.split.value, options)
    for doc in record["documents"]:
        doc["capture_mode"] = modes[doc["document_id"]]  # what was really used, not the plan
    (out / "claims" / f"{plan.claim_id}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return len(truths)


def render_bundles(
    out: Path, *, claims: int, seed: int, split: Split, fraud_rate: float = 0.5, missing_rate: float = 0.3
) -> dict:
    """Render ``claims`` bundles from ``seed`` (inside the split's seed range); skip claims already written."""
    check_seed_range(split, seed, claims)
    options = GenerationOptions(split=split, rates=FraudRates(fraud_rate, missing_rate), first_seed=seed)
    (out / "pages").mkdir(parents=True, exist_ok=True)
    (out / "claims").mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    pages = rendered = 0
    for item in range(seed, seed + claims):
        if (out / "claims" / f"C{item:09d}.json").is_file():
            continue  # resumable: a long run stopped half-way picks up where it was
        pages += _render_claim(item, options, out)
        rendered += 1
    seconds = time.perf_counter() - start
    card = {
        "split": split.value,
        "seeds": [seed, seed + claims - 1],
        "claims": claims,
        "rendered_now": rendered,
        "pages_rendered_now": pages,
        "seconds": round(seconds, 1),
        "seconds_per_claim": round(seconds / max(rendered, 1), 2),
        "fraud_rate": fraud_rate,
        "missing_rate": missing_rate,
        "capture": "planned for invoices and itemized bills; electronic for every other page",
    }
    (out / "datacard.json").write_text(json.dumps(card, indent=1), encoding="utf-8")
    return card
