"""Cases in error: the API and the page list them with the message and the failing element; the retry button
runs the failed step again; only supervisors see them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, login, shots
from conftest import deploy_file

from engine.definitions.bundle import Bundle
from engine.runtime import Runtime

FAILING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="https://t">
  <bpmn:process id="divide" name="Divide" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="share"/>
    <bpmn:scriptTask id="share" name="Share the budget"><bpmn:script>each = budget / people</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="share" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def failed(rt: Runtime, people: dict, api: Any) -> dict[str, Any]:
    deploy_file(rt, Bundle(bpmn=FAILING.encode(), filename="divide.bpmn"))
    res = api.post("/api/v1/cases", "wang", json={"process": "divide", "data": {"budget": 100, "people": 0}})
    assert res.status_code == 201 and res.get_json()["status"] == "error"
    return res.get_json()


def test_api_lists_cases_in_error_and_retry_recovers(api: Any, failed: dict[str, Any]) -> None:
    assert api.get("/api/v1/cases/errors", "wang").status_code == 403
    body = api.get("/api/v1/cases/errors", "sun").get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["id"] == failed["id"] and item["business_key"] == failed["business_key"]
    assert item["element"] == "share" and item["element_title"] == "Share the budget"
    assert "ZeroDivisionError" in item["error"] or "division" in item["error"]
    assert api.get("/api/v1/cases/errors?process=other", "sun").get_json()["items"] == []

    res = api.post(f"/api/v1/cases/{failed['id']}/retry", "sun", json={"data": {"people": 4}})
    assert res.status_code == 200 and res.get_json()["status"] == "completed"
    assert res.get_json()["data"]["each"] == 25
    assert api.get("/api/v1/cases/errors", "sun").get_json()["items"] == []


def test_page_shows_message_element_and_retry(app: Any, failed: dict[str, Any]) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/login", data={"username": "sun", "password": "pw-sun"}).status_code in (302, 303)
    page = client.get("/failed/").get_data(as_text=True)
    assert "出错的案件" in page and failed["business_key"] in page
    assert "Share the budget" in page and "<code>share</code>" in page and "重试" in page
    res = client.post(f"/failed/{failed['id']}/retry", follow_redirects=True)
    assert res.status_code == 200 and "再次出错" in res.get_data(as_text=True)  # still dividing by zero
    other = app.test_client()
    assert other.post("/login", data={"username": "wang", "password": "pw-wang"}).status_code in (302, 303)
    assert other.get("/failed/").status_code == 403


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_page_in_a_browser(server: str, page: Any, failed: dict[str, Any]) -> None:
    login(page, server, "sun")
    page.goto(f"{server}/failed/")
    row = page.locator(f"#failed-cases tr[data-case='{failed['id']}']")
    assert "Share the budget" in row.inner_text() and "ZeroDivisionError" in row.inner_text()
    shots("operations")(page, "01-cases-in-error")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".flash")
    assert "再次出错" in page.inner_text("body")
