"""A fast fake pipeline for the workbench tests: the real ingest and quality gate, a fake OCR, and the later
stages (document type, fields, diagnoses, severity, materials, checks, fraud, decision) in the DESIGN §2 shape.

Documents are rendered here (``invoice``, ``discharge``, ``pathology``) with text at known places; the fake OCR
returns those lines, and the fake downstream stages derive everything else from the pages' document types and
fields, the same way from a fresh reading (``assess``) and from a corrected assessment JSON (``rederive``, the
hook ``claims_ai.service.corrections`` calls). The extra sections ride on dataclass subclasses of
``claims_ai.types`` so the service stores them through the real ``to_dict``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from claims_ai.config import Settings
from claims_ai.ingest.quality import QualityGate
from claims_ai.pipeline import InputFile, PageCallback, Pipeline
from claims_ai.types import Assessment, ClaimFacts, DocumentPage, OcrResult, TextLine, to_dict
from claims_datasets.fonts import cjk_font

__all__ = ["FakeDoc", "WorkbenchPipeline", "discharge", "invoice", "pathology"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Line:
    text: str  # what is printed
    box: Box
    read_as: str | None = None  # what the OCR reads, when it misreads
    confidence: float = 0.97
    size: int = 30
    color: tuple[int, int, int] = (25, 25, 30)


@dataclass(frozen=True)
class FakeDoc:
    name: str
    doc_type: str  # what the fake classifier says
    doc_type_confidence: float
    size: tuple[int, int]
    lines: tuple[Line, ...]
    fields: Mapping[str, tuple[str, int, float]]  # name -> (value, line index, confidence)
    line_items: tuple[tuple[str, str, int], ...] = ()  # (name, amount, line index)
    diagnoses: tuple[tuple[str, int], ...] = ()  # (as written, line index)
    png: bytes = b""


def _render(doc: FakeDoc, rule: tuple[int, int, int] | None = None) -> bytes:
    image = Image.new("RGB", doc.size, (252, 251, 247))
    draw = ImageDraw.Draw(image)
    if rule is not None:
        for line in doc.lines[1:]:
            y = line.box[3] + 6
            draw.line([(40, y), (doc.size[0] - 40, y)], fill=rule, width=2)
    for line in doc.lines:
        draw.text((line.box[0], line.box[1]), line.text, fill=line.color, font=cjk_font(line.size))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _lines(rows: Sequence[tuple[str, float, float]], size: int = 30, **kw: Any) -> list[Line]:
    font = cjk_font(size)
    out = []
    for text, x, y in rows:
        width = font.getlength(text)
        out.append(Line(text, (x, y, x + width, y + size * 1.15), size=size, **kw))
    return out


def invoice(total_read_as: str = "（小写）24,789.65", total_confidence: float = 0.62) -> FakeDoc:
    """An inpatient invoice whose printed total (24,189.65) the OCR misreads, with low confidence."""
    title = Line("贵州省医疗住院收费票据（电子）", (330, 40, 910, 92), size=44, color=(200, 40, 40))
    head = _lines(
        [
            ("票据号码：0012345678", 70, 130),
            ("交款人：张秀英", 660, 130),
            ("医疗机构：遵义医科大学附属医院", 70, 190),
            ("开票日期：2020-12-23", 660, 190),
            ("住院时间：2020-12-17至2020-12-23", 70, 250),
        ]
    )
    charges = [("床位费", "600.00"), ("检查费", "3,250.00"), ("化验费", "1,820.40"),
               ("西药费", "12,469.25"), ("治疗费", "2,150.00"), ("卫生材料费", "3,900.00")]  # fmt: skip
    items = _lines([(f"{n}  {a}", 70 + (i % 2) * 590, 320 + (i // 2) * 60) for i, (n, a) in enumerate(charges)])
    words = _lines([("合计（大写）贰万肆仟壹佰捌拾玖元陆角伍分", 70, 520)])
    total = Line("（小写）24,189.65", (70, 590, 330, 625), read_as=total_read_as, confidence=total_confidence)
    lines = (title, *head, *items, *words, total)
    first_item = 1 + len(head)
    return FakeDoc(
        name="invoice.png",
        doc_type="medical_invoice_inpatient",
        doc_type_confidence=0.96,
        size=(1240, 700),
        lines=lines,
        fields={
            "invoice_number": ("0012345678", 1, 0.95),
            "patient_name": ("张秀英", 2, 0.93),
            "hospital_name": ("遵义医科大学附属医院", 3, 0.91),
            "issue_date": ("2020-12-23", 4, 0.94),
            "admission_date": ("2020-12-17", 5, 0.9),
            "discharge_date": ("2020-12-23", 5, 0.9),
            "total_amount": (_amount(total_read_as), len(lines) - 1, total_confidence),
        },
        line_items=tuple((n, a.replace(",", ""), first_item + i) for i, (n, a) in enumerate(charges)),
    )


def discharge() -> FakeDoc:
    title = Line("遵义医科大学附属医院 出院记录", (300, 50, 900, 100), size=42)
    rows = _lines(
        [
            ("姓名：张秀英   性别：女   年龄：38岁   科别：甲乳外科", 70, 150),
            ("入院日期：2020-12-17   出院日期：2020-12-23", 70, 210),
            ("入院诊断：甲状腺结节", 70, 280),
            ("出院诊断：甲状腺乳头状癌", 70, 340),
            ("诊疗经过：全麻下行甲状腺右叶及峡部切除术，术后恢复好。", 70, 400),
            ("出院医嘱：定期复查甲功，门诊随诊。", 70, 460),
        ]
    )
    return FakeDoc(
        name="discharge.png",
        doc_type="discharge_summary",
        doc_type_confidence=0.93,
        size=(1240, 620),
        lines=(title, *rows),
        fields={
            "patient_name": ("张秀英", 1, 0.9),
            "hospital_name": ("遵义医科大学附属医院", 0, 0.88),
            "department": ("甲乳外科", 1, 0.72),
            "admission_date": ("2020-12-17", 2, 0.91),
            "discharge_date": ("2020-12-23", 2, 0.91),
        },
        diagnoses=(("甲状腺乳头状癌", 4),),
    )


def pathology() -> FakeDoc:
    """A pathology report the fake classifier is unsure of (it says "other")."""
    title = Line("病理诊断报告", (480, 50, 760, 100), size=42)
    rows = _lines(
        [
            ("姓名：张秀英   病理号：P2020-18811", 70, 150),
            ("病理诊断：（右侧）甲状腺乳头状癌，经典型", 70, 220),
            ("肿瘤大小 1.3cm，未见脉管侵犯", 70, 280),
            ("pTNM 分期：pT1bN0M0", 70, 340),
        ]
    )
    return FakeDoc(
        name="pathology.png",
        doc_type="other",
        doc_type_confidence=0.46,
        size=(1240, 460),
        lines=(title, *rows),
        fields={
            "patient_name": ("张秀英", 1, 0.9),
            "pathology_diagnosis": ("甲状腺乳头状癌，经典型", 2, 0.86),
            "tnm_stage": ("pT1bN0M0", 4, 0.83),
        },
    )


def _amount(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    return f"{Decimal(digits):.2f}"


def _quad(box: Box) -> tuple[tuple[float, float], ...]:
    x0, y0, x1, y1 = box
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


# --------------------------------------------------------------------------- DESIGN §2 sections on the results


@dataclass(frozen=True)
class PageWithStages(DocumentPage):
    doc_type: str = "other"
    doc_type_confidence: float = 0.0
    group: int = 0
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssessmentWithStages(Assessment):
    diagnoses: Sequence[Mapping[str, Any]] = ()
    severity: Mapping[str, Any] | None = None
    materials: Mapping[str, Any] | None = None
    checks: Sequence[Mapping[str, Any]] = ()
    fraud: Mapping[str, Any] | None = None
    decision: Mapping[str, Any] | None = None


REQUIRED = {
    "critical_illness": ["medical_invoice_inpatient", "discharge_summary", "pathology_report"],
    "inpatient": ["medical_invoice_inpatient", "discharge_summary"],
}
ICD = {"甲状腺乳头状癌": ("C73", "甲状腺恶性肿瘤"), "甲状腺结节": ("E04.1", "甲状腺结节")}
NAMES = {"pathology_report": ("病理报告", "pathology report"), "discharge_summary": ("出院小结", "discharge summary"),
         "medical_invoice_inpatient": ("住院发票", "inpatient invoice")}  # fmt: skip


class FakeOcr:
    def __init__(self, registry: dict[str, FakeDoc]) -> None:
        self._by_pixels = registry

    @property
    def versions(self) -> dict[str, str]:
        return {"fake_ocr": "1"}

    def read(self, image: np.ndarray) -> OcrResult:
        doc = self._by_pixels.get(hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest())
        if doc is None:
            return OcrResult(lines=(), orientation=0)
        lines = tuple(TextLine(ln.read_as or ln.text, ln.confidence, _quad(ln.box)) for ln in doc.lines)
        return OcrResult(lines=lines, orientation=0)  # type: ignore[arg-type]


class WorkbenchPipeline:
    """``assess`` and ``rederive`` with the later stages in the DESIGN shape; fast (no models)."""

    def __init__(self, settings: Settings) -> None:
        self._by_pixels: dict[str, FakeDoc] = {}
        self._by_file: dict[str, FakeDoc] = {}
        self._inner = Pipeline(settings, FakeOcr(self._by_pixels), QualityGate(settings.quality))
        self.rederive_calls = 0

    def register(self, doc: FakeDoc) -> FakeDoc:
        """Render the document; its bytes are what a test uploads. Returns it with ``png`` set."""
        rule = (200, 60, 60) if doc.doc_type.startswith("medical_invoice") else None
        png = _render(doc, rule)
        doc = dataclasses.replace(doc, png=png)
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        self._by_pixels[hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()] = doc
        self._by_file[hashlib.sha256(png).hexdigest()] = doc
        return doc

    @property
    def model_versions(self) -> dict[str, str]:
        return {**self._inner.model_versions, "fake_stages": "1"}

    def close(self) -> None:
        self._inner.close()

    def assess(
        self,
        files: Sequence[InputFile],
        facts: ClaimFacts | None = None,
        on_page: PageCallback | None = None,
        context: object = None,
    ) -> Assessment:
        base = self._inner.assess(files, facts, on_page)
        pages = []
        for page in base.documents:
            doc = self._by_file.get(hashlib.sha256(files[page.file_index].data).hexdigest())
            stage_names = ("doc_type", "doc_type_confidence", "group", "fields")
            values = {f.name: getattr(page, f.name) for f in dataclasses.fields(page) if f.name not in stage_names}
            if doc is None:
                pages.append(PageWithStages(**values, doc_type="other", doc_type_confidence=0.3, group=page.file_index))
                continue
            pages.append(
                PageWithStages(
                    **values,
                    doc_type=doc.doc_type,
                    doc_type_confidence=doc.doc_type_confidence,
                    group=page.file_index,
                    fields=_fields(doc, page.page),
                )
            )
        page_dicts = to_dict(pages)
        sections = downstream(page_dicts, facts)
        return AssessmentWithStages(
            files=base.files,
            documents=tuple(pages),
            model_versions={**base.model_versions, "fake_stages": "1"},
            timings_ms=base.timings_ms,
            claim=base.claim,
            **sections,
        )

    def rederive(self, body: dict[str, Any], facts: ClaimFacts | None) -> dict[str, Any]:
        self.rederive_calls += 1
        body.update(downstream(body.get("documents") or [], facts, previous=body.get("diagnoses") or []))
        return body


def _fields(doc: FakeDoc, page: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (value, line, confidence) in doc.fields.items():
        out[name] = {"value": value, "confidence": confidence, "page": page, "box": _quad(doc.lines[line].box)}
    if doc.line_items:
        boxes = [doc.lines[i].box for _, _, i in doc.line_items]
        out["line_items"] = {
            "value": [{"name": n, "amount": a, "box": _quad(doc.lines[i].box)} for n, a, i in doc.line_items],
            "confidence": 0.9,
            "page": page,
            "box": _quad(_union(boxes)),
        }
    if doc.diagnoses:
        out["diagnoses"] = {
            "value": [text for text, _ in doc.diagnoses],
            "confidence": 0.9,
            "page": page,
            "box": _quad(doc.lines[doc.diagnoses[0][1]].box),
        }
    return out


def downstream(
    pages: list[dict[str, Any]], facts: ClaimFacts | None, previous: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Diagnoses, severity, materials, checks, fraud and decision from the pages' types and fields."""
    claim_type = facts.claim_type.value if facts and facts.claim_type else "inpatient"
    age = facts.member_age if facts else None
    present = {p.get("doc_type") for p in pages}
    required = REQUIRED.get(claim_type, ["medical_invoice_inpatient"])
    missing = [
        {
            "doc_type": t,
            "reason": "not_found",
            "message_zh": f"请上传{NAMES.get(t, (t, t))[0]}（须加盖医院公章）。",
            "message_en": f"Please upload the {NAMES.get(t, (t, t))[1]} (with the hospital's stamp).",
        }
        for t in required
        if t not in present
    ]

    def field_of(doc_type: str, name: str) -> tuple[int, dict[str, Any]] | None:
        for i, p in enumerate(pages):
            f = (p.get("fields") or {}).get(name)
            if p.get("doc_type") == doc_type and isinstance(f, dict) and f.get("value") is not None:
                return i, f
        return None

    corrected = {d.get("text"): d for d in previous if d.get("corrected")}
    diagnoses = []
    for p in pages:
        written = ((p.get("fields") or {}).get("diagnoses") or {}).get("value") or []
        for text in written:
            if text in corrected:
                diagnoses.append(dict(corrected[text]))
                continue
            code, name = ICD.get(text, (None, None))
            diagnoses.append({"text": text, "icd10": code, "name": name, "confidence": 0.88 if code else 0.3})

    severity: dict[str, Any] = {"tier": "undetermined", "rule_id": None, "evidence": [], "payout": None}
    primary = diagnoses[0] if diagnoses else None
    if primary and str(primary.get("icd10") or "").startswith("C73"):
        tnm = field_of("pathology_report", "tnm_stage")
        if tnm is None:
            severity = {
                "tier": "undetermined",
                "rule_id": "CI2020-thyroid-needs-tnm",
                "evidence": [f"诊断：{primary['text']}（{primary['icd10']}）", "缺少病理 TNM 分期"],
                "payout": None,
            }
        else:
            stage = str(tnm[1]["value"])
            mild = "M0" in stage and (age is None or age < 55)
            severity = {
                "tier": "mild" if mild else "severe",
                "rule_id": "CI2020-mild-thyroid-stage-I" if mild else "CI2020-severe-malignant",
                "evidence": [f"诊断：{primary['text']}（{primary['icd10']}）", f"病理分期：{stage}", f"年龄：{age}"],
                "payout": {"amount": "50000.00" if mild else "300000.00", "currency": "CNY"},
            }
    elif primary:
        severity = {
            "tier": "not_covered",
            "rule_id": "CI2020-not-listed",
            "evidence": [primary["text"]],
            "payout": None,
        }

    checks, reasons = [], []
    total = field_of("medical_invoice_inpatient", "total_amount")
    items = field_of("medical_invoice_inpatient", "line_items")
    if total and items:
        item_sum = sum(Decimal(i["amount"]) for i in items[1]["value"])
        ok = Decimal(total[1]["value"]) == item_sum
        checks.append(
            {
                "id": "items_sum_matches_total",
                "status": "passed" if ok else "failed",
                "message": f"lines add up to {item_sum:.2f}; the invoice total is {total[1]['value']}",
                "evidence": [{"field": "total_amount", "value": total[1]["value"]}],
            }
        )
        if not ok:
            page = pages[total[0]]
            reasons.append(
                {
                    "code": "items_dont_add_up",
                    "weight": 0.45,
                    "evidence": [
                        {"file_index": page["file_index"], "page": page["page"], "field": "total_amount"},
                        {"file_index": page["file_index"], "page": page["page"], "box": items[1]["box"],
                         "note": f"Σ {item_sum:.2f}"},
                    ],
                }
            )  # fmt: skip
    names = {(p.get("fields") or {}).get("patient_name", {}).get("value") for p in pages} - {None}
    if names:
        status = "passed" if len(names) == 1 else "failed"
        checks.append({"id": "names_match", "status": status, "message": " / ".join(sorted(names)), "evidence": []})
    score = round(min(0.05 + 0.45 * len(reasons), 0.99), 2)
    band = "low" if score < 0.3 else "medium" if score < 0.7 else "high"
    route = "investigate" if band == "high" else "request_materials" if missing else "adjuster_review"
    decision_reasons = ["materials_missing"] if missing else []
    decision_reasons += ["fraud_risk"] if reasons else []
    decision_reasons += ["covered_diagnosis"] if severity["tier"] in ("mild", "severe") else []
    return {
        "diagnoses": diagnoses,
        "severity": severity,
        "materials": {"required": required, "present": [t for t in required if t in present], "missing": missing},
        "checks": checks,
        "fraud": {"score": score, "band": band, "reasons": reasons},
        "decision": {"route": route, "reasons": decision_reasons},
    }
