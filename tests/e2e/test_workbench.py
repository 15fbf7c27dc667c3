"""An adjuster takes a claim from creation to decision in Chromium; a role without the personal-data right sees
it masked. Screenshots of every step are saved under ``test-artifacts/e2e/``."""

from __future__ import annotations

import re
from typing import Any

from e2e_helpers import LiveServer, shot


def _claim_id(page: Any) -> str:
    match = re.search(r"/web/claims/(clm_[0-9a-f]+)", page.url)
    assert match, page.url
    return match.group(1)


def _wait_assessed(page: Any) -> None:
    """The claim page polls while documents are read and reloads itself when the assessment is stored."""
    page.wait_for_selector(".claim-page[data-pending='false']", timeout=20_000)


def _in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                 return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
            selector,
        )
    )


def test_adjuster_takes_a_claim_from_upload_to_decision(page: Any, live_server: LiveServer) -> None:
    server = live_server
    # Sign in: the key goes in a password field, never into the URL or local storage.
    page.goto(f"{server.url}/web/?status=all&sort=risk")
    assert "/web/login" in page.url
    shot(page, "01-sign-in")
    page.get_by_label("API").fill(server.keys["adjuster"])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/web/?status=all&sort=risk")  # back where the adjuster wanted to go
    assert page.evaluate("() => JSON.stringify(localStorage) + document.cookie") in ("{}", "{}claims_ai_lang=zh")
    page.goto(f"{server.url}/web/")

    # Create a claim from the queue page.
    page.locator("summary", has_text="新建案件").click()
    page.get_by_label("案件类型").first.select_option("critical_illness")
    page.get_by_label("案件编号").fill("HZB-2020-0815")
    page.get_by_label("会员姓名").fill("张秀英")
    page.get_by_label("身份证号").fill("520302198207151224")
    page.get_by_label("年龄").fill("38")
    page.get_by_label("计划").fill("互助计划-重疾")
    page.get_by_label("生效日期").fill("2019-03-02")
    shot(page, "02-new-claim-form")
    page.get_by_role("button", name="创建案件").click()
    claim_id = _claim_id(page)
    assert page.locator("h1").inner_text() == "HZB-2020-0815"
    assert "张秀英" in page.locator(".facts").inner_text()  # an adjuster sees personal data

    # Upload two documents: the page shows that they are being read, then the assessment.
    page.set_input_files("#files", [str(server.files["invoice"]), str(server.files["discharge"])])
    page.get_by_role("button", name="上传", exact=True).click()
    _wait_assessed(page)
    assert page.locator("figure.page").count() == 2
    assert page.locator("figure.page .page-canvas img").count() == 2
    assert page.locator("polygon.obox").count() > 10  # OCR lines drawn over the pages
    missing = page.locator("#missing-list")
    assert "病理报告" in missing.inner_text()
    total = page.locator("li.field:has([data-field='total_amount'])").first
    assert "24789.65" in total.inner_text() and "低" in total.inner_text()  # low confidence marked
    assert page.locator("#fraud-summary .chip").inner_text() == "中"
    assert "费用明细合计与总额不符" in page.locator("#fraud-reasons").inner_text()
    assert page.locator("polygon.ebox").count() >= 1  # fraud evidence highlighted on the page
    page.wait_for_function(
        "() => { const i = document.querySelector('.page-canvas img'); return i.complete && i.naturalWidth > 0; }"
    )
    shot(page, "03-claim-assessed")

    # Click a field: the viewer scrolls to its box on the page.
    page.locator("#sec-fields").scroll_into_view_if_needed()
    page.get_by_role("button", name="合计金额").first.click()
    page.wait_for_timeout(700)
    box_id = page.get_by_role("button", name="合计金额").first.get_attribute("data-target")
    assert _in_viewport(page, f"#{box_id}")
    shot(page, "04-field-located")

    # Follow a fraud reason's evidence to the page.
    page.locator("#fraud-reasons button.locate").first.click()
    page.wait_for_timeout(700)
    shot(page, "05-fraud-evidence")

    # Correct the misread total: the checks and the fraud risk are derived again.
    total.locator("summary").click()
    value = total.locator("input[name=value]")
    assert value.evaluate("e => e === document.activeElement")  # focus moves into the correction form
    value.fill("24,189.65")
    total.locator("input[name=reason]").fill("小写金额按原件核对")
    shot(page, "06-correcting-total")
    total.get_by_role("button", name="保存").click()
    page.wait_for_selector("p.alert.ok")
    total = page.locator("li.field:has([data-field='total_amount'])").first
    assert "24189.65" in total.inner_text() and "已由" in total.inner_text()
    assert page.locator("#fraud-summary .chip").inner_text() == "低"
    assert page.locator("#checks li.fail").count() == 0
    assert "已根据更正重新推导" in page.locator("#rederived").inner_text()
    shot(page, "07-after-correction")

    # Upload the pathology report; the machine is unsure what it is, the adjuster sets its type.
    page.set_input_files("#files", str(server.files["pathology"]))
    page.get_by_role("button", name="上传", exact=True).click()
    _wait_assessed(page)
    assert page.locator("figure.page").count() == 3
    total = page.locator("li.field:has([data-field='total_amount'])").first
    assert "24189.65" in total.inner_text()  # the correction survives the re-assessment
    assert "病理报告" in page.locator("#missing-list").inner_text()
    third = page.locator("figure.page").nth(2)
    third.get_by_text("更正类型").click()
    third.get_by_role("combobox", name="材料类型").select_option("pathology_report")
    third.get_by_role("button", name="保存").click()
    page.wait_for_selector("p.alert.ok")
    assert "所需材料齐全" in page.locator("#missing-list").inner_text()
    severity = page.locator("#severity").inner_text()
    assert "轻度" in severity and "CI2020-mild-thyroid-stage-I" in severity and "50000.00" in severity
    assert page.locator("#claim-status").inner_text() == "人工审核中"
    page.locator("#sec-medical").scroll_into_view_if_needed()
    shot(page, "08-materials-complete-severity")

    # Decide: approve with reason codes and a comment.
    page.locator("#sec-decide").scroll_into_view_if_needed()
    page.get_by_label("通过").check()
    page.get_by_label("材料齐全").check()
    page.get_by_label("分级已确认").check()
    page.get_by_label("备注").fill("甲状腺乳头状癌 pT1bN0M0，轻症给付。")
    shot(page, "09-decision-form")
    page.get_by_role("button", name="提交决定").click()
    page.wait_for_selector("p.alert.ok")
    assert page.locator("#claim-status").inner_text() == "已结案"
    assert "通过" in page.locator("#last-decision").inner_text()

    # The decision is in the timeline and in the audit trail.
    page.locator("#sec-history").scroll_into_view_if_needed()
    timeline = page.locator("#timeline").inner_text()
    assert "决定：通过" in timeline and "合计金额更正为 24189.65" in timeline
    audit = page.locator("#audit")
    assert audit.locator("tr:has-text('记录决定')").count() == 1
    assert audit.locator("tr:has-text('记录更正')").count() == 2
    shot(page, "10-timeline-audit")

    # The queue shows the decided claim under "all"; the English interface says the same.
    page.goto(f"{server.url}/web/?status=all")
    row = page.locator("table.queue tr", has_text="HZB-2020-0815")
    assert "已结案" in row.inner_text() and "轻度" in row.inner_text()
    shot(page, "11-queue")
    page.get_by_role("link", name="English").click()
    assert page.locator("h1").first.inner_text().startswith("Review queue")
    page.goto(f"{server.url}/web/claims/{claim_id}")
    assert page.locator("#claim-status").inner_text() == "Decided"
    assert "Approve" in page.locator("#last-decision").inner_text()
    shot(page, "12-claim-english")


def test_masked_role_and_keyboard(page: Any, live_server: LiveServer) -> None:
    server = live_server
    # An adjuster's claim with documents, made through the API.
    import httpx

    auth = {"Authorization": f"Bearer {server.keys['adjuster']}"}
    with httpx.Client(base_url=server.url, headers=auth) as api:
        created = api.post(
            "/v1/claims",
            json={"claim_type": "inpatient", "external_ref": "MASK-1", "member": {"name": "张秀英"}, "member_age": 38},
        )
        claim_id = created.json()["id"]
        files = [("files", (d.name, d.png, "image/png")) for d in (server.docs["invoice"], server.docs["discharge"])]
        assert api.post(f"/v1/claims/{claim_id}/documents", files=files).status_code == 202

    # Keyboard only: the sign-in form takes the key and Enter.
    page.goto(f"{server.url}/web/login")
    assert page.evaluate("() => document.activeElement.id") == "api_key"  # the key field has the focus
    page.keyboard.type(server.keys["ml_engineer"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/web/")
    page.goto(f"{server.url}/web/claims/{claim_id}")
    _wait_assessed(page)
    facts = page.locator(".facts").inner_text()
    assert "张*" in facts and "张秀英" not in page.content()  # masked everywhere, OCR text included
    assert page.locator(".page-canvas img").count() == 0 and page.locator("rect.noimg").count() == 2
    assert page.locator("#decision-form").count() == 0 and page.locator("#audit").count() == 0
    assert page.locator("details.fix").count() == 0  # no corrections without the right
    # Keyboard: a field's locate button works with Enter.
    page.get_by_role("button", name="合计金额").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    box_id = page.get_by_role("button", name="合计金额").first.get_attribute("data-target")
    assert _in_viewport(page, f"#{box_id}")
    shot(page, "13-masked-role")
