"""Service tasks calling connectors: notify, email, document and http, in both BPMN dialects, through the HTTP
API; failures put the case in error with the message, keep the earlier state and can be retried."""

from __future__ import annotations

import http.server
import json
import os
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ROOT, deploy_file
from docx import Document

from engine.definitions.bundle import bundle_from_file
from engine.disputes.docx_writer import text_of
from engine.documents.models import CaseDocument
from engine.models import Notification, User
from engine.runtime import Runtime

EXAMPLES = ROOT / "docs" / "examples"


def start(api: Any, user: str, process: str, data: dict | None = None) -> dict:
    res = api.post("/api/v1/cases", user, json={"process": process, "data": data or {}})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def complete(api: Any, user: str, task_id: str, data: dict | None = None) -> dict:
    res = api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data or {}})
    assert res.status_code == 200, res.get_json()
    return res.get_json()["case"]


def bell(api: Any, user: str) -> list[dict]:
    """The user's notifications sent by connectors (not the task and SLA ones)."""
    res = api.get("/api/v1/notifications", user)
    assert res.status_code == 200
    body = res.get_json()
    return [n for n in (body["items"] if isinstance(body, dict) else body) if n["kind"] == "process_notice"]


@pytest.mark.parametrize("process", ["notify_spiff", "notify_camunda"])
def test_notify_in_either_dialect_notifies_the_named_user_and_the_group(api: Any, rt: Runtime, process: str) -> None:
    deploy_file(rt, EXAMPLES / "notify" / f"{process}.bpmn")
    case = start(api, "li", process)
    [request] = case["open_tasks"]
    assert request["assignee"] == "li"
    assert bell(api, "li") == []
    case = complete(api, "li", request["id"], {"reason": "探亲", "days": 3})
    assert case["status"] == "running"
    assert [t["name"] for t in case["open_tasks"]] == ["approve"]
    [note] = bell(api, "li")
    assert note["title"] == f"{case['business_key']} · 请假申请（探亲，3 天）已提交，等待审批"
    assert note["link"] == f"/cases/{case['id']}"
    assert [n["title"] for n in bell(api, "zhao")] == [note["title"]]  # committee
    assert bell(api, "chen") == []  # not in the group
    told = case["data"]["told"]  # SpiffWorkflow keeps the whole result; the Camunda output maps its field
    assert sorted(told["notified"] if process == "notify_spiff" else told) == ["li", "qian", "zhao"]


def test_a_connector_error_puts_the_case_in_error_keeps_earlier_steps_and_can_be_retried(
        api: Any, rt: Runtime) -> None:
    xml = (EXAMPLES / "notify" / "notify_spiff.bpmn").read_text(encoding="utf-8")
    xml = xml.replace('value="\'committee\'"', 'value="reviewers"')
    bundle = bundle_from_file(EXAMPLES / "notify" / "notify_spiff.bpmn")
    bundle.bpmn = xml.encode("utf-8")
    deploy_file(rt, bundle)
    case = start(api, "li", "notify_spiff", {"reviewers": ["committee", "no-such-group"]})
    case = complete(api, "li", case["open_tasks"][0]["id"], {"reason": "病假", "days": 2})
    assert case["status"] == "error"
    assert "通知申请人和委员会 (tell)" in case["error"] and "no such group(s): no-such-group" in case["error"]
    assert case["open_tasks"] == []
    assert case["data"]["reason"] == "病假"  # the completed form is kept
    with rt.reading() as s:  # the failing connector wrote nothing
        assert s.scalar(sa.select(sa.func.count()).select_from(Notification)
                        .where(Notification.kind == "process_notice")) == 0
    res = api.post(f"/api/v1/cases/{case['id']}/retry", "admin", json={"data": {"reviewers": ["committee"]}})
    assert res.status_code == 200, res.get_json()
    retried = res.get_json()
    assert retried["status"] == "running" and [t["name"] for t in retried["open_tasks"]] == ["approve"]
    assert len(bell(api, "li")) == 1


def test_email_goes_through_smtp_and_fails_the_step_when_smtp_is_down(api: Any, rt: Runtime, smtp_server: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_file(rt, EXAMPLES / "email" / "email.bpmn")
    with rt.transaction() as s:
        s.scalar(sa.select(User).where(User.username == "li")).email = "li@example.edu.cn"
    case = start(api, "li", "email_receipt")
    assert case["status"] == "running", case["error"]
    [mail] = smtp_server.messages
    assert mail["To"] == "li@example.edu.cn" and mail["Subject"] == f"受理回执：{case['business_key']}"
    assert f"您提交的事项（{case['business_key']}）已于" in mail.get_content()
    assert case["data"]["receipt_mail"] == {"sent_to": ["li@example.edu.cn"]}

    port = os.environ["DOCKET_SMTP_PORT"]
    monkeypatch.setenv("DOCKET_SMTP_PORT", "1")  # nothing listens there
    failed = start(api, "li", "email_receipt")
    assert failed["status"] == "error" and "was not sent: SMTP server 127.0.0.1:1" in failed["error"]
    assert failed["open_tasks"] == []
    monkeypatch.setenv("DOCKET_SMTP_PORT", port)
    res = api.post(f"/api/v1/cases/{failed['id']}/retry", "admin", json={})
    assert res.get_json()["status"] == "running" and len(smtp_server.messages) == 2

    monkeypatch.delenv("DOCKET_SMTP_HOST")
    unset = start(api, "li", "email_receipt")
    assert unset["status"] == "error" and "e-mail is not set up" in unset["error"]


def test_document_fills_the_template_and_is_readable_by_who_may_read_the_case(api: Any, rt: Runtime) -> None:
    deploy_file(rt, EXAMPLES / "document" / "document.bpmn")
    case = start(api, "li", "visit_record")
    case = complete(api, "li", case["open_tasks"][0]["id"], {
        "member_name": "张老师", "unit": "logistics", "visit_date": "2026-05-01", "visitors": ["chair", "office"],
        "gift_amount": 800.0, "note": "住院治疗\n家属陪护"})
    assert case["status"] == "running", case["error"]
    res = api.get(f"/api/v1/cases/{case['id']}/documents", "li")
    assert res.status_code == 200
    [doc] = res.get_json()
    assert doc["title"] == "慰问记录（张老师）" and doc["media_type"].endswith("wordprocessingml.document")
    assert case["data"]["record_document"] == {"id": doc["id"], "title": "慰问记录（张老师）", "missing": []}
    res = api.get(f"/api/v1/documents/{doc['id']}", "li")
    assert res.status_code == 200 and res.headers["Content-Disposition"].startswith("attachment")
    text = text_of(res.data)
    for expected in ("慰问对象：张老师（后勤保障处）", "慰问日期：2026年5月1日", "慰问金：800 元", "住院治疗",
                     "工会主席", "工会办公室", "登记人：Li"):
        assert expected in text, (expected, text)
    rows = [[c.text for c in r.cells] for r in Document(BytesIO(res.data)).tables[0].rows]
    assert rows == [["序号", "慰问人"], ["1", "工会主席"], ["2", "工会办公室"]]
    assert Document(BytesIO(res.data)).sections[0].header.paragraphs[0].text == case["business_key"]
    assert api.get(f"/api/v1/documents/{doc['id']}", "chen").status_code == 403  # not involved in the case
    assert api.get(f"/api/v1/cases/{case['id']}/documents", "chen").status_code == 403
    assert api.get("/api/v1/documents/999999", "li").status_code == 404
    assert api.get(f"/api/v1/documents/{doc['id']}", "sun").status_code == 200  # supervisors read every case


def test_a_template_field_the_case_lacks_is_a_marked_blank_and_a_check_warning(api: Any, rt: Runtime,
                                                                               tmp_path: Path,
                                                                               caplog: pytest.LogCaptureFixture
                                                                               ) -> None:
    doc = Document()
    para = doc.add_paragraph()
    for piece in ("申请人：{mem", "ber_na", "me}，备注：{remark}。"):  # Word splits typed text into runs
        para.add_run(piece)
    out = BytesIO()
    doc.save(out)
    bundle = bundle_from_file(EXAMPLES / "document" / "document.bpmn")
    bundle.templates["visit-record.docx"] = out.getvalue()
    from engine.definitions.check import check_bundle

    [warning] = [p for p in check_bundle(bundle) if p.element == "make_record"]
    assert warning.severity == "warning" and "{remark}" in warning.message and "{member_name}" not in warning.message
    deploy_file(rt, bundle)
    case = start(api, "li", "visit_record")
    case = complete(api, "li", case["open_tasks"][0]["id"], {
        "member_name": "王老师", "unit": "hr", "visit_date": "2026-05-02", "visitors": ["chair"]})
    assert case["status"] == "running" and case["data"]["record_document"]["missing"] == ["remark"]
    assert any("'remark'" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    [listed] = api.get(f"/api/v1/cases/{case['id']}/documents", "li").get_json()
    text = text_of(api.get(f"/api/v1/documents/{listed['id']}", "li").data)
    assert text.strip() == "申请人：王老师，备注：【待补：remark】。"
    with rt.reading() as s:
        assert s.scalar(sa.select(CaseDocument.facts).where(CaseDocument.id == listed["id"]))["missing"] == ["remark"]


def test_docket_check_warns_about_a_template_field_no_step_sets(tmp_path: Path) -> None:
    """The command line: a warning naming the template and the field, and the check still passes."""
    import shutil

    from click.testing import CliRunner

    from engine.cli import main

    folder = tmp_path / "document"
    shutil.copytree(EXAMPLES / "document", folder)
    doc = Document()
    doc.add_paragraph("申请人：{member_name}；备注：{remark}")
    doc.save(folder / "templates" / "visit-record.docx")
    result = CliRunner().invoke(main, ["check", str(folder / "document.bpmn")])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if "visit-record.docx" in x]
    assert "warning" in line and "{remark}" in line and "marked blank" in line and "member_name" not in line


def test_an_optional_field_the_case_lacks_prints_a_dash() -> None:
    from engine.documents.fill import fill_docx

    doc = Document()
    doc.add_paragraph("备注：{remark|optional}；说明：{note|optional}；单位：{unit}")
    out = BytesIO()
    doc.save(out)
    filled = fill_docx(out.getvalue(), {"note": "已核实", "unit": "人事处"})
    assert text_of(filled.content).strip() == "备注：—；说明：已核实；单位：人事处" and filled.missing == []


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Recorder.seen.append(("POST", self.path, body))
        if self.path == "/elsewhere":
            self.send_response(302)
            self.send_header("Location", "http://localhost.localdomain:9/x")
            self.end_headers()
            return
        if self.path == "/broken":
            self.send_response(500)
            self.end_headers()
            return
        answer = json.dumps({"id": 42, "echo": body["title"]}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web_service() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_is_off_by_default_then_reaches_only_allowed_hosts(api: Any, rt: Runtime, web_service: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_file(rt, EXAMPLES / "http" / "http.bpmn")
    monkeypatch.delenv("DOCKET_HTTP_ALLOW", raising=False)
    off = start(api, "admin", "oa_notice", {"oa_url": f"{web_service}/notices", "title": "通知"})
    assert off["status"] == "error" and "outgoing HTTP is off" in off["error"] and _Recorder.seen == []

    monkeypatch.setenv("DOCKET_HTTP_ALLOW", "oa.example.edu.cn")
    other = start(api, "admin", "oa_notice", {"oa_url": f"{web_service}/notices", "title": "通知"})
    assert other["status"] == "error" and "not in DOCKET_HTTP_ALLOW" in other["error"] and _Recorder.seen == []

    monkeypatch.setenv("DOCKET_HTTP_ALLOW", "oa.example.edu.cn, 127.0.0.1")
    case = start(api, "admin", "oa_notice", {"oa_url": f"{web_service}/notices", "title": "年度表彰"})
    assert case["status"] == "running", case["error"]
    assert _Recorder.seen == [("POST", "/notices", {"title": "年度表彰", "source": "docket"})]
    assert case["data"]["oa_status"] == 201 and case["data"]["oa_answer"] == {"id": 42, "echo": "年度表彰"}

    moved = start(api, "admin", "oa_notice", {"oa_url": f"{web_service}/elsewhere", "title": "x"})
    assert moved["status"] == "error" and "redirects to another host" in moved["error"]
    broken = start(api, "admin", "oa_notice", {"oa_url": f"{web_service}/broken", "title": "x"})
    assert broken["status"] == "error" and "answered 500" in broken["error"]


SERVICE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="d" targetNamespace="t">
  <bpmn:process id="svc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
{task}
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def spiff(operator: str, *params: tuple[str, str]) -> str:
    inner = "".join(f'\n          <spiffworkflow:parameter id="{n}" type="str" value="{v}"/>' for n, v in params)
    return (f'    <bpmn:serviceTask id="call" name="Call">\n      <bpmn:extensionElements>\n'
            f'        <spiffworkflow:serviceTaskOperator id="{operator}">\n        <spiffworkflow:parameters>{inner}\n'
            '        </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>\n      </bpmn:extensionElements>\n'
            "    </bpmn:serviceTask>")


def external(topic: str, *params: tuple[str, str]) -> str:
    inner = "".join(f'\n          <camunda:inputParameter name="{n}">{v}</camunda:inputParameter>' for n, v in params)
    return (f'    <bpmn:serviceTask id="call" name="Call" camunda:type="external" camunda:topic="{topic}">\n'
            f"      <bpmn:extensionElements><camunda:inputOutput>{inner}\n"
            "      </camunda:inputOutput></bpmn:extensionElements>\n    </bpmn:serviceTask>")


@pytest.mark.parametrize(("task", "needle", "message"), [
    (spiff("fax", ("to", "'x'")), 'serviceTaskOperator id="fax"', "unknown connector 'fax' (known: document, email"),
    (external("fax"), 'camunda:topic="fax"', "unknown connector 'fax'"),
    (spiff("notify", ("users", "'li'")), 'id="call"', "connector 'notify' needs the parameter 'message'"),
    (external("email", ("to", "li"), ("subject", "s")), 'id="call"', "connector 'email' needs the parameter 'body'"),
    (spiff("notify", ("users", "'li'"), ("message", "'m'"), ("colour", "'red'")), 'id="colour"',
     "connector 'notify' has no parameter 'colour' (it takes users, groups, message, title)"),
    (external("notify", ("users", "li"), ("message", "m"), ("colour", "red")), 'name="colour"',
     "connector 'notify' has no parameter 'colour'"),
    (spiff("notify", ("users", "'li'"), ("message", "'')")), 'id="message"', "parameter 'message': syntax error"),
    (external("notify", ("users", "${a ? b : c}"), ("message", "m")), 'name="users"',
     "input parameter 'users': unsupported in a Camunda expression"),
    (spiff("document", ("template", "'nowhere.docx'"), ("title", "'t'")), 'id="template"',
     "template 'nowhere.docx' is not in the process folder"),
    (spiff("http", ("url", "'ftp://x'")), 'id="url"', "url 'ftp://x' is not an http:// or https:// address"),
    (spiff("notify", ("groups", "'ghosts'"), ("message", "'m'")), 'id="groups"', "group(s) ghosts do not exist"),
    ('    <bpmn:serviceTask id="call" camunda:class="org.example.Mailer"/>', 'id="call"',
     "camunda:class (Java code) cannot run in Docket"),
])
def test_check_and_deploy_refuse_bad_connector_calls_with_element_and_line(api: Any, task: str, needle: str,
                                                                          message: str) -> None:
    xml = SERVICE.replace("{task}", task)
    line = next(n for n, text in enumerate(xml.splitlines(), 1) if needle in text)
    res = api.post("/api/v1/processes", "admin", data=xml.encode(), content_type="application/xml")
    assert res.status_code == 422, res.get_json()
    details = res.get_json()["error"]["details"]
    assert any(d["element"] == "call" and d["line"] == line and message in d["message"] for d in details), details
    assert api.get("/api/v1/processes").get_json() == []


def test_docket_check_explain_lists_the_behaviours_a_file_uses() -> None:
    from click.testing import CliRunner

    from engine.cli import main

    result = CliRunner().invoke(main, ["check", "--explain", str(EXAMPLES / "notify" / "notify_camunda.bpmn"),
                                       str(EXAMPLES / "document" / "document.bpmn")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(x.startswith("  connector notify (tell:") for x in lines)
    assert "      tell: parameters users, groups, message; result → told" in lines
    assert any(x.startswith("  connector document (make_record:") for x in lines)
    assert any(x.startswith("  property dueIn (approve:") for x in lines)
    assert any(x.startswith("  property titleField (visit_record:") for x in lines)


def test_templates_travel_with_the_version_through_api_upload_and_modeler(api: Any, rt: Runtime,
                                                                          tmp_path: Path) -> None:
    from conftest import ADMIN

    from engine.definitions.bundle import Bundle
    from engine.designer.publish import publish

    folder = EXAMPLES / "document"
    bpmn = (folder / "document.bpmn").read_bytes()
    form = (folder / "forms" / "visit-record.json").read_bytes()
    template = (folder / "templates" / "visit-record.docx").read_bytes()
    files = {"file": (BytesIO(bpmn), "document.bpmn"), "forms": (BytesIO(form), "visit-record.json")}
    res = api.post("/api/v1/processes", "admin", data=files, content_type="multipart/form-data")
    assert res.status_code == 422  # the template the document step names is missing
    assert any("template 'visit-record.docx' is not in the process folder" in d["message"]
               for d in res.get_json()["error"]["details"])
    files = {"file": (BytesIO(bpmn), "document.bpmn"), "forms": (BytesIO(form), "visit-record.json"),
             "templates": (BytesIO(template), "visit-record.docx")}
    res = api.post("/api/v1/processes", "admin", data=files, content_type="multipart/form-data")
    assert res.status_code == 201 and res.get_json()["version"] == 1, res.get_json()
    # the modeler sends the BPMN alone: forms and templates come from the deployed version
    edited = bpmn.replace("归档".encode(), "归档备查".encode())
    outcome = publish(rt, ADMIN, Bundle(bpmn=edited, filename="visit_record.bpmn"), do_deploy=True)
    assert outcome.version == 2 and not outcome.errors, outcome.problems
    case = start(api, "li", "visit_record")
    case = complete(api, "li", case["open_tasks"][0]["id"], {
        "member_name": "赵老师", "unit": "hr", "visit_date": "2026-06-01", "visitors": ["office"]})
    assert case["version"] == 2 and case["data"]["record_document"]["missing"] == []


def test_the_case_page_lists_its_documents_for_its_readers(api: Any, rt: Runtime, app: Any) -> None:
    deploy_file(rt, EXAMPLES / "document" / "document.bpmn")
    case = start(api, "li", "visit_record")
    case = complete(api, "li", case["open_tasks"][0]["id"], {
        "member_name": "张老师", "unit": "logistics", "visit_date": "2026-05-01", "visitors": ["chair"]})
    [doc] = api.get(f"/api/v1/cases/{case['id']}/documents", "li").get_json()
    app.config["WTF_CSRF_ENABLED"] = False
    web = app.test_client()
    assert web.post("/login", data={"username": "li", "password": "pw-li"}).status_code in (302, 303)
    page = web.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "文书" in page and "慰问记录（张老师）" in page
    assert f"/cases/{case['id']}/documents/{doc['id']}" in page
    res = web.get(f"/cases/{case['id']}/documents/{doc['id']}")
    assert res.status_code == 200 and "慰问对象：张老师" in text_of(res.data)
    assert web.get(f"/cases/{case['id'] + 1}/documents/{doc['id']}").status_code == 404


def test_a_case_with_connector_steps_migrates_to_a_new_version(api: Any, rt: Runtime) -> None:
    from conftest import ADMIN

    from engine.designer.migration import migrate_cases

    deploy_file(rt, EXAMPLES / "notify" / "notify_camunda.bpmn")
    case = start(api, "li", "notify_camunda")
    bundle = bundle_from_file(EXAMPLES / "notify" / "notify_camunda.bpmn")
    bundle.bpmn = bundle.bpmn.replace("等待审批".encode(), "请等候审批".encode())
    second = deploy_file(rt, bundle)
    [plan] = migrate_cases(rt, ADMIN, second.id, [case["id"]])
    assert plan.ok, plan
    case = complete(api, "li", case["open_tasks"][0]["id"], {"reason": "事假", "days": 1})
    assert case["version"] == 2
    assert bell(api, "li")[0]["title"].endswith("请假申请（事假，1 天）已提交，请等候审批")
