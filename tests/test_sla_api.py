"""SLA over HTTP: the overdue and summary API shapes, clock actions, out of office, the board page and exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import sign_in
from test_sla_common import SLA, deploy_xml, local, open_tasks

from engine.clock import clock
from engine.instances import start_case
from engine.runtime import Runtime
from engine.tasks import complete_task

NOW = local(2026, 10, 24, 12, 0)


@pytest.fixture
def late_cases(rt: Runtime, people: dict) -> list[Any]:
    """Three cases: two overdue (one for committee, one for wang), one due soon."""
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 14, 10, 0))
    old = start_case(rt, people["wang"], "sla_demo", {"title": "食堂价格"})
    complete_task(rt, people["zhao"], open_tasks(rt, old.id)[0].id, {})  # rate -> wang, due 09-17
    clock.freeze(local(2026, 9, 28, 10, 0))
    late = start_case(rt, people["li"], "sla_demo", {"title": "停车位"})  # due 10-16
    clock.freeze(local(2026, 10, 12, 10, 0))
    soon = start_case(rt, people["li"], "sla_demo", {"title": "体检"})  # due 10-26
    clock.freeze(NOW)
    return [old, late, soon]


def test_overdue_api_lists_oldest_first_with_overdue_by(api: Any, late_cases: list[Any]) -> None:
    old, late, _soon = late_cases
    res = api.get("/api/v1/sla/overdue", "sun")
    assert res.status_code == 200
    body = res.get_json()
    assert [i["case_id"] for i in body["items"]] == [old.id, late.id]
    first = body["items"][0]
    assert first["overdue"] is True and first["name"] == "rate" and first["assignee"] == "wang"
    assert first["overdue_by"] == int((NOW - local(2026, 9, 17, 23, 59, 59)).total_seconds())
    assert {"id", "case_id", "business_key", "process", "title", "due_at", "candidate_groups",
            "case_title"} <= set(first)
    only = api.get("/api/v1/sla/overdue?group=committee", "sun").get_json()["items"]
    assert [i["case_id"] for i in only] == [late.id]
    assert api.get("/api/v1/sla/overdue?process=nope", "sun").get_json()["items"] == []
    mine = api.get("/api/v1/sla/overdue", "wang").get_json()["items"]  # not a supervisor: what they may act on
    assert [i["case_id"] for i in mine] == [old.id]
    assert api.get("/api/v1/sla/overdue", "chen").get_json()["items"] == []
    assert api.get("/api/v1/sla/overdue", None).status_code == 401


def test_summary_api_counts_by_process_and_group(api: Any, late_cases: list[Any]) -> None:
    body = api.get("/api/v1/sla/summary", "admin").get_json()
    assert body["totals"] == {"open": 3, "due_soon": 1, "overdue": 2}
    assert body["by_process"] == [{"process": "sla_demo", "open": 3, "due_soon": 1, "overdue": 2}]
    assert body["by_group"] == [{"group": "committee", "open": 2, "due_soon": 1, "overdue": 1}]
    assert api.get("/api/v1/sla/summary?days=0", "admin").status_code == 422
    assert api.get("/api/v1/sla/summary?days=x", "admin").get_json()["error"]["details"][0]["field"] == "days"
    denied = api.get("/api/v1/sla/summary", "zhao")
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"


def test_clock_actions_over_the_api(api: Any, late_cases: list[Any], rt: Runtime) -> None:
    _old, _late, soon = late_cases
    task = open_tasks(rt, soon.id)[0]
    paused = api.post(f"/api/v1/sla/tasks/{task.id}/pause", "zhao", json={"reason": "等待申请人补充材料"})
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    assert api.post(f"/api/v1/sla/tasks/{task.id}/pause", "zhao", json={"reason": "x"}).status_code == 409
    clock.freeze(local(2026, 10, 25, 12, 0))
    api.tokens.clear()  # tokens live 12 hours
    resumed = api.post(f"/api/v1/sla/tasks/{task.id}/resume", "zhao").get_json()
    assert resumed["paused_seconds"] == 86400 and resumed["paused"] is False
    assert resumed["due_at"].startswith("2026-10-27T15:59:59")  # one day later (UTC)
    assert api.post(f"/api/v1/sla/tasks/{task.id}/extend", "zhao", json={"duration": "P1D", "reason": "x"}
                    ).status_code == 403
    bad = api.post(f"/api/v1/sla/tasks/{task.id}/extend", "sun", json={"duration": "P9D", "reason": "复杂"})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "duration"
    ok = api.post(f"/api/v1/sla/tasks/{task.id}/extend", "sun", json={"duration": "P2D", "reason": "复杂"})
    assert ok.status_code == 200 and ok.get_json()["extensions"] == 1
    assert api.get(f"/api/v1/sla/tasks/{task.id}", "chen").status_code == 403


def test_out_of_office_api(api: Any, people: dict) -> None:
    clock.freeze(local(2026, 9, 28, 10, 0))
    assert api.get("/api/v1/sla/away", "wang").get_json() == {"absence": None}
    put = api.call("PUT", "/api/v1/sla/away", "wang", json={"deputy": "li", "starts_on": "2026-10-01",
                                                             "ends_on": "2026-10-08", "note": "国庆出差"})
    assert put.status_code == 200 and put.get_json()["absence"]["deputy"] == "li"
    cycle = api.call("PUT", "/api/v1/sla/away", "li", json={"deputy": "wang", "starts_on": "2026-10-02",
                                                             "ends_on": "2026-10-03"})
    assert cycle.status_code == 422 and cycle.get_json()["error"]["details"][0]["field"] == "deputy"
    assert api.call("PUT", "/api/v1/sla/away", "li", json={"deputy": "wang", "starts_on": "soon",
                                                           "ends_on": "2026-10-03"}).status_code == 422
    assert api.call("DELETE", "/api/v1/sla/away", "wang").get_json() == {"removed": 1}


def test_board_page_exports_and_access(web: Any, late_cases: list[Any], rt: Runtime) -> None:
    old, late, soon = late_cases
    sign_in(web, "zhao")
    assert web.get("/supervision/").status_code == 403
    sign_in(web, "sun")
    page = web.get("/supervision/").get_data(as_text=True)
    assert page.count('class="row-overdue"') == 2 and page.count('class="row-soon"') == 1
    assert f'href="/cases/{old.id}"' in page and "<svg" in page
    assert page.index(old.business_key) < page.index(late.business_key) < page.index(soon.business_key)
    filtered = web.get("/supervision/?group=committee").get_data(as_text=True)
    assert old.business_key not in filtered.split('id="overdue-table"')[1].split("</table>")[0]
    csv = web.get("/supervision/export?format=csv").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert len(lines) == 4 and old.business_key in lines[1] and soon.business_key in lines[3]
    xlsx = web.get("/supervision/export?format=xlsx&process=sla_demo")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 4 and sheet.cell(2, 2).value == old.business_key
    assert web.get("/supervision/export?format=pdf").status_code in (400, 422)


def test_deadline_and_away_pages(web: Any, late_cases: list[Any], rt: Runtime) -> None:
    _old, _late, soon = late_cases
    task = open_tasks(rt, soon.id)[0]
    sign_in(web, "sun")
    assert "P15D" in web.get(f"/supervision/tasks/{task.id}").get_data(as_text=True)
    res = web.post(f"/supervision/tasks/{task.id}/extend", data={"duration": "P15D", "reason": "复杂"},
                   follow_redirects=True)
    assert "P5D" in res.get_data(as_text=True)  # the cap is named in the refusal
    web.post(f"/supervision/tasks/{task.id}/extend", data={"duration": "P3D", "reason": "复杂"})
    assert open_tasks(rt, soon.id)[0].due_at == local(2026, 10, 29, 23, 59, 59)
    sign_in(web, "wang")
    assert web.get("/supervision/away").status_code == 200
    bad = web.post("/supervision/away", data={"deputy": "wang", "starts_on": "2026-10-24", "ends_on": "2026-10-25"})
    assert bad.status_code == 422
    ok = web.post("/supervision/away", data={"deputy": "li", "starts_on": "2026-10-24", "ends_on": "2026-10-25"},
                  follow_redirects=True)
    assert "li" in ok.get_data(as_text=True) and ok.status_code == 200
