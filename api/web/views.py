"""View models of the workbench pages, built from the claims service's JSON (pure functions, no I/O).

The claim page shows whatever sections the assessment holds (DESIGN §2): per page ``doc_type``,
``doc_type_confidence``, ``group``, ``quality``, ``fields``, ``text_lines``; per claim ``diagnoses``,
``severity``, ``materials``, ``checks``, ``fraud``, ``decision``. A section the pipeline did not produce is
``None`` here and the page says "not assessed yet"; nothing is made up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from api.web.i18n import Translate
from claims_ai.service.corrections import DOC_TYPES, FIELD_NAMES, LIST_FIELDS

__all__ = ["LOW_CONFIDENCE", "claim_page", "fmt_time", "label", "message"]

LOW_CONFIDENCE = 0.8  # below this a value is marked for the adjuster's attention
REASON_CODES: dict[str, tuple[str, ...]] = {
    "approve": ("documents_complete", "diagnosis_confirmed", "severity_confirmed", "amounts_verified"),
    "reject": ("not_covered", "before_policy_start", "in_waiting_period", "fraud_confirmed", "duplicate_claim"),
    "request_materials": ("missing_documents", "illegible_documents", "information_mismatch"),
    "investigate": ("suspected_fraud", "amount_anomaly", "identity_doubt", "needs_field_check"),
}
OUTCOMES = tuple(REASON_CODES)


def label(t: Translate, prefix: str, value: Any) -> str:
    """The catalog label of a stored value (``status.in_review``); the value itself when none exists."""
    if value is None or value == "":
        return t("common.none")
    return t(f"{prefix}.{value}", str(value))


def message(t: Translate, lang: str, item: Any, prefix: str = "reason") -> str:
    """A reason/check/evidence item as text: its message in the language, else the catalog label of its code."""
    if isinstance(item, str):
        return label(t, prefix, item)
    if isinstance(item, dict):
        for key in (f"message_{lang}", "message", "text", "description"):
            if isinstance(item.get(key), str) and item[key]:
                return str(item[key])
        if isinstance(item.get("field"), str) and item.get("value") is not None:  # an evidence span
            return f"{label(t, 'field', item['field'])}: {item['value']}"
        code = item.get("code") or item.get("name") or item.get("rule") or item.get("id")
        if code:
            return label(t, prefix, code)
    return str(item)


def fmt_time(value: Any) -> str:
    """``2026-11-21 14:03`` (UTC) from a datetime or ISO string."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    return ""


def pct(value: Any) -> str:
    return f"{round(float(value) * 100)}%" if isinstance(value, int | float) else "—"


def _points(box: Any) -> str | None:
    """SVG ``points`` of a quad ``[[x, y] × 4]`` (or an ``[x0, y0, x1, y1]`` rectangle)."""
    try:
        if isinstance(box, list | tuple) and len(box) == 4 and all(isinstance(v, int | float) for v in box):
            x0, y0, x1, y1 = (float(v) for v in box)
            return f"{x0:.1f},{y0:.1f} {x1:.1f},{y0:.1f} {x1:.1f},{y1:.1f} {x0:.1f},{y1:.1f}"
        if isinstance(box, list | tuple) and len(box) >= 3:
            return " ".join(f"{float(p[0]):.1f},{float(p[1]):.1f}" for p in box)
    except (TypeError, ValueError, IndexError):
        return None
    return None


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(" ".join(str(item[k]) for k in ("name", "amount") if item.get(k) is not None))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(value)


def _field_order(name: str) -> int:
    return FIELD_NAMES.index(name) if name in FIELD_NAMES else len(FIELD_NAMES)


def _page_view(
    t: Translate, lang: str, claim_id: str, i: int, page: dict[str, Any], document_ids: list[str], images: bool
) -> dict[str, Any]:
    index = page.get("file_index")
    document_id = document_ids[index] if isinstance(index, int) and 0 <= index < len(document_ids) else None
    number = page.get("page") or 1
    quality: dict[str, Any] = page["quality"] if isinstance(page.get("quality"), dict) else {}
    failed = [
        {"name": label(t, "quality", c.get("name")), "hint": c.get(f"hint_{lang}") or c.get("hint_en") or ""}
        for c in quality.get("checks") or []
        if isinstance(c, dict) and c.get("passed") is False
    ]
    lines = []
    for n, line in enumerate(page.get("text_lines") or []):
        points = _points(line.get("box"))
        if points:
            conf = line.get("confidence")
            low = isinstance(conf, int | float) and conf < LOW_CONFIDENCE
            lines.append(
                {"id": f"l-{i}-{n}", "points": points, "text": line.get("text") or "", "conf": pct(conf), "low": low}
            )
    fields = []
    raw_fields: dict[str, Any] = page["fields"] if isinstance(page.get("fields"), dict) else {}
    for name in sorted(raw_fields, key=_field_order):
        f = raw_fields[name]
        if not isinstance(f, dict):
            continue
        conf = f.get("confidence")
        fields.append(
            {
                "id": f"f-{i}-{name}",
                "name": name,
                "label": label(t, "field", name),
                "value": _display(f.get("value")),
                "raw": f.get("value") if isinstance(f.get("value"), str) else "",
                "confidence": pct(conf),
                "low": isinstance(conf, int | float) and conf < LOW_CONFIDENCE,
                "points": _points(f.get("box")),
                "corrected": _corrected(f.get("corrected"), "machine_value"),
                "editable": name not in LIST_FIELDS and document_id is not None,
            }
        )
    doc_conf = page.get("doc_type_confidence")
    has_image = images and document_id is not None
    return {
        "index": i,
        "anchor": f"page-{i}",
        "document_id": document_id,
        "file": page.get("file") or "",
        "page": number,
        "width": page.get("width") or 1000,
        "height": page.get("height") or 1400,
        "image_url": f"/web/claims/{claim_id}/documents/{document_id}/pages/{number}" if has_image else None,
        "assessed": "doc_type" in page,
        "doc_type": page.get("doc_type"),
        "doc_type_label": label(t, "doc_type", page.get("doc_type")) if "doc_type" in page else None,
        "doc_type_confidence": pct(doc_conf),
        "doc_type_low": isinstance(doc_conf, int | float) and doc_conf < LOW_CONFIDENCE,
        "doc_type_corrected": _corrected(page.get("doc_type_corrected"), "machine_value", prefix="doc_type", t=t),
        "group": page.get("group"),
        "quality_passed": quality.get("passed"),
        "quality_failed": failed,
        "lines": lines,
        "fields": fields,
        "fields_assessed": "fields" in page,
        "evidence": [],
        "editable_fields": [n for n in FIELD_NAMES if n not in LIST_FIELDS],
    }


def _corrected(marker: Any, machine_key: str, prefix: str | None = None, t: Translate | None = None) -> Any:
    if not isinstance(marker, dict):
        return None
    machine = marker.get(machine_key)
    if prefix and t is not None and machine is not None:
        machine = label(t, prefix, machine)
    return {"by": marker.get("by"), "at": fmt_time(marker.get("at")), "machine": _display(machine)}


def _find_page(pages: list[dict[str, Any]], body: dict[str, Any], evidence: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(evidence.get("document"), int):  # index into documents[]
        k = evidence["document"]
        return pages[k] if 0 <= k < len(pages) else None
    docs = body.get("documents") or []
    for k, page in enumerate(docs):
        same_file = evidence.get("file_index") == page.get("file_index") or (
            evidence.get("file") is not None and evidence.get("file") == page.get("file")
        )
        if same_file and evidence.get("page", 1) == page.get("page"):
            return pages[k]
    return None


def _fraud_view(t: Translate, lang: str, fraud: Any, pages: list[dict[str, Any]], body: dict[str, Any]) -> Any:
    if not isinstance(fraud, dict):
        return None
    reasons = []
    for r, reason in enumerate(fraud.get("reasons") or []):
        evidence_items = reason.get("evidence") if isinstance(reason, dict) else None
        if isinstance(evidence_items, dict):
            evidence_items = [evidence_items]
        links = []
        for e, evidence in enumerate(evidence_items or []):
            if not isinstance(evidence, dict):
                links.append({"text": str(evidence), "target": None})
                continue
            page = _find_page(pages, body, evidence)
            points = _points(evidence.get("box"))
            field_name = evidence.get("field")
            if page is not None and points is None and field_name:
                points = next((f["points"] for f in page["fields"] if f["name"] == field_name), None)
            target = None
            if page is not None and points is not None:
                target = f"e-{r}-{e}"
                page["evidence"].append({"id": target, "points": points, "label": message(t, lang, reason, "fraud")})
            where = []
            if page is not None:
                where.append(t("claim.page_ref", file=page["file"], page=page["page"]))
            if field_name:
                where.append(label(t, "field", field_name))
            note = evidence.get(f"message_{lang}") or evidence.get("note") or evidence.get("text")
            if note:
                where.append(str(note))
            links.append({"text": " · ".join(where) or t("fraud.evidence"), "target": target})
        weight = reason.get("weight") if isinstance(reason, dict) else None
        reasons.append(
            {
                "text": message(t, lang, reason, "fraud"),
                "code": reason.get("code") if isinstance(reason, dict) else reason,
                "weight": f"{weight:+.2f}" if isinstance(weight, int | float) else None,
                "evidence": links,
            }
        )
    score = fraud.get("score")
    return {
        "score": f"{score:.2f}" if isinstance(score, int | float) else "—",
        "band": fraud.get("band"),
        "band_label": label(t, "band", fraud.get("band")),
        "reasons": reasons,
    }


def _severity_view(t: Translate, lang: str, severity: Any) -> Any:
    if not isinstance(severity, dict):
        return None
    evidence = severity.get("evidence")
    if isinstance(evidence, str | dict):
        evidence = [evidence]
    payout = severity.get("payout")
    if isinstance(payout, dict):
        amount = payout.get("amount")
        payout_text = f"{amount} {payout.get('currency', '')}".strip() if amount is not None else _display(payout)
    else:
        payout_text = _display(payout)
    return {
        "tier": severity.get("tier"),
        "tier_label": label(t, "tier", severity.get("tier")),
        "rule": severity.get("rule_id") or severity.get("rule") or "—",
        "rule_text": severity.get(f"rule_{lang}") or severity.get("rule_name") or "",
        "evidence": [message(t, lang, e, "evidence") for e in evidence or []],
        "payout": payout_text,
    }


def _materials_view(t: Translate, lang: str, materials: Any) -> Any:
    if not isinstance(materials, dict):
        return None

    def types(key: str) -> list[str]:
        out = []
        for item in materials.get(key) or []:
            value = item.get("doc_type") if isinstance(item, dict) else item
            out.append(label(t, "doc_type", value))
        return out

    missing = [
        {
            "doc_type": label(t, "doc_type", m.get("doc_type")),
            "message": m.get(f"message_{lang}") or m.get("message_en") or m.get("message_zh") or "",
            "reason": label(t, "missing_reason", m.get("reason")) if m.get("reason") else "",
        }
        for m in materials.get("missing") or []
        if isinstance(m, dict)
    ]
    return {"required": types("required"), "present": types("present"), "missing": missing}


def _checks_view(t: Translate, lang: str, checks: Any) -> Any:
    if not isinstance(checks, list):
        return None
    out = []
    for c in checks:
        if not isinstance(c, dict):
            continue
        passed = c.get("passed")
        status = c.get("status")
        if status == "passed" or passed is True:
            state = "pass"
        elif status == "failed" or passed is False:
            state = "fail"
        else:
            state = "unknown"
        detail = c.get(f"message_{lang}") or c.get("message") or c.get("detail") or ""
        name = c.get("id") or c.get("name") or c.get("code")
        out.append({"name": label(t, "check", name), "state": state, "detail": _display(detail)})
    return out


def _diagnoses_view(diagnoses: Any) -> Any:
    if not isinstance(diagnoses, list):
        return None
    out = []
    for i, d in enumerate(diagnoses):
        if not isinstance(d, dict):
            continue
        conf = d.get("confidence")
        out.append(
            {
                "index": i,
                "text": d.get("text") or "",
                "icd10": d.get("icd10") or "",
                "name": d.get("name") or "",
                "confidence": pct(conf),
                "low": isinstance(conf, int | float) and conf < LOW_CONFIDENCE,
                "corrected": _corrected(d.get("corrected"), "machine_icd10"),
            }
        )
    return out


def _decision_view(t: Translate, lang: str, decision: Any) -> Any:
    if not isinstance(decision, dict):
        return None
    return {
        "route": decision.get("route"),
        "route_label": label(t, "route", decision.get("route")),
        "reasons": [message(t, lang, r) for r in decision.get("reasons") or []],
    }


def claim_page(
    t: Translate,
    lang: str,
    claim: dict[str, Any],
    timeline: dict[str, Any],
    corrections: list[dict[str, Any]],
    audit: list[dict[str, Any]] | None,
    who: Callable[[str], str] = str,
) -> dict[str, Any]:
    """Everything the claim page shows, from ``ClaimService.get_claim`` / ``timeline`` / audit / corrections."""
    assessment = claim.get("assessment")
    body: dict[str, Any] = assessment["result"] if assessment else {}
    document_ids = list(assessment["document_ids"]) if assessment else []
    images = not claim.get("personal_data_masked")
    pages = [
        _page_view(t, lang, claim["id"], i, p, document_ids, images) for i, p in enumerate(body.get("documents") or [])
    ]
    fraud = _fraud_view(t, lang, body.get("fraud"), pages, body)
    rederived = body.get("rederived") if isinstance(body.get("rederived"), dict) else None
    files_with_errors = [
        {"file": f.get("file"), "message": (f.get("error") or {}).get("message")}
        for f in body.get("files") or []
        if isinstance(f, dict) and f.get("error")
    ]
    events = [
        {
            "at": e["at"],
            "when": fmt_time(e["at"]),
            "kind": "status",
            "title": e["label"].get(lang) or e["status"],
            "detail": _event_detail(t, lang, e.get("detail") or {}),
        }
        for e in timeline.get("events") or []
    ]
    for c in corrections:
        target = label(t, "field", c["target"]) if c["kind"] == "field" else label(t, "correction_kind", c["kind"])
        value = label(t, "doc_type", c["value"]) if c["kind"] == "doc_type" else c["value"]
        events.append(
            {
                "at": c["created_at"],
                "when": fmt_time(c["created_at"]),
                "kind": "correction",
                "title": t("timeline.corrected", target=target, value=value),
                "detail": t("timeline.by", actor=who(c["actor"])) + (f" · {c['reason']}" if c.get("reason") else ""),
            }
        )
    decision = claim.get("decision")
    if decision:
        events.append(
            {
                "at": decision["created_at"],
                "when": fmt_time(decision["created_at"]),
                "kind": "decision",
                "title": t("timeline.decided", outcome=label(t, "outcome", decision["outcome"])),
                "detail": " · ".join(
                    [t("timeline.by", actor=who(decision["actor"]))]
                    + [label(t, "reason_code", r) for r in decision.get("reason_codes") or []]
                    + ([decision["comment"]] if decision.get("comment") else [])
                ),
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    return {
        "claim": claim,
        "assessment_id": assessment["id"] if assessment else None,
        "assessed": assessment is not None,
        "pages": pages,
        "fields_total": sum(len(p["fields"]) for p in pages),
        "low_fields": sum(1 for p in pages for f in p["fields"] if f["low"]),
        "any_fields": any(p["fields_assessed"] for p in pages),
        "any_doc_types": any(p["assessed"] for p in pages),
        "materials": _materials_view(t, lang, body.get("materials")),
        "severity": _severity_view(t, lang, body.get("severity")),
        "diagnoses": _diagnoses_view(body.get("diagnoses")),
        "checks": _checks_view(t, lang, body.get("checks")),
        "fraud": fraud,
        "decision": _decision_view(t, lang, body.get("decision")),
        "rederived": rederived,
        "files_with_errors": files_with_errors,
        "states": timeline.get("states") or [],
        "events": events,
        "corrections": corrections,
        "audit": [{**a, "when": fmt_time(a["at"]), "detail_text": _audit_detail(t, a["detail"])} for a in audit]
        if audit is not None
        else None,
        "doc_types": DOC_TYPES,
        "outcomes": OUTCOMES,
        "reason_codes": REASON_CODES,
    }


def _event_detail(t: Translate, lang: str, detail: dict[str, Any]) -> str:
    parts = []
    if detail.get("documents_received"):
        parts.append(t("timeline.documents_received", n=detail["documents_received"]))
    for m in detail.get("missing") or []:
        if isinstance(m, dict):
            parts.append(t("timeline.missing", what=label(t, "doc_type", m.get("doc_type"))))
    for f in detail.get("unreadable_files") or []:
        if isinstance(f, dict):
            parts.append(t("timeline.unreadable", file=f.get("file") or ""))
    if detail.get("decision"):
        parts.append(label(t, "outcome", detail["decision"]))
    if detail.get("after") == "correction":
        parts.append(t("timeline.after_correction"))
    if detail.get("automatic_assessment") == "failed":
        parts.append(t("timeline.assessment_failed"))
    return " · ".join(parts)


_ID = re.compile(r"^(?:doc|asm|cor|dec|clm|job|key)_[0-9a-f]{12,}$")


def _short(value: Any) -> str:
    if isinstance(value, str):
        return value[:12] + "…" if _ID.match(value) else value
    if isinstance(value, list | tuple):
        return ", ".join(_short(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_short(v)}" for k, v in value.items())
    return str(value)


def _audit_detail(t: Translate, detail: dict[str, Any]) -> str:
    """An audit entry's detail in one short line (ids shortened; outcomes, reasons and kinds labelled)."""
    parts = []
    for key, value in detail.items():
        if value is None or value == [] or value == "":
            continue
        if key == "outcome":
            parts.append(label(t, "outcome", value))
        elif key == "reason_codes" and isinstance(value, list):
            parts.append(", ".join(label(t, "reason_code", v) for v in value))
        elif key == "kind":
            parts.append(label(t, "correction_kind", value))
        elif key == "target" and value != "doc_type":
            parts.append(label(t, "field", value))
        elif key != "target":
            parts.append(f"{key} {_short(value)}")
    return " · ".join(parts)
