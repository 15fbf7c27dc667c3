"""Ground truth of a captured page: every record of the drawn page carried into final image pixels."""

from __future__ import annotations

from claims_datasets.canvas import RenderedPage
from claims_datasets.capture import Captured
from claims_datasets.schema import FieldTruth, LineItemTruth, PageTruth, StampTruth, TextLineTruth

__all__ = ["page_truth"]


def _quad(captured: Captured, box: tuple[float, float, float, float], point_map: object = None) -> tuple:
    return tuple(tuple(p) for p in captured.map_quad(box, point_map))  # type: ignore[arg-type]


def _field(captured: Captured, rec: dict) -> FieldTruth:
    return FieldTruth(str(rec["value"]), str(rec["text"]), _quad(captured, rec["box"]), bool(rec.get("masked", False)))


def page_truth(
    page: RenderedPage,
    captured: Captured,
    *,
    page_id: str,
    image_name: str,
    seed: int,
    split: str,
    claim_id: str | None = None,
    document_id: str | None = None,
) -> PageTruth:
    lines = [
        TextLineTruth(rec["text"], _quad(captured, rec["box"]), rec["kind"], bool(rec.get("legible", True)), 0)
        for rec in page.lines
    ]
    for slip_index, slip in enumerate(captured.slips, start=1):
        for rec, visible in zip(slip.page.lines, slip.visible, strict=True):
            if visible:
                lines.append(
                    TextLineTruth(
                        rec["text"],
                        _quad(captured, rec["box"], slip.point_map),
                        rec["kind"],
                        bool(rec.get("legible", True)),
                        slip_index,
                    )
                )
    params = dict(captured.params)
    params["other_slip_types"] = [s.page.doc_type for s in captured.slips]
    if page.edits:
        params["local_edits"] = [{"box": _quad(captured, e["box"]), "note": e["note"]} for e in page.edits]
    h, w = captured.image.shape[:2]
    return PageTruth(
        page_id=page_id,
        image=image_name,
        width=int(w),
        height=int(h),
        seed=seed,
        split=split,
        doc_type=page.doc_type,
        layout=page.layout,
        fields={name: _field(captured, rec) for name, rec in page.fields.items()},
        line_items=tuple(LineItemTruth(r["name"], r["amount"], _quad(captured, r["box"])) for r in page.line_items),
        diagnoses=tuple(_field(captured, r) for r in page.diagnoses),
        text_lines=tuple(lines),
        stamps=tuple(StampTruth(s["text"], _quad(captured, s["box"]), s["color"]) for s in page.stamps),
        capture=params,
        extra_fields={name: _field(captured, rec) for name, rec in page.extra_fields.items()},
        claim_id=claim_id,
        document_id=document_id,
    )
