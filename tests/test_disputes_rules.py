"""Mediation's clocks after escalation and on the mediation step, and recusal, through the HTTP API and pages
(DOMAIN.md §2.4: acceptance within 3 工作日 and mediation within 15 日 of the mediation body's receipt; 回避)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Api, deploy_file
from test_disputes_helpers import (
    accept_mediation,
    advance_days,
    disputes,
    local_today,
    mediation_application,
    open_task,
)

from engine.config import Settings
from engine.disputes import commands
from engine.disputes.rules import end_of_day, plus_days, plus_workdays
from engine.errors import Invalid
from engine.instances import wake_case
from engine.runtime import Runtime

__all__ = ["disputes"]


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Path, disputes: dict) -> Any:
    from webui import create_app

    settings = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path)
    return create_app(settings, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def api(web: Any) -> Api:
    return Api(web.test_client())


def signed_in(web: Any, user: str) -> Any:
    client = web.test_client()
    res = client.post("/login", data={"username": user, "password": f"pw-{user}"})
    assert res.status_code in (302, 303)
    return client


def _file(api: Api, user: str, body: dict[str, Any]) -> dict[str, Any]:
    res = api.post("/api/v1/disputes/mediation", user, json={"data": body})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def _task(api: Api, user: str, case_id: int, name: str) -> dict[str, Any]:
    api.tokens.clear()  # the tests move the clock past a token's life
    case = api.get(f"/api/v1/disputes/cases/{case_id}", user).get_json()
    task_id = next(t["id"] for t in case["open_tasks"] if t["name"] == name)
    res = api.get(f"/api/v1/tasks/{task_id}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def _complete(api: Api, user: str, case_id: int, name: str, data: dict[str, Any]) -> dict[str, Any]:
    task = _task(api, user, case_id, name)
    res = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"data": data})
    assert res.status_code == 200, res.get_json()
    return res.get_json()["case"]


def _deadlines(api: Api, user: str, case_id: int) -> dict[str, str]:
    api.tokens.clear()
    file = api.get(f"/api/v1/disputes/cases/{case_id}", user).get_json()
    return {d["key"]: d["value"] for d in file["deadlines"]}


def _due(task: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(task["due_at"])


ACCEPT = {"acceptance": "accept", "respondent_consent": True, "mediation_mode": "single", "mediators": "ma",
          "acceptance_note": "属于受理范围，对方同意调解。"}


def test_escalated_mediation_acceptance_and_clock(rt: Runtime, api: Api, disputes: dict) -> None:
    case = _file(api, "zhang", mediation_application())
    received = local_today()
    advance_days(10)  # the department's team tried for ten days
    escalated = local_today()
    _complete(api, "xu", case["id"], "dept_mediate", {"dept_result": "escalate", "dept_record": "双方分歧较大。"})

    dates = _deadlines(api, "gao", case["id"])
    assert dates["received_on"] == received.isoformat()
    assert dates["committee_received_on"] == escalated.isoformat()
    acceptance_due = plus_workdays(escalated, 3)  # 3 工作日 from the committee's receipt, not the department's
    assert dates["acceptance_due"] == acceptance_due.isoformat()
    assert dates["mediation_deadline"] == plus_days(escalated, 15).isoformat()  # the committee's own 15 日
    accept = _task(api, "gao", case["id"], "accept_case")
    assert _due(accept) == datetime.fromisoformat(end_of_day(acceptance_due)) and accept["overdue"] is False

    _complete(api, "gao", case["id"], "accept_case", ACCEPT)
    conduct = _task(api, "ma", case["id"], "conduct_mediation")
    assert _due(conduct) == datetime.fromisoformat(end_of_day(plus_days(escalated, 15)))
    advance_days(10)  # day 20 from the first receipt, day 10 of the committee's period
    assert wake_case(rt, case["id"]).status == "running"
    assert _task(api, "ma", case["id"], "conduct_mediation")["overdue"] is False
    advance_days(6)  # the committee's 15 日 are over
    ended = wake_case(rt, case["id"])
    assert ended.status == "completed" and ended.data["outcome"] == "expired"


def test_escalation_may_keep_the_first_period(rt: Runtime, api: Api, disputes: dict, tmp_path: Path) -> None:
    """A school whose department teams belong to the one committee keeps one period (escalationNewPeriod 0); the
    acceptance still counts from the committee's receipt."""
    source = (ROOT / "processes" / "mediation" / "mediation.bpmn").read_text(encoding="utf-8")
    folder = tmp_path / "mediation"
    folder.mkdir()
    (folder / "mediation.bpmn").write_text(source.replace(
        '<spiffworkflow:property name="escalationNewPeriod" value="1"/>',
        '<spiffworkflow:property name="escalationNewPeriod" value="0"/>'), encoding="utf-8")
    forms = folder / "forms"
    forms.mkdir()
    for form in (ROOT / "processes" / "mediation" / "forms").glob("*.json"):
        (forms / form.name).write_bytes(form.read_bytes())
    assert deploy_file(rt, folder / "mediation.bpmn").version == 2
    case = _file(api, "zhang", mediation_application())
    received = local_today()
    advance_days(10)
    _complete(api, "xu", case["id"], "dept_mediate", {"dept_result": "escalate", "dept_record": "双方分歧较大。"})
    dates = _deadlines(api, "gao", case["id"])
    assert dates["mediation_deadline"] == plus_days(received, 15).isoformat()
    assert dates["acceptance_due"] == plus_workdays(local_today(), 3).isoformat()


def test_mediation_task_shows_case_clock(rt: Runtime, api: Api, web: Any, disputes: dict) -> None:
    case = _file(api, "zhang", mediation_application(request_school=True))
    _complete(api, "gao", case["id"], "accept_case", ACCEPT)
    deadline = api.get(f"/api/v1/disputes/cases/{case['id']}", "ma").get_json()["data"]["mediation_deadline"]
    task = _task(api, "ma", case["id"], "conduct_mediation")
    assert task["title"] == "组织调解并记录" and _due(task) == datetime.fromisoformat(deadline)
    listed = api.get("/api/v1/tasks?scope=all", "ma").get_json()["items"]
    assert [t["due_at"] for t in listed if t["id"] == task["id"]] == [task["due_at"]]
    ma = signed_in(web, "ma")
    marker = f'datetime="{task["due_at"]}"'
    for page in ("/inbox", f"/tasks/{task['id']}", f"/disputes/cases/{case['id']}"):
        res = ma.get(page)
        assert res.status_code == 200, page
        html = res.get_data(as_text=True)
        row = html.split("组织调解并记录", 1)[1][:3000]
        assert marker in row and "无截止时间" not in row.split("</tr>")[0], page
    # an agreed extension moves the step's clock with the case's
    for party in ("applicant", "respondent"):
        commands.record_consent(rt, disputes["gao"], case["id"], party, True, 10, "书面同意")
    _complete(api, "ma", case["id"], "conduct_mediation",
              {"session_result": "extend", "session_record": "双方同意延长。", "extension_days": 10})
    moved = _task(api, "ma", case["id"], "conduct_mediation")
    assert _due(moved) - _due(task) == timedelta(days=10)


def test_recused_handler_loses_read_access(rt: Runtime, api: Api, web: Any, disputes: dict) -> None:
    case_id = commands.file_application(rt, disputes["zhang"], "mediation",
                                        mediation_application(request_school=True)).id
    accept_mediation(rt, disputes, case_id)
    task_id = open_task(rt, case_id, "conduct_mediation")
    assert api.post(f"/api/v1/tasks/{task_id}/claim", "ma").status_code == 200
    res = api.post(f"/api/v1/cases/{case_id}/comments", "gao", json={"body": "请马老师准备调解材料。"})
    assert res.status_code == 201
    documents = api.get(f"/api/v1/disputes/cases/{case_id}/documents", "ma").get_json()["items"]
    assert documents
    reads = [f"/api/v1/cases/{case_id}", f"/api/v1/disputes/cases/{case_id}", f"/api/v1/cases/{case_id}/comments",
             f"/api/v1/disputes/cases/{case_id}/documents", f"/api/v1/cases/{case_id}/documents",
             documents[0]["download"], f"/api/v1/tasks/{task_id}"]
    for path in reads:
        assert api.get(path, "ma").status_code == 200, path
    assert api.get(f"/api/v1/tasks/{task_id}", "ma").get_json()["may_act"] is True

    res = api.post(f"/api/v1/disputes/cases/{case_id}/recusals", "zhang", json={"target": "ma", "reason": "亲属关系"})
    assert res.status_code == 201, res.get_json()
    assert api.post(f"/api/v1/disputes/recusals/{res.get_json()['id']}/decide", "gao",
                    json={"granted": True}).status_code == 200

    for path in reads:
        res = api.get(path, "ma")
        assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden", path
    assert api.post(f"/api/v1/cases/{case_id}/comments", "ma", json={"body": "我来看看"}).status_code == 403
    assert api.post(f"/api/v1/tasks/{task_id}/complete", "ma", json={"data": {
        "session_result": "failed", "session_record": "x"}}).status_code == 403
    assert api.call("PUT", f"/api/v1/tasks/{task_id}/draft", "ma", json={"data": {}}).status_code == 403
    assert task_id not in [t["id"] for t in api.get("/api/v1/tasks?scope=all", "ma").get_json()["items"]]
    assert case_id not in [c["id"] for c in api.get("/api/v1/cases", "ma").get_json()["items"]]
    assert case_id not in [c["id"] for c in api.get("/api/v1/disputes/cases", "ma").get_json()["items"]]
    ma = signed_in(web, "ma")
    for page in (f"/cases/{case_id}", f"/disputes/cases/{case_id}", f"/tasks/{task_id}",
                 f"/disputes/documents/{documents[0]['id']}"):
        assert ma.get(page).status_code == 403, page
    assert task_id not in ma.get("/inbox").get_data(as_text=True)

    # the step ma held went back to the committee: another mediator may act, the parties and the head still read
    other = api.get(f"/api/v1/tasks/{task_id}", "he").get_json()
    assert other["assignee"] is None and other["may_act"] is True
    for user in ("zhang", "gao", "he"):
        assert api.get(f"/api/v1/disputes/cases/{case_id}", user).status_code == 200, user
    with pytest.raises(Invalid):  # a party is no handler to recuse
        commands.request_recusal(rt, disputes["gao"], case_id, "zhang", "当事人")
