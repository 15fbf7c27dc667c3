"""The claims API on embedded defaults (SQLite, in-process queue, fake OCR behind the real pipeline)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from service_helpers import ServiceClient, pdf_bytes, png_bytes

from claims_ai.service.models import ClaimStatus


def test_claim_from_creation_to_decision(service: ServiceClient) -> None:
    claim_id = service.create_claim(member_age=38, plan="basic", policy_start_date="2020-01-15", external_ref="A-1")

    upload = service.upload(claim_id, ("bill.png", png_bytes(1)))
    assert upload.status_code == 202, upload.text
    first = upload.json()
    assert first["claim_id"] == claim_id and len(first["documents"]) == 1 and first["revision"] == 1

    claim = service.wait_assessed(claim_id)
    assert claim["status"] == "in_review"
    assert claim["documents"][0]["status"] == "read" and claim["documents"][0]["pages"] == 1
    assessment = claim["assessment"]
    assert assessment["current"] and assessment["revision"] == 1
    assert assessment["result"]["claim"]["member_age"] == 38
    assert [f["file"] for f in assessment["result"]["files"]] == ["bill.png"]

    # Every new document re-assesses the claim: one current assessment covering all documents.
    service.upload(claim_id, ("record.pdf", pdf_bytes(2)))
    claim = service.wait_assessed(claim_id)
    assert claim["assessment"]["revision"] == 2
    assert [d["page"] for d in claim["assessment"]["result"]["documents"]] == [1, 1, 2]
    history = service.client.get(f"/v1/claims/{claim_id}/assessments", headers=service.h("adjuster")).json()["items"]
    assert [(a["revision"], a["current"]) for a in history] == [(2, True), (1, False)]

    decision = service.client.post(
        f"/v1/claims/{claim_id}/decision",
        json={
            "outcome": "approve",
            "reason_codes": ["documents_complete"],
            "comment": "ok",
            "assessment_id": claim["assessment"]["id"],
        },
        headers=service.h("adjuster"),
    )
    assert decision.status_code == 201, decision.text
    claim = service.client.get(f"/v1/claims/{claim_id}", headers=service.h("adjuster")).json()
    assert claim["status"] == "decided" and claim["decision"]["outcome"] == "approve" and claim["decided_at"]

    timeline = service.client.get(f"/v1/claims/{claim_id}/timeline", headers=service.h("platform")).json()
    assert [s["status"] for s in timeline["states"]] == [s.value for s in ClaimStatus]
    assert len(timeline["states"]) >= 7
    reached = [s["status"] for s in timeline["states"] if s["reached_at"]]
    assert reached == ["received", "checking_materials", "assessing", "in_review", "decided"]
    events = [e["status"] for e in timeline["events"]]
    assert events[0] == "received" and events[-1] == "decided"
    assert all(e["label"]["zh"] and e["label"]["en"] for e in timeline["events"])

    # Decided claims take no more documents or decisions.
    closed = service.upload(claim_id, ("late.png", png_bytes(3)))
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "claim_closed"
    again = service.client.post(
        f"/v1/claims/{claim_id}/decision", json={"outcome": "reject", "reason_codes": ["x"]}, headers=service.h("admin")
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "claim_closed"

    audit = service.client.get(f"/v1/claims/{claim_id}/audit", headers=service.h("admin")).json()["items"]
    actions = [a["action"] for a in audit]
    assert "decision.record" in actions and "claim.create" in actions and actions.count("document.upload") == 2
    assert "claim.read_personal" in actions  # the adjuster read unmasked personal data


def test_who_files_the_claim_is_stored_and_reaches_the_assessment(service: ServiceClient) -> None:
    claim_id = service.create_claim(member_age=70, claimant="child")
    claim = service.client.get(f"/v1/claims/{claim_id}", headers=service.h("adjuster")).json()
    assert claim["claimant"] == "child"
    service.upload(claim_id, ("bill.png", png_bytes(1)))
    result = service.wait_assessed(claim_id)["assessment"]["result"]
    assert result["claim"]["claimant"] == "child"  # the materials stage then asks for relationship_proof
    bad = service.client.post("/v1/claims", json={"claimant": "neighbour"}, headers=service.h("platform"))
    assert bad.status_code == 400 and "claimant" in bad.text


def test_unreadable_file_asks_for_materials_and_other_states(service: ServiceClient) -> None:
    claim_id = service.create_claim()
    truncated = png_bytes(5)[:60]  # a PNG header, then nothing: stored, found corrupt when read
    assert service.upload(claim_id, ("broken.png", truncated), ("ok.png", png_bytes(6))).status_code == 202
    claim = service.wait_assessed(claim_id)
    assert claim["status"] == "awaiting_materials"
    broken = claim["documents"][0]
    assert broken["status"] == "rejected" and broken["error"]["code"] == "corrupt_file"
    assert claim["documents"][1]["status"] == "read"
    events = service.client.get(f"/v1/claims/{claim_id}/timeline", headers=service.h("platform")).json()["events"]
    assert events[-1]["detail"]["unreadable_files"][0]["code"] == "corrupt_file"

    # An adjuster sends it to investigation; new documents do not move it out of that state.
    decided = service.client.post(
        f"/v1/claims/{claim_id}/decision",
        json={"outcome": "investigate", "reason_codes": ["suspicious_invoice"]},
        headers=service.h("adjuster"),
    )
    assert decided.status_code == 201
    service.upload(claim_id, ("more.png", png_bytes(7)))
    claim = service.wait_assessed(claim_id)
    assert claim["status"] == "under_investigation" and claim["assessment"]["revision"] == 2


def test_stale_assessment_is_refused(service: ServiceClient) -> None:
    claim_id = service.create_claim()
    service.upload(claim_id, ("a.png", png_bytes(10)))
    first = service.wait_assessed(claim_id)["assessment"]["id"]
    service.upload(claim_id, ("b.png", png_bytes(11)))
    service.wait_assessed(claim_id)
    response = service.client.post(
        f"/v1/claims/{claim_id}/decision",
        json={"outcome": "approve", "reason_codes": ["ok"], "assessment_id": first},
        headers=service.h("adjuster"),
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "stale_assessment"


def test_idempotency_key_makes_retries_safe(service: ServiceClient) -> None:
    claim_id = service.create_claim()
    first = service.upload(claim_id, ("a.png", png_bytes(20)), **{"Idempotency-Key": "upload-1"})
    retry = service.upload(claim_id, ("a.png", png_bytes(20)), **{"Idempotency-Key": "upload-1"})
    assert first.status_code == retry.status_code == 202
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    other = service.upload(claim_id, ("b.png", png_bytes(21)), **{"Idempotency-Key": "upload-1"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    claim = service.wait_assessed(claim_id)
    assert len(claim["documents"]) == 1 and claim["revision"] == 1

    body = {"external_ref": "R-9", "member": {"name": "李四"}}
    headers = {**service.h("platform"), "Idempotency-Key": "create-R-9"}
    a = service.client.post("/v1/claims", json=body, headers=headers)
    b = service.client.post("/v1/claims", json=body, headers=headers)
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ([("empty.png", b"")], 400, "empty_file"),
        ([("notes.txt", b"just some text, not a photo")], 415, "unsupported_format"),
        ([("ok.png", png_bytes(1)), ("notes.docx", b"PK\x03\x04 not really")], 415, "unsupported_format"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(service: ServiceClient, files, status, code) -> None:
    claim_id = service.create_claim()
    response = service.upload(claim_id, *files)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert response.json()["error"]["file"]
    claim = service.client.get(f"/v1/claims/{claim_id}", headers=service.h("adjuster")).json()
    assert claim["documents"] == [] and claim["revision"] == 0 and claim["status"] == "received"


def test_input_errors_are_clear_4xx(service: ServiceClient) -> None:
    client, h = service.client, service.h("platform")
    assert client.post("/v1/claims", json={"member_age": 300}, headers=h).json()["error"]["code"] == "invalid_request"
    assert client.post("/v1/claims", json={"claim_type": "car"}, headers=h).status_code == 400
    assert client.post("/v1/claims", json={"unknown_field": 1}, headers=h).status_code == 400
    assert client.post("/v1/claims", content=b"{not json", headers=h).status_code == 400
    missing = client.get("/v1/claims/clm_doesnotexist", headers=h)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/v1/claims/" + "x" * 100, headers=h).status_code == 400
    assert client.get("/v1/claims?cursor=%%%garbage", headers=h).json()["error"]["code"] == "invalid_input"
    assert client.get("/v1/claims?limit=0", headers=h).status_code == 400
    claim_id = service.create_claim()
    no_files = client.post(f"/v1/claims/{claim_id}/documents", headers=h)
    assert no_files.status_code == 400
    bad_decision = client.post(
        f"/v1/claims/{claim_id}/decision", json={"outcome": "maybe", "reason_codes": []}, headers=service.h("adjuster")
    )
    assert bad_decision.status_code == 400 and bad_decision.json()["error"]["code"] == "invalid_request"


def test_too_large_and_too_many_files(service: ServiceClient) -> None:
    service.settings.limits.max_file_bytes = 2000
    service.settings.limits.max_files_per_request = 3
    claim_id = service.create_claim()
    big = service.upload(claim_id, ("big.png", png_bytes(1, size=(900, 900)) + b"\0" * 3000))
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert service.upload(claim_id, *[(f"{i}.png", png_bytes(i)) for i in range(2)]).status_code == 202
    over = service.upload(claim_id, *[(f"{i}.png", png_bytes(i + 10)) for i in range(2)])
    assert over.status_code == 413 and over.json()["error"]["code"] == "too_many_files"


def test_auth_and_roles(service: ServiceClient) -> None:
    client = service.client
    assert client.get("/v1/claims").json()["error"]["code"] == "unauthorized"
    assert client.get("/v1/claims").status_code == 401
    assert client.get("/v1/claims", headers={"Authorization": "Bearer nope"}).status_code == 401
    forged = service.keys["platform"][:-4] + "AAAA"
    assert client.get("/v1/claims", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    claim_id = service.create_claim()
    # ml_engineer reads but may not write or decide; platform may not decide or read the audit trail.
    ml = service.h("ml_engineer")
    assert client.get(f"/v1/claims/{claim_id}", headers=ml).status_code == 200
    assert client.post("/v1/claims", json={}, headers=ml).json()["error"]["code"] == "forbidden"
    decision = {"outcome": "approve", "reason_codes": ["ok"]}
    assert client.post(f"/v1/claims/{claim_id}/decision", json=decision, headers=ml).status_code == 403
    assert (
        client.post(f"/v1/claims/{claim_id}/decision", json=decision, headers=service.h("platform")).status_code == 403
    )
    assert client.get(f"/v1/claims/{claim_id}/audit", headers=service.h("platform")).status_code == 403
    assert client.delete(f"/v1/claims/{claim_id}", headers=service.h("adjuster")).status_code == 403
    # A revoked key stops working (after the short cache).
    key_id = "key_" + service.keys["ml_engineer"].split("_")[2]
    assert service.runtime.keys.revoke(key_id)
    assert client.get("/v1/claims", headers=ml).status_code == 401


def test_personal_data_is_masked_for_roles_without_the_right(service: ServiceClient) -> None:
    claim_id = service.create_claim(member={"name": "张三", "id_number": "110101199003071234", "phone": "13812345678"})
    service.upload(claim_id, ("张三-身份证.png", png_bytes(30)))
    service.wait_assessed(claim_id)
    for who in ("platform", "ml_engineer"):
        body = service.client.get(f"/v1/claims/{claim_id}", headers=service.h(who)).json()
        assert body["personal_data_masked"] is True
        assert body["member"] == {
            "ref": None,
            "name": "张*",
            "id_number": "1101**********1234",
            "phone": "138****5678",
            "bank_card": None,
        }
        text = str(body)
        assert "张三" not in text and "110101199003071234" not in text and "13812345678" not in text
        line = body["assessment"]["result"]["documents"][0]["text_lines"][0]["text"]
        assert "1101**********1234" in line and "138****5678" in line
        assert (
            service.client.get(
                f"/v1/claims/{claim_id}/documents/{body['documents'][0]['id']}/pages/1", headers=service.h(who)
            ).status_code
            == 403
        )
    adjuster = service.client.get(f"/v1/claims/{claim_id}", headers=service.h("adjuster")).json()
    assert adjuster["personal_data_masked"] is False and adjuster["member"]["id_number"] == "110101199003071234"
    assert "110101199003071234" in adjuster["assessment"]["result"]["documents"][0]["text_lines"][0]["text"]
    listing = service.client.get("/v1/claims", headers=service.h("adjuster")).json()["items"]
    assert listing[0]["member_name"] == "张*"
    audit = service.client.get(f"/v1/claims/{claim_id}/audit", headers=service.h("admin")).json()["items"]
    personal_reads = [a for a in audit if a["action"] == "claim.read_personal"]
    assert personal_reads and all(a["actor"].startswith("key_") for a in personal_reads)
    assert "张三" not in str(audit)


def test_page_images_and_original_file(service: ServiceClient) -> None:
    claim_id = service.create_claim()
    pdf = pdf_bytes(2)
    service.upload(claim_id, ("record.pdf", pdf))
    claim = service.wait_assessed(claim_id)
    doc = claim["documents"][0]
    page = service.client.get(
        f"/v1/claims/{claim_id}/documents/{doc['id']}/pages/2?max_side=150", headers=service.h("adjuster")
    )
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    assert max(Image.open(io.BytesIO(page.content)).size) == 150
    beyond = service.client.get(f"/v1/claims/{claim_id}/documents/{doc['id']}/pages/3", headers=service.h("adjuster"))
    assert beyond.status_code == 404
    original = service.client.get(f"/v1/claims/{claim_id}/documents/{doc['id']}/content", headers=service.h("admin"))
    assert original.content == pdf and original.headers["content-type"] == "application/pdf"
    actions = [
        a["action"]
        for a in service.client.get(f"/v1/claims/{claim_id}/audit", headers=service.h("admin")).json()["items"]
    ]
    assert actions.count("document.read") == 3


def test_list_filters_and_cursor_pagination(service: ServiceClient) -> None:
    ids = [service.create_claim(claim_type="inpatient" if i % 2 else "critical_illness") for i in range(7)]
    service.upload(ids[0], ("a.png", png_bytes(40)))
    service.wait_assessed(ids[0])
    h = service.h("adjuster")
    seen: list[str] = []
    cursor = None
    while True:
        url = "/v1/claims?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = service.client.get(url, headers=h).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))  # newest first, each exactly once
    in_review = service.client.get("/v1/claims?status=in_review", headers=h).json()["items"]
    assert [c["id"] for c in in_review] == [ids[0]]
    received = service.client.get("/v1/claims?status=received&claim_type=inpatient", headers=h).json()["items"]
    assert {c["id"] for c in received} == {ids[i] for i in (1, 3, 5)}
    assert service.client.get("/v1/claims?min_age_hours=1", headers=h).json()["items"] == []
    assert len(service.client.get("/v1/claims?max_age_hours=1", headers=h).json()["items"]) == 7
    assert service.client.get("/v1/claims?route=auto_approve", headers=h).json()["items"] == []
    assert service.client.get("/v1/claims?fraud_band=high", headers=h).json()["items"] == []


def test_delete_removes_claim_and_files_but_not_shared_content(service: ServiceClient) -> None:
    shared, own = png_bytes(50), png_bytes(51)
    first = service.create_claim()
    second = service.create_claim()
    service.upload(first, ("shared.png", shared), ("own.png", own))
    service.upload(second, ("shared.png", shared))
    doc = service.wait_assessed(first)["documents"]
    service.wait_assessed(second)
    files = service.runtime.files
    assert files.exists(doc[0]["sha256"]) and files.exists(doc[1]["sha256"])

    assert service.client.delete(f"/v1/claims/{first}", headers=service.h("platform")).status_code == 204
    assert service.client.get(f"/v1/claims/{first}", headers=service.h("admin")).status_code == 404
    assert not files.exists(doc[1]["sha256"])  # only this claim used it
    assert files.exists(doc[0]["sha256"])  # the other claim still uses it
    assert service.client.get(f"/v1/claims/{second}", headers=service.h("admin")).status_code == 200
    assert service.client.delete(f"/v1/claims/{first}", headers=service.h("platform")).status_code == 404
    audit = service.client.get(f"/v1/claims/{second}/audit", headers=service.h("admin")).json()["items"]
    assert audit  # the other claim's trail is untouched
    with service.runtime.db.tx() as s:
        from sqlalchemy import select

        from claims_ai.service.models import AuditEntry

        kept = s.scalars(select(AuditEntry.action).where(AuditEntry.claim_id == first)).all()
    assert "claim.delete" in kept  # the audit log outlives the claim


def test_metrics_and_request_id(service: ServiceClient) -> None:
    claim_id = service.create_claim()
    service.upload(claim_id, ("a.png", png_bytes(60)))
    service.wait_assessed(claim_id)
    service.client.get("/v1/claims/clm_missing", headers=service.h("platform"))
    text = service.client.get("/metrics").text
    assert 'claims_ai_stage_seconds_count{stage="ocr"}' in text
    assert 'claims_ai_queue_depth{status="queued"} 0.0' in text
    assert 'claims_ai_errors_total{code="not_found"}' in text
    assert 'claims_ai_jobs_total{outcome="done"}' in text
    assert 'route="/v1/claims/{claim_id}"' in text
    response = service.client.get("/v1/claims", headers={**service.h("platform"), "X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"
