"""All layouts by document type, behind one ``render_document`` call."""

from __future__ import annotations

import random
from dataclasses import dataclass

from claims_datasets.canvas import RenderedPage
from claims_datasets.content import ClaimContent
from claims_datasets.layouts.clinical import CLINICAL_LAYOUTS, clinical_born_digital, render_clinical
from claims_datasets.layouts.clinical_forms import FORM_LAYOUTS
from claims_datasets.layouts.invoices import INVOICE_LAYOUTS, InvoiceOptions, render_invoice
from claims_datasets.layouts.nonclaim import NONCLAIM_LAYOUTS, SCENE_LAYOUTS, render_nonclaim
from claims_datasets.layouts.others import OTHER_LAYOUTS, render_other
from claims_datasets.schema import DocType

__all__ = ["LAYOUTS", "SCENE_LAYOUTS", "Overrides", "is_born_digital", "render_document"]

_INVOICE_TYPES = (DocType.MEDICAL_INVOICE_INPATIENT.value, DocType.MEDICAL_INVOICE_OUTPATIENT.value)
_CLINICAL = {t: layouts + FORM_LAYOUTS.get(t, []) for t, layouts in CLINICAL_LAYOUTS.items()}

LAYOUTS: dict[str, tuple[str, ...]] = {
    **{t: tuple(INVOICE_LAYOUTS) for t in _INVOICE_TYPES},
    **{t: tuple(name for name, *_ in layouts) for t, layouts in _CLINICAL.items()},
    **{t: tuple(name for name, *_ in layouts) for t, layouts in OTHER_LAYOUTS.items()},
    DocType.OTHER.value: tuple(NONCLAIM_LAYOUTS),
}


def is_born_digital(doc_type: str, layout: str) -> bool:
    """Whether the layout exists as a born-digital file (so an ``electronic`` capture is possible)."""
    if doc_type in _INVOICE_TYPES:
        return INVOICE_LAYOUTS[layout][1]
    if doc_type in CLINICAL_LAYOUTS:
        return clinical_born_digital(doc_type)
    if doc_type == DocType.OTHER.value:
        return NONCLAIM_LAYOUTS[layout][1]
    return next(flag for name, _, _, flag in OTHER_LAYOUTS[doc_type] if name == layout)


@dataclass(frozen=True)
class Overrides:
    """Deliberate departures from the claim content (fraud patterns); None prints the truth."""

    patient_name: str | None = None
    hospital_name: str | None = None
    total_cents: int | None = None  # printed total that disagrees with the items
    words_cents: int | None = None  # 大写 that disagrees with the figure
    altered_total_cents: int | None = None  # figure pasted over the printed total


def render_document(
    doc_type: str, layout: str, content: ClaimContent, rng: random.Random, overrides: Overrides | None = None
) -> RenderedPage:
    o = overrides or Overrides()
    if doc_type == DocType.OTHER.value:
        return render_nonclaim(content, rng, layout)  # not claim material: fraud overrides do not apply
    if doc_type in _INVOICE_TYPES:
        opts = InvoiceOptions(
            words_cents=o.words_cents,
            total_cents=o.total_cents,
            altered_total_cents=o.altered_total_cents,
            patient_name=o.patient_name,
            hospital_name=o.hospital_name,
        )
        return render_invoice(content, rng, layout, opts)
    if doc_type in CLINICAL_LAYOUTS:
        return render_clinical(
            content,
            rng,
            doc_type,
            layout,
            hospital_name=o.hospital_name,
            patient_name=o.patient_name,
            layouts=_CLINICAL,
        )
    return render_other(
        content,
        rng,
        doc_type,
        layout,
        hospital_name=o.hospital_name,
        patient_name=o.patient_name,
        total_cents=o.total_cents,
    )
