"""The modeler's official properties panel edits a service task's connector (Camunda dialect), in Chinese, and
the deployed version runs with the edit. Screenshots: test-output/designer/panel-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import login, needs_chromium, shots
from conftest import ROOT, deploy_file

from engine.runtime import Runtime

pytestmark = needs_chromium
shot = shots("designer")
PANEL = "#properties-panel"


def group(page: Any, name: str) -> Any:
    """Open the panel group ``name`` (its data-group-id) and return it."""
    box = page.locator(f"{PANEL} [data-group-id='group-{name}']")
    header = box.locator(".bio-properties-panel-group-header").first
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    return box


def test_the_properties_panel_edits_a_service_task_connector(server: str, page: Any, rt: Runtime, api: Any) -> None:
    deploy_file(rt, ROOT / "docs" / "examples" / "notify" / "notify_camunda.bpmn")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, server, "admin")
    page.goto(f"{server}/designer/modeler?process=notify_camunda")
    page.wait_for_selector("#modeler[data-state=ok]", timeout=30000)
    page.click('#modeler .djs-element[data-element-id="tell"]', position={"x": 14, "y": 14})
    page.wait_for_selector(f"{PANEL} [data-group-id='group-CamundaPlatform__Implementation']")
    assert page.locator(f"{PANEL} .bio-properties-panel-header-type").inner_text().strip() == "服务任务"

    group(page, "CamundaPlatform__Implementation")
    assert page.input_value("#bio-properties-panel-implementationType") == "external"
    assert page.locator("#bio-properties-panel-implementationType option:checked").inner_text() == "外部任务（连接器）"
    assert page.input_value("#bio-properties-panel-externalTopic") == "notify"

    inputs = group(page, "CamundaPlatform__Input")
    assert "输入参数" in inputs.inner_text()
    inputs.locator(".bio-properties-panel-group-header .bio-properties-panel-add-entry").click()
    page.wait_for_selector("#bio-properties-panel-tell-inputParameter-3-name")
    page.fill("#bio-properties-panel-tell-inputParameter-3-name", "title")
    page.fill("#bio-properties-panel-tell-inputParameter-3-stringOrExpression", "请假待审批：{reason}")
    page.locator("#bio-properties-panel-tell-inputParameter-3-stringOrExpression").press("Tab")
    page.wait_for_timeout(300)
    shot(page, "panel-service-task-connector")

    page.click("#save-deploy")
    page.wait_for_url(f"{server}/designer/processes/notify_camunda*")
    assert errors == []
    xml = api.get("/api/v1/processes/notify_camunda/bpmn").get_data(as_text=True)
    assert '<camunda:inputParameter name="title">请假待审批：{reason}</camunda:inputParameter>' in xml
    versions = api.get("/api/v1/processes/notify_camunda/versions").get_json()
    assert [v["version"] for v in versions] == [1, 2]

    case = api.post("/api/v1/cases", "li", json={"process": "notify_camunda", "data": {}}).get_json()
    assert case["version"] == 2
    res = api.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", "li",
                   json={"data": {"reason": "年假", "days": 2}})
    assert res.status_code == 200 and res.get_json()["case"]["status"] == "running"
    body = api.get("/api/v1/notifications", "li").get_json()
    items = body["items"] if isinstance(body, dict) else body
    [note] = [n for n in items if n["kind"] == "process_notice"]
    assert note["title"] == f"{case['business_key']} · 请假待审批：年假"
    assert note["body"].startswith("请假申请（年假，2 天）")
    shot(page, "panel-deployed")


@pytest.mark.parametrize("element", ["request", "approve"])
def test_the_panel_shows_user_task_assignment_in_chinese(server: str, page: Any, rt: Runtime, people: dict,
                                                         element: str) -> None:
    deploy_file(rt, ROOT / "docs" / "examples" / "notify" / "notify_camunda.bpmn")
    login(page, server, "admin")
    page.goto(f"{server}/designer/modeler?process=notify_camunda")
    page.wait_for_selector("#modeler[data-state=ok]", timeout=30000)
    page.click(f'#modeler .djs-element[data-element-id="{element}"]', position={"x": 14, "y": 14})
    page.wait_for_selector(f"{PANEL} [data-group-id='group-CamundaPlatform__UserAssignment']")
    box = group(page, "CamundaPlatform__UserAssignment")
    assert "办理人设置" in box.inner_text() and "候选用户组" in box.inner_text()
    if element == "approve":
        assert page.input_value("#bio-properties-panel-candidateGroups") == "committee"


SERVICES = ["hardship_aid", "staff_suggestion", "resolution_supervision", "activity_signup"]


def test_the_modeler_keeps_every_docket_extension_of_the_union_services(server: str, page: Any,
                                                                        people: dict) -> None:
    """Opening a process in the modeler and saving it loses nothing Docket reads: connector calls, scripts on
    instances, multi-instance collections, data objects (and bpmn-js reports no unknown content)."""
    from lxml import etree

    from engine.definitions.bundle import bundle_from_file
    from engine.definitions.check import check_bundle, has_errors

    login(page, server, "admin")
    page.goto(f"{server}/designer/modeler")
    page.wait_for_selector("#modeler[data-state]", timeout=30000)
    wanted = ["serviceTaskOperator", "parameter", "loopDataInputRef", "preScript", "postScript", "dataObject",
              "dataInputAssociation", "calledDecisionId", "timeCycle", "property"]
    for name in SERVICES:
        path = ROOT / "processes" / name / f"{name}.bpmn"
        warnings, saved = page.evaluate(
            "async (xml) => { const m = window.docketModeler; const r = await m.importXML(xml);"
            " const out = await m.saveXML({ format: true }); return [r.warnings.map(w => w.message), out.xml]; }",
            path.read_text(encoding="utf-8"))
        assert warnings == [], (name, warnings)
        before, after = etree.parse(str(path)).getroot(), etree.fromstring(saved.encode("utf-8"))
        for tag in wanted:
            count = len(before.xpath(f"//*[local-name()='{tag}']"))
            assert len(after.xpath(f"//*[local-name()='{tag}']")) == count, (name, tag)
        assert saved.count('scriptsOnInstances="true"') == path.read_text(encoding="utf-8").count(
            'scriptsOnInstances="true"')
        bundle = bundle_from_file(path)
        bundle.bpmn = saved.encode("utf-8")
        problems = check_bundle(bundle)
        assert not has_errors(problems) and not problems, (name, [str(p) for p in problems])
