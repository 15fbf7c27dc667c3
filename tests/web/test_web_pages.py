"""The workbench pages without a browser: sign-in, CSRF, tenant isolation, masking, corrections, export."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from web_helpers import Workbench, csrf_of

from api.web.i18n import catalog
from claims_ai.service.corrections import DOC_TYPES, FIELD_NAMES, derive
from claims_ai.service.models import AuditEntry, ClaimStatus, Correction, Decision, WebSession

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "web" / "templates"


def _assessed_claim(wb: Workbench, *docs: str, **facts: Any) -> tuple[str, dict[str, Any]]:
    claim_id = wb.new_claim(**facts)
    wb.upload(claim_id, *docs)
    return claim_id, wb.wait_assessed(claim_id)


def _doc_id(claim: dict[str, Any], name: str) -> str:
    return str(next(d["id"] for d in claim["documents"] if d["filename"] == name))


def _correct(browser: Any, claim_id: str, **form: str) -> Any:
    page = browser.get(f"/web/claims/{claim_id}")
    return browser.post(f"/web/claims/{claim_id}/corrections", data={"csrf_token": csrf_of(page.text), **form})


def test_pages_require_sign_in(workbench: Workbench) -> None:
    client = workbench.client
    response = client.get("/web/?status=all")
    assert response.status_code == 303
    assert response.headers["location"] == "/web/login?next=%2Fweb%2F%3Fstatus%3Dall"
    claim_id, claim = _assessed_claim(workbench, "invoice")
    doc = claim["documents"][0]["id"]
    assert client.get(f"/web/claims/{claim_id}").status_code == 303
    assert client.get(f"/web/claims/{claim_id}/documents/{doc}/pages/1").status_code == 303
    assert client.get(f"/web/claims/{claim_id}/progress.json").status_code == 401
    post = client.post(f"/web/claims/{claim_id}/decision", data={"outcome": "approve", "reason_codes": ["x"]})
    assert post.status_code == 401
    # An API key in the Authorization header does not open the web pages (they take the session cookie only).
    assert client.get("/web/", headers=workbench.h("adjuster")).status_code == 303
    assert client.get("/").headers["location"] == "/web/"


def test_sign_in_sets_a_strict_httponly_session_and_sign_out_ends_it(workbench: Workbench) -> None:
    client = workbench.client
    form = client.get("/web/login?next=/web/claims/x")
    assert form.status_code == 200 and 'type="password"' in form.text
    assert form.headers["content-security-policy"].startswith("default-src 'none'")
    token = csrf_of(form.text)
    # The sign-in form's own CSRF token must match its cookie.
    client.cookies.clear()
    no_cookie = client.post("/web/login", data={"api_key": workbench.keys["adjuster"], "csrf_token": token})
    assert no_cookie.status_code == 403 and "claims_ai_session" not in no_cookie.headers.get("set-cookie", "")
    form = client.get("/web/login")
    bad = client.post("/web/login", data={"api_key": "cai_key_00_nope", "csrf_token": csrf_of(form.text)})
    assert bad.status_code == 401 and "claims_ai_session" not in bad.headers.get("set-cookie", "")
    form = client.get("/web/login")
    ok = client.post(
        "/web/login",
        data={"api_key": workbench.keys["adjuster"], "csrf_token": csrf_of(form.text), "next": "https://evil.example/"},
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/web/"  # no open redirect
    cookie = next(c for c in ok.headers.get_list("set-cookie") if c.startswith("claims_ai_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/" in cookie
    assert workbench.keys["adjuster"] not in cookie and workbench.keys["adjuster"] not in ok.headers["location"]
    with workbench.runtime.db.tx() as s:  # only the token's hash is stored, never the key
        rows = list(s.scalars(select(WebSession)))
    session_token = cookie.split(";")[0].split("=", 1)[1]
    assert len(rows) == 1 and rows[0].id != session_token and len(rows[0].id) == 64
    queue = client.get("/web/")
    assert queue.status_code == 200 and "adjuster one" in queue.text
    # Sign-out needs the CSRF token, then the session is gone.
    assert client.post("/web/logout").status_code == 403
    out = client.post("/web/logout", data={"csrf_token": csrf_of(queue.text)})
    assert out.status_code == 303
    client.cookies.set("claims_ai_session", session_token)
    assert client.get("/web/").status_code == 303


def test_revoked_key_ends_its_sessions(workbench: Workbench) -> None:
    browser = workbench.sign_in("adjuster")
    assert browser.get("/web/").status_code == 200
    key_id = "key_" + workbench.keys["adjuster"].split("_")[2]
    assert workbench.runtime.keys.revoke(key_id)
    assert browser.get("/web/").status_code == 303


def test_form_posts_need_the_csrf_token(workbench: Workbench) -> None:
    claim_id, claim = _assessed_claim(workbench, "invoice", "discharge")
    browser = workbench.sign_in("adjuster")
    decision = browser.post(
        f"/web/claims/{claim_id}/decision", data={"outcome": "approve", "reason_codes": ["documents_complete"]}
    )
    assert decision.status_code == 403 and "CSRF" in decision.text
    forged = browser.post(
        f"/web/claims/{claim_id}/decision",
        data={"outcome": "approve", "reason_codes": ["documents_complete"], "csrf_token": "x" * 43},
    )
    assert forged.status_code == 403
    doc = _doc_id(claim, "invoice.png")
    fix = {"kind": "field", "target": "total_amount", "value": "1.00", "document_id": doc, "page": "1"}
    assert browser.post(f"/web/claims/{claim_id}/corrections", data=fix).status_code == 403
    files = [("files", ("p.png", workbench.docs["pathology"].png, "image/png"))]
    assert browser.post(f"/web/claims/{claim_id}/documents", files=files).status_code == 403
    with workbench.runtime.db.tx() as s:
        assert s.scalars(select(Decision)).all() == [] and s.scalars(select(Correction)).all() == []
    assert len(workbench.wait_assessed(claim_id)["documents"]) == 2


def test_another_tenant_sees_nothing(workbench: Workbench) -> None:
    claim_id, claim = _assessed_claim(workbench, "invoice")
    doc = claim["documents"][0]["id"]
    other = workbench.sign_in("other")
    page = other.get(f"/web/claims/{claim_id}")
    assert page.status_code == 404 and "张秀英" not in page.text
    assert other.get(f"/web/claims/{claim_id}/documents/{doc}/pages/1").status_code == 404
    assert other.get(f"/web/claims/{claim_id}/progress.json").status_code == 404
    queue = other.get("/web/?status=all")
    assert claim_id not in queue.text
    token = csrf_of(queue.text)
    fix = {"kind": "field", "target": "total_amount", "value": "1.00", "document_id": doc, "page": "1"}
    fix_response = other.post(f"/web/claims/{claim_id}/corrections", data={**fix, "csrf_token": token})
    assert fix_response.status_code == 303 and "error=not_found" in fix_response.headers["location"]
    decide = other.post(
        f"/web/claims/{claim_id}/decision",
        data={"outcome": "reject", "reason_codes": ["not_covered"], "csrf_token": token},
    )
    assert "error=not_found" in decide.headers["location"]
    with workbench.runtime.db.tx() as s:
        assert s.scalars(select(Correction)).all() == [] and s.scalars(select(Decision)).all() == []


def test_role_without_personal_data_sees_it_masked(workbench: Workbench) -> None:
    claim_id, claim = _assessed_claim(workbench, "invoice", "discharge")
    doc = claim["documents"][0]["id"]
    ml = workbench.sign_in("ml_engineer")
    page = ml.get(f"/web/claims/{claim_id}")
    assert page.status_code == 200
    assert "张秀英" not in page.text and "520302198207151224" not in page.text
    assert "张*" in page.text and "5203**********1224" in page.text
    assert "<img" not in page.text and 'class="noimg"' in page.text
    assert (
        'id="decision-form"' not in page.text
        and 'id="audit"' not in page.text
        and 'details class="fix' not in page.text
    )
    assert ml.get(f"/web/claims/{claim_id}/documents/{doc}/pages/1").status_code == 403
    # The adjuster sees the name and the page images, and the read is audited.
    adjuster = workbench.sign_in("adjuster")
    page = adjuster.get(f"/web/claims/{claim_id}")
    assert "张秀英" in page.text and f"/web/claims/{claim_id}/documents/{doc}/pages/1" in page.text
    image = adjuster.get(f"/web/claims/{claim_id}/documents/{doc}/pages/1")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    with workbench.runtime.db.tx() as s:
        actions = [(a.action, a.roles) for a in s.scalars(select(AuditEntry).where(AuditEntry.claim_id == claim_id))]
    assert ("claim.read_personal", ["adjuster"]) in actions and ("document.read", ["adjuster"]) in actions
    assert not any(roles == ["ml_engineer"] and a.endswith("read_personal") for a, roles in actions)


def test_corrections_are_stored_with_who_and_when_and_rederive(workbench: Workbench) -> None:
    claim_id, claim = _assessed_claim(workbench, "invoice", "discharge")
    assert claim["fraud_band"] == "medium" and claim["status"] == ClaimStatus.AWAITING_MATERIALS.value
    invoice_id = _doc_id(claim, "invoice.png")
    browser = workbench.sign_in("adjuster")
    response = _correct(
        browser,
        claim_id,
        kind="field",
        target="total_amount",
        value="¥24,189.65",
        reason="checked against the original",
        document_id=invoice_id,
        page="1",
        assessment_id=claim["assessment"]["id"],
    )
    assert response.status_code == 303 and response.headers["location"].endswith("done=corrected")
    key_id = "key_" + workbench.keys["adjuster"].split("_")[2]
    with workbench.runtime.db.tx() as s:
        (row,) = s.scalars(select(Correction)).all()
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "correction.record")).all()
    assert (row.kind, row.target, row.value, row.actor) == ("field", "total_amount", "24189.65", key_id)
    assert row.machine_value["value"] == "24789.65" and row.machine_value["confidence"] == 0.62
    assert row.reason == "checked against the original" and row.created_at is not None
    assert len(audit) == 1 and audit[0].actor == key_id and "24189" not in json.dumps(audit[0].detail)
    after = workbench.client.get(f"/v1/claims/{claim_id}", headers=workbench.h("admin")).json()
    result = after["assessment"]["result"]
    field = result["documents"][0]["fields"]["total_amount"]
    assert field["value"] == "24189.65" and field["corrected"]["by"] == key_id
    assert field["corrected"]["machine_value"] == "24789.65"
    assert result["fraud"]["band"] == "low" and result["fraud"]["reasons"] == []
    assert [c["status"] for c in result["checks"] if c["id"] == "items_sum_matches_total"] == ["passed"]
    assert after["fraud_band"] == "low" and workbench.pipeline.rederive_calls == 1
    # New documents: the machine reads everything again, the correction is applied again.
    workbench.upload(claim_id, "pathology")
    again = workbench.wait_assessed(claim_id)
    result = again["assessment"]["result"]
    assert result["documents"][0]["fields"]["total_amount"]["value"] == "24189.65"
    assert result["fraud"]["band"] == "low" and again["assessment"]["revision"] == 2
    # A document type correction completes the materials and moves the claim to review.
    pathology_id = _doc_id(again, "pathology.png")
    _correct(browser, claim_id, kind="doc_type", target="doc_type", value="pathology_report",
             document_id=pathology_id, page="1")  # fmt: skip
    final = workbench.client.get(f"/v1/claims/{claim_id}", headers=workbench.h("admin")).json()
    assert final["assessment"]["result"]["materials"]["missing"] == []
    assert final["assessment"]["result"]["severity"]["tier"] == "mild"
    assert final["status"] == ClaimStatus.IN_REVIEW.value
    # A diagnosis code correction.
    _correct(browser, claim_id, kind="diagnosis", target="0", value="c73.x00", reason="医保版编码")
    diag = workbench.client.get(f"/v1/claims/{claim_id}", headers=workbench.h("admin")).json()
    (d,) = diag["assessment"]["result"]["diagnoses"]
    assert d["icd10"] == "C73.X00" and d["corrected"]["machine_icd10"] == "C73" and d["name"] is None
    page = browser.get(f"/web/claims/{claim_id}")
    assert page.text.count("已由 adjuster one 更正") >= 3


def test_bad_corrections_are_refused_and_nothing_is_stored(workbench: Workbench) -> None:
    claim_id, claim = _assessed_claim(workbench, "invoice")
    invoice_id = _doc_id(claim, "invoice.png")
    browser = workbench.sign_in("adjuster")
    cases = [
        ({"kind": "field", "target": "total_amount", "value": "about ten", "document_id": invoice_id, "page": "1"},
         "invalid_input"),
        ({"kind": "field", "target": "favourite_colour", "value": "red", "document_id": invoice_id, "page": "1"},
         "invalid_input"),
        ({"kind": "field", "target": "issue_date", "value": "2020-12-23", "document_id": invoice_id, "page": "9"},
         "invalid_input"),
        ({"kind": "doc_type", "target": "doc_type", "value": "shopping_list", "document_id": invoice_id, "page": "1"},
         "invalid_input"),
        ({"kind": "field", "target": "issue_date", "value": "2020-12-23", "document_id": invoice_id, "page": "1",
          "assessment_id": "asm_old"}, "stale_assessment"),
    ]  # fmt: skip
    for form, code in cases:
        response = _correct(browser, claim_id, **form)
        assert response.status_code == 303 and response.headers["location"].endswith(f"error={code}"), form
    with workbench.runtime.db.tx() as s:
        assert s.scalars(select(Correction)).all() == []
    page = browser.get(f"/web/claims/{claim_id}?error=invalid_input")
    assert "该值无法使用" in page.text
    # Platform keys may upload but not correct or decide.
    platform = workbench.sign_in("platform")
    token = csrf_of(platform.get(f"/web/claims/{claim_id}").text)
    refused = platform.post(
        f"/web/claims/{claim_id}/corrections",
        data={"kind": "field", "target": "issue_date", "value": "2020-12-24", "document_id": invoice_id, "page": "1",
              "csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 403


def test_decision_through_the_form(workbench: Workbench) -> None:
    claim_id, claim = _assessed_claim(workbench, "invoice", "discharge")
    browser = workbench.sign_in("adjuster")
    page = browser.get(f"/web/claims/{claim_id}")
    token = csrf_of(page.text)
    none = browser.post(f"/web/claims/{claim_id}/decision", data={"outcome": "approve", "csrf_token": token})
    assert none.headers["location"].endswith("error=reason_required")
    done = browser.post(
        f"/web/claims/{claim_id}/decision",
        data={"outcome": "request_materials", "reason_codes": ["missing_documents"], "comment": "请补病理报告",
              "csrf_token": token, "assessment_id": claim["assessment"]["id"]},
    )  # fmt: skip
    assert done.headers["location"].endswith("done=decided")
    after = workbench.client.get(f"/v1/claims/{claim_id}", headers=workbench.h("admin")).json()
    assert after["decision"]["outcome"] == "request_materials" and after["status"] == "awaiting_materials"
    page = browser.get(f"/web/claims/{claim_id}")
    assert "决定：要求补充材料" in page.text and "请补病理报告" in page.text


def test_queue_filters_and_sorts(workbench: Workbench) -> None:
    risky, _ = _assessed_claim(workbench, "invoice", "discharge", external_ref="RISKY")
    calm, _ = _assessed_claim(workbench, "discharge", claim_type="inpatient", external_ref="CALM")
    empty = workbench.new_claim(external_ref="EMPTY")
    browser = workbench.sign_in("adjuster")
    page = browser.get("/web/?fraud_band=medium").text
    assert "RISKY" in page and "CALM" not in page and "EMPTY" not in page
    page = browser.get("/web/?status=received").text
    assert "EMPTY" in page and "RISKY" not in page
    page = browser.get("/web/?tier=undetermined").text
    assert "RISKY" in page and "EMPTY" not in page
    page = browser.get("/web/?claim_type=inpatient").text
    assert "CALM" in page and "RISKY" not in page
    by_risk = browser.get("/web/?sort=risk").text
    assert by_risk.index("RISKY") < by_risk.index("CALM")
    # Due time: a received claim is due in a day, one awaiting materials in a week.
    by_due = browser.get("/web/").text
    assert by_due.index("EMPTY") < by_due.index("RISKY") and by_due.index("EMPTY") < by_due.index("CALM")
    assert empty in browser.get("/web/?status=all").text and calm in by_due and risky in by_due


def test_export_feedback_writes_page_truth_records(workbench: Workbench, tmp_path: Path, monkeypatch: Any) -> None:
    from claims_datasets.schema import PageTruth

    claim_id, claim = _assessed_claim(workbench, "invoice", "discharge")
    browser = workbench.sign_in("adjuster")
    invoice_id = _doc_id(claim, "invoice.png")
    _correct(browser, claim_id, kind="field", target="total_amount", value="24189.65", document_id=invoice_id, page="1")
    _correct(browser, claim_id, kind="doc_type", target="doc_type", value="medical_invoice_inpatient",
             document_id=invoice_id, page="1")  # fmt: skip
    _correct(browser, claim_id, kind="diagnosis", target="0", value="C73")
    # Through the command line, as ML engineers run it.
    from claims_ai.cli import main

    monkeypatch.setenv("CLAIMS_AI_SERVICE__DATA_DIR", str(workbench.runtime.settings.service.data_dir))
    out = tmp_path / "feedback"
    with pytest.raises(SystemExit) as exit_info:
        main(["feedback", "export", "--out", str(out), "--tenant", "t1"])
    assert exit_info.value.code in (0, None)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pages"] == 1 and manifest["claims"] == 1 and manifest["corrections"] == 3
    (record_path,) = sorted((out / "pages").glob("*.json"))
    record = json.loads(record_path.read_text())
    truth = PageTruth(**{f: record[f] for f in PageTruth.__dataclass_fields__})
    assert truth.doc_type == "medical_invoice_inpatient" and truth.fields["total_amount"]["value"] == "24189.65"
    assert record["feedback"]["verified"] == ["doc_type", "fields.total_amount"]
    assert [c["by"] for c in record["feedback"]["corrections"]] == [
        "key_" + workbench.keys["adjuster"].split("_")[2]
    ] * 2
    from PIL import Image

    with Image.open(out / "pages" / record["image"]) as image:
        assert image.size == (record["width"], record["height"])
    claim_record = json.loads(next((out / "claims").glob("*.json")).read_text())
    assert claim_record["labels"]["primary_diagnosis"]["icd10"] == "C73"
    assert claim_record["labels"]["primary_diagnosis"]["verified"] is True
    # Another tenant's export holds nothing of t1 (and the command is also under `claims-ai dataset`).
    other = tmp_path / "other"
    with pytest.raises(SystemExit):
        main(["dataset", "export-feedback", "--out", str(other), "--tenant", "t2", "--no-images"])
    assert json.loads((other / "manifest.json").read_text())["pages"] == 0


def test_service_rederives_materials_without_a_pipeline_hook() -> None:
    body: dict[str, Any] = {
        "documents": [{"file_index": 0, "page": 1, "doc_type": "pathology_report"}],
        "materials": {
            "required": ["pathology_report", "id_card"],
            "present": [],
            "missing": [{"doc_type": "pathology_report", "reason": "not_found", "message_zh": "x", "message_en": "x"}],
        },
        "fraud": {"score": 0.2, "band": "low", "reasons": []},
        "decision": {"route": "request_materials", "reasons": []},
    }
    out = derive(body, None, None)
    missing = out["materials"]["missing"]
    assert [m["doc_type"] for m in missing] == ["id_card"] and missing[0]["message_en"] == "Please send the ID card."
    assert out["materials"]["present"] == ["pathology_report"] and out["decision"]["route"] == "request_materials"
    assert out["rederived"]["not_rerun"] == ["fraud"]
    body["documents"].append({"file_index": 1, "page": 1, "doc_type": "id_card"})
    out = derive(body, None, None)
    assert out["materials"]["missing"] == [] and out["decision"]["route"] == "adjuster_review"
    # No materials section: nothing is made up.
    bare = derive({"documents": []}, None, None)
    assert "materials" not in bare and bare["rederived"]["stages"] == []


def test_catalogs_hold_every_message_in_both_languages() -> None:
    en, zh = catalog("en"), catalog("zh")
    assert set(en) == set(zh)
    assert all(v.strip() for v in [*en.values(), *zh.values()])
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"t\('([a-z_.]+)'", template.read_text()))
    views = (TEMPLATES.parent / "views.py").read_text() + (TEMPLATES.parent / "routes.py").read_text()
    used |= set(re.findall(r'\bt\("([a-z_.]+)"', views))
    used = {k for k in used if not k.endswith((".", "_"))}  # prefixes joined with a value at run time
    assert len(used) > 100 and used <= set(en), sorted(used - set(en))
    labels = [f"doc_type.{d}" for d in DOC_TYPES] + [f"field.{f}" for f in FIELD_NAMES]
    labels += [f"status.{s.value}" for s in ClaimStatus]
    assert set(labels) <= set(en)


def test_language_switch(workbench: Workbench) -> None:
    browser = workbench.sign_in("adjuster")
    assert "审核队列" in browser.get("/web/").text
    switched = browser.get("/web/lang/en?next=/web/%3Fstatus%3Dall")
    assert switched.headers["location"] == "/web/?status=all"
    page = browser.get("/web/?status=all").text
    assert "Review queue" in page and "审核队列" not in page
    assert browser.get("/web/lang/en?next=//evil.example").headers["location"] == "/web/"
