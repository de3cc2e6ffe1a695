"""Designer pages over HTTP: access, process page with diff and form previews, upload and deploy, modeler
save, migration, and the case diagram's JSON."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import sign_in
from test_designer_engine import REGISTER, REVIEW, _open, review_v2_xml, review_without_register_xml

from engine.instances import start_case
from engine.models import Case, Event, ProcessDefinition
from engine.runtime import Runtime
from engine.tasks import complete_task

FORMS = REVIEW.parent / "forms"


def broken_review_xml() -> str:
    """Two errors: a due date that is not an ISO duration (line 47) and a script syntax error."""
    return REVIEW.read_text(encoding="utf-8").replace('name="dueIn" value="P15D"', 'name="dueIn" value="15 days"',
                                                      1).replace("rehandled = True", "rehandled = = True")


@pytest.fixture
def web(form_app: Any, people: dict) -> Any:
    """``web(user)``: a client of a fresh app signed in as ``user``."""
    return lambda user: sign_in(form_app.test_client(), user)


def _upload(client: Any, xml: str | bytes, action: str, forms: bool = True) -> Any:
    data: dict[str, Any] = {"action": action,
                            "bpmn": (io.BytesIO(xml.encode() if isinstance(xml, str) else xml), "review.bpmn")}
    if forms:
        data["extra"] = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(FORMS.glob("*.json"))]
    return client.post("/designer/upload", data=data, content_type="multipart/form-data")


def _versions(rt: Runtime, key: str = "proposal_review") -> list[int]:
    with rt.reading() as s:
        return list(s.scalars(sa.select(ProcessDefinition.version).where(ProcessDefinition.key == key)))


def test_only_designers_see_the_designer(web: Any, review_process: Any) -> None:
    wang = web("wang")
    assert wang.get("/designer/").status_code == 403
    assert "/designer/" not in wang.get("/cases/").get_data(as_text=True)
    zhou = web("zhou")
    page = zhou.get("/designer/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "proposal_review" in body and 'href="/designer/"' in body


def test_upload_broken_shows_problems_and_deploys_nothing(web: Any, rt: Runtime, review_process: Any) -> None:
    res = _upload(web("zhou"), broken_review_xml(), "deploy")
    assert res.status_code == 422
    body = res.get_data(as_text=True)
    assert 'id="problems"' in body and "<code>committee_review</code>" in body and "<td>47</td>" in body
    assert "<code>mark_rehandle</code>" in body and "15 days" in body
    assert _versions(rt) == [1]
    garbage = _upload(web("zhou"), b"<bpmn:definitions", "deploy")
    assert garbage.status_code == 422 and 'id="problems"' in garbage.get_data(as_text=True)


def test_upload_and_deploy_then_process_page_shows_diff_and_forms(web: Any, rt: Runtime,
                                                                  review_process: Any) -> None:
    zhou = web("zhou")
    checked = _upload(zhou, review_v2_xml(), "check")
    assert checked.status_code == 200 and _versions(rt) == [1]
    preview = checked.get_data(as_text=True)
    assert 'id="upload-diff"' in preview and "<code>notify_rep</code>" in preview  # compared with v1
    res = _upload(zhou, review_v2_xml(), "deploy", forms=False)  # forms come from the deployed version
    assert res.status_code == 302 and res.headers["Location"].endswith("/designer/processes/proposal_review?v=2")
    assert _versions(rt) == [1, 2]
    with rt.reading() as s:
        v2 = s.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.version == 2)).one()
        assert v2.deployed_by == "zhou" and "proposal-review" in v2.forms
    page = zhou.get("/designer/processes/proposal_review").get_data(as_text=True)
    assert 'id="diff"' in page and "notify_rep" in page and "提案委员会初审" in page
    assert "审查结论" in page and "<fieldset disabled" in page  # form preview, disabled
    old = zhou.get("/designer/processes/proposal_review?v=1").get_data(as_text=True)
    assert "This is the first version." in old or "这是第一个版本" in old
    download = zhou.get(f"/designer/definitions/{v2.id}.bpmn")
    assert download.status_code == 200 and b"notify_rep" in download.data


def test_modeler_saves_a_new_version_through_the_check(web: Any, rt: Runtime, review_process: Any) -> None:
    zhou = web("zhou")
    page = zhou.get("/designer/modeler?process=proposal_review").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in page and "committee_review" in page
    broken = review_v2_xml().replace("rehandled = True", "rehandled = = True")
    bad = zhou.post("/designer/modeler", data={"process": "proposal_review", "xml": broken})
    assert bad.status_code == 422 and 'id="problems"' in bad.get_data(as_text=True)
    assert _versions(rt) == [1]
    ok = zhou.post("/designer/modeler", data={"process": "proposal_review", "xml": review_v2_xml()})
    assert ok.status_code == 302 and _versions(rt) == [1, 2]
    assert web("wang").post("/designer/modeler", data={"xml": review_v2_xml()}).status_code == 403


def test_migration_page_dry_run_then_move(web: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    waiting = start_case(rt, people["wang"], "proposal_review", {"title": "等待填写"})
    done = start_case(rt, people["wang"], "proposal_review", {"title": "已提交"})
    complete_task(rt, people["wang"], _open(rt, done.id)[0].id, REGISTER)
    zhou = web("zhou")
    assert _upload(zhou, review_without_register_xml(), "deploy").status_code == 302
    with rt.reading() as s:
        v2 = s.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.version == 2)).one()
    dry = zhou.get(f"/designer/processes/proposal_review/migrate?to={v2.id}").get_data(as_text=True)
    assert dry.count('class="plan-refused"') == 2  # both refused: register_proposal is gone in v2
    assert "register_proposal" in dry
    assert web("wang").get(f"/designer/processes/proposal_review/migrate?to={v2.id}").status_code == 403

    assert _upload(zhou, review_v2_xml(), "deploy").status_code == 302
    with rt.reading() as s:
        v3 = s.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.version == 3)).one()
    dry = zhou.get(f"/designer/processes/proposal_review/migrate?to={v3.id}").get_data(as_text=True)
    assert dry.count('class="plan-ok"') == 2
    res = zhou.post(f"/designer/processes/proposal_review/migrate?to={v3.id}", data={"case": [str(waiting.id)]})
    assert res.status_code == 200 and 'id="results"' in res.get_data(as_text=True)
    with rt.reading() as s:
        assert s.get(Case, waiting.id).definition_id == v3.id
        assert s.get(Case, done.id).definition_id == review_process.id
        assert s.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.kind == "case_migrated")) == 1


def test_case_diagram_json_follows_case_access(web: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "食堂"})
    complete_task(rt, people["wang"], _open(rt, case.id)[0].id, REGISTER)
    data = web("wang").get(f"/designer/cases/{case.id}/diagram.json").get_json()
    assert "start" in data["completed"] and "register_proposal" in data["completed"]
    assert data["current"] == ["committee_review"]
    assert data["tasks"]["committee_review"][0]["url"].startswith("/tasks/")
    assert data["tasks"]["register_proposal"][0]["completed_by"] == "wang"
    assert "<bpmn:definitions" in data["xml"] and data["overdue"] == []
    assert web("li").get(f"/designer/cases/{case.id}/diagram.json").status_code == 403
    assert web("wang").get("/designer/cases/9999/diagram.json").status_code == 404


def test_case_page_includes_render(app: Any) -> None:
    """The case page includes these two templates (its head block and its body)."""
    from flask import render_template

    with app.test_request_context("/cases/7"):
        head = render_template("designer/_case_head.html")
        body = render_template("designer/_case_diagram.html", case={"id": 7})
    assert "bpmn-navigated-viewer.production.min.js" in head and "designer.js" in head
    assert 'data-case-url="/designer/cases/7/diagram.json"' in body


def test_modeler_new_process_starts_blank_and_deploys_version_one(web: Any, rt: Runtime) -> None:
    from webui.designer import NEW_PROCESS

    zhou = web("zhou")
    page = zhou.get("/designer/modeler?lang=en").get_data(as_text=True)
    assert "new_process" in page and "Check and deploy as a new version" in page
    drawn = NEW_PROCESS.replace('id="new_process" name="New process"', 'id="leave_request" name="请假"').replace(
        '<bpmn:startEvent id="start"/>',
        '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ok"/>'
        '<bpmn:userTask id="ok" name="批准"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="candidateGroups" value="committee"/></spiffworkflow:properties>'
        '</bpmn:extensionElements></bpmn:userTask><bpmn:sequenceFlow id="f2" sourceRef="ok" targetRef="end"/>'
        '<bpmn:endEvent id="end"/>').replace('bpmnElement="new_process"', 'bpmnElement="leave_request"')
    res = zhou.post("/designer/modeler", data={"process": "", "xml": drawn})
    assert res.status_code == 302 and res.headers["Location"].endswith("/designer/processes/leave_request?v=1")
    assert _versions(rt, "leave_request") == [1]
    index = zhou.get("/designer/?lang=en").get_data(as_text=True)
    assert "leave_request" in index and "Upload a .bpmn file" in index
