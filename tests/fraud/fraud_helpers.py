"""Small hand-made claims and page images for the fraud tests (no generator, no models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import cv2
import numpy as np

from claims_ai.config import ClaimType
from claims_ai.medical.evidence import ClaimEvidence, DocType, DocumentEvidence, FieldValue
from claims_ai.types import ClaimFacts, Quad


def quad(x0: float, y0: float, x1: float, y1: float) -> Quad:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def field(value: str, box: Quad | None = None) -> FieldValue:
    return FieldValue(value, 0.99, 1, box or quad(10, 10, 60, 30))


def claim(
    *,
    invoice_name: str = "张三明",
    invoice_hospital: str = "贵阳市第一人民医院",
    discharge_name: str = "张三明",
    total: str = "24189.65",
    words: str = "24189.65",
    items: tuple[tuple[str, str], ...] = (("床位费", "1200.00"), ("西药费", "22989.65")),
    admission: str = "2021-03-10",
    policy_start: dt.date = dt.date(2020, 1, 1),
    waiting_days: int = 90,
    diagnosis: str = "甲状腺乳头状癌",
    history: str = "既往体健，否认高血压、糖尿病病史。",
) -> ClaimEvidence:
    invoice = DocumentEvidence(
        DocType.MEDICAL_INVOICE_INPATIENT,
        "D-invoice",
        (1,),
        file="invoice.jpg",
        fields={
            "patient_name": field(invoice_name, quad(100, 50, 160, 70)),
            "hospital_name": field(invoice_hospital, quad(100, 20, 300, 40)),
            "total_amount": field(total, quad(400, 300, 520, 330)),
            "amount_in_words": field(words, quad(100, 300, 380, 330)),
            "invoice_number": field("1266211901", quad(400, 20, 520, 40)),
            "admission_date": field(admission, quad(100, 80, 200, 100)),
            "discharge_date": field("2021-03-20", quad(220, 80, 320, 100)),
            "issue_date": field("2021-03-20", quad(400, 80, 500, 100)),
        },
        line_items=items,
    )
    discharge = DocumentEvidence(
        DocType.DISCHARGE_SUMMARY,
        "D-discharge",
        (1,),
        file="discharge.jpg",
        fields={
            "patient_name": field(discharge_name, quad(80, 60, 140, 80)),
            "hospital_name": field("贵阳市第一人民医院", quad(80, 20, 300, 40)),
            "admission_date": field(admission, quad(80, 100, 200, 120)),
            "discharge_date": field("2021-03-20", quad(220, 100, 320, 120)),
            "diagnoses": field(diagnosis, quad(80, 200, 300, 220)),
        },
        text=f"入院情况：\n患者因发现“甲状腺结节”3月余入院。\n既往史：\n{history}\n出院诊断：\n{diagnosis}",
    )
    facts = ClaimFacts(ClaimType.INPATIENT, 45, "百万医疗险", policy_start, waiting_days)
    return ClaimEvidence((invoice, discharge), facts)


def with_document(evidence: ClaimEvidence, document_id: str, **changes: object) -> ClaimEvidence:
    docs = tuple(replace(d, **changes) if d.document_id == document_id else d for d in evidence.documents)  # type: ignore[arg-type]
    return replace(evidence, documents=docs)


# ---- page images ---------------------------------------------------------------------------------------------
PAGE_BOXES: dict[str, Quad] = {
    "invoice_number": quad(620, 40, 800, 80),
    "patient_name": quad(120, 120, 300, 160),
    "admission_date": quad(120, 200, 330, 240),
    "insurance_fund_paid": quad(120, 480, 330, 520),
    "personal_cash_paid": quad(420, 480, 630, 520),
    "self_expense": quad(120, 560, 330, 600),
    "total_amount": quad(520, 380, 760, 420),
}
_TEXTS = {
    "invoice_number": "1266211901",
    "patient_name": "ZHANG SAN",
    "admission_date": "2021-03-10",
    "insurance_fund_paid": "37289.00",
    "personal_cash_paid": "4486.99",
    "self_expense": "5095.99",
    "total_amount": "42,468.99",
}


def page_image(seed: int = 0, *, grain: float = 2.5) -> np.ndarray:
    """A cream page with ruled lines and faint printed values in their boxes, plus paper grain."""
    rng = np.random.default_rng(seed)
    img = np.full((700, 900, 3), (246, 244, 238), np.uint8)
    for y in range(30, 700, 80):
        cv2.line(img, (20, y), (880, y), (200, 120, 120), 1)
    for name, box in PAGE_BOXES.items():
        (x0, _), _, (_, y1), _ = box
        cv2.putText(
            img,
            _TEXTS[name],
            (int(x0) + 4, int(y1) - 8),
            cv2.FONT_HERSHEY_COMPLEX,
            0.9,
            (110, 110, 120),
            1,
            cv2.LINE_AA,
        )
    noise = rng.normal(0, grain, img.shape[:2])[..., None]
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> tuple[np.ndarray, bytes]:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB), buf.tobytes()


def altered(image: np.ndarray) -> np.ndarray:
    """The total painted over with flat paper and re-printed darker and bolder in another face."""
    out = image.copy()
    (x0, y0), _, (x1, y1), _ = PAGE_BOXES["total_amount"]
    out[int(y0) - 3 : int(y1) + 3, int(x0) - 3 : int(x1) + 30] = (250, 250, 250)
    cv2.putText(
        out, "92,468.99", (int(x0) + 4, int(y1) - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (10, 10, 10), 3, cv2.LINE_AA
    )
    return out
