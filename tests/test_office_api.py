"""The office's reference data through the API: units in forms, users and their import, congresses, sessions
and delegates, the working-day calendar, process retirement, and the administrative history."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from conftest import HERE, deploy_file
from openpyxl import Workbook
from test_proposals_helpers import congress, do, open_task, submit, to_review

from engine.clock import utcnow
from engine.runtime import Runtime

__all__ = ["congress"]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api: Any, path: str, name: str, data: bytes, user: str = "admin") -> Any:
    return api.post(path, user, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def call(api: Any, method: str, path: str, user: str = "admin", **kw: Any) -> Any:
    return api.call(method, path, user, **kw)


# --- units -------------------------------------------------------------------------------------------------------

def test_units_are_created_listed_and_changed(api: Any) -> None:
    res = api.post("/api/v1/units", json={"key": "library", "name": "图书馆", "kind": "department"})
    assert res.status_code == 201, res.get_json()
    assert res.get_json() == {"key": "library", "name": "图书馆", "kind": "department", "group": "dept:library",
                              "active": True}
    assert api.post("/api/v1/units", json={"key": "library", "name": "又一个", "kind": "department"}).status_code == 409
    assert "dept:library" in [g["key"] for g in api.get("/api/v1/groups").get_json()]  # its group was created
    bad = api.post("/api/v1/units", json={"key": "Bad Key", "name": "", "kind": "?"})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.get_json()["error"]["details"]} == {"key", "name", "kind"}
    assert api.post("/api/v1/units", "wang", json={"key": "x", "name": "X", "kind": "department"}).status_code == 403
    listed = api.get("/api/v1/units?kind=department", "wang").get_json()  # any signed-in user reads them
    assert "library" in [u["key"] for u in listed] and {u["kind"] for u in listed} == {"department"}
    res = call(api, "PATCH", "/api/v1/units/library", json={"name": "图书馆（档案馆）", "active": False})
    assert res.status_code == 200 and res.get_json()["active"] is False
    assert "library" not in [u["key"] for u in api.get("/api/v1/units?active=true").get_json()]
    assert call(api, "PATCH", "/api/v1/units/nowhere", json={"active": False}).status_code == 404


def test_a_new_unit_is_offered_at_once_and_an_inactive_one_leaves_but_keeps_its_name(
        rt: Runtime, api: Any, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    assert api.post("/api/v1/units", json={"key": "library", "name": "图书馆", "kind": "department"}).status_code == 201
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "同意立案。"})
    task_id = open_task(rt, case_id, "assign")
    schema = api.get(f"/api/v1/tasks/{task_id}", "zhao").get_json()["schema"]
    lead = schema["properties"]["lead_department"]
    assert "library" in lead["enum"] and lead["x-enum-labels"]["library"] == "图书馆"
    assert "library" in schema["properties"]["co_departments"]["items"]["enum"]
    done = api.post(f"/api/v1/tasks/{task_id}/complete", "zhao", json={"data": {"lead_department": "library"}})
    assert done.status_code == 200, done.get_json()
    call(api, "PATCH", "/api/v1/units/library", json={"active": False})
    _, other = submit(rt, a, signers=("li", "zheng", "wu"))
    to_review(rt, a, other)
    do(rt, a["zhao"], other, "committee_review", {"decision": "register", "review_opinion": "同意立案。"})
    task_id = open_task(rt, other, "assign")
    lead = api.get(f"/api/v1/tasks/{task_id}", "zhao").get_json()["schema"]["properties"]["lead_department"]
    assert "library" not in lead["enum"] and "hr" in lead["enum"]
    refused = api.post(f"/api/v1/tasks/{task_id}/complete", "zhao", json={"data": {"lead_department": "library"}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"][0]["field"] == "lead_department"
    page = api.client.get(f"/cases/{case_id}")  # the first case still shows the unit by name
    assert page.status_code in (200, 302)


# --- users -------------------------------------------------------------------------------------------------------

def test_users_are_listed_searched_changed_and_deactivated(api: Any) -> None:
    res = api.post("/api/v1/users", json={"username": "xu", "password": "pw-xu", "display_name": "许老师",
                                          "groups": ["delegate"], "unit": "hr"})
    assert res.status_code == 201 and res.get_json()["unit"] == "hr"
    assert api.post("/api/v1/users", json={"username": "xu", "password": "pw-xu"}).status_code == 409
    found = api.get("/api/v1/users?q=许").get_json()
    assert [u["username"] for u in found] == ["xu"]
    assert set(found[0]) == {"username", "display_name", "email", "groups", "unit", "active"}
    assert [u["username"] for u in api.get("/api/v1/users?group=dept:hr").get_json()] == ["chen"]
    assert api.get("/api/v1/users", "wang").status_code == 403
    res = call(api, "PATCH", "/api/v1/users/xu", json={"groups": ["delegate", "committee"], "email": "xu@example.edu"})
    assert res.status_code == 200 and res.get_json()["groups"] == ["committee", "delegate"]
    bad = call(api, "PATCH", "/api/v1/users/xu", json={"groups": ["nobody"]})
    assert bad.status_code == 422 and "nobody" in bad.get_json()["error"]["details"][0]["message"]
    assert call(api, "PATCH", "/api/v1/users/xu", json={"unit": "atlantis"}).status_code == 422
    assert api.client.post("/api/v1/tokens", json={"username": "xu", "password": "pw-xu"}).status_code == 201
    assert call(api, "PATCH", "/api/v1/users/xu", json={"password": "new-secret"}).status_code == 200
    assert api.client.post("/api/v1/tokens", json={"username": "xu", "password": "new-secret"}).status_code == 201
    assert call(api, "PATCH", "/api/v1/users/xu", json={"active": False}).status_code == 200
    assert api.client.post("/api/v1/tokens", json={"username": "xu", "password": "new-secret"}).status_code == 401


def test_deactivating_gives_held_tasks_back_and_the_last_admin_stays(rt: Runtime, api: Any,
                                                                       review_process: Any) -> None:
    from test_api import REGISTER

    started = api.post("/api/v1/cases", "wang", json={"process": review_process.key, "data": {"title": "关于食堂"}})
    first = started.get_json()["open_tasks"][0]
    done = api.post(f"/api/v1/tasks/{first['id']}/complete", "wang", json={"data": REGISTER}).get_json()
    task = done["case"]["open_tasks"][0]
    assert api.post(f"/api/v1/tasks/{task['id']}/claim", "qian").status_code == 200
    assert call(api, "PATCH", "/api/v1/users/qian", json={"active": False}).status_code == 200
    back = api.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert back["assignee"] is None and back["state"] == "open"
    refused = call(api, "PATCH", "/api/v1/users/admin", json={"active": False})
    assert refused.status_code == 409, refused.get_json()
    assert call(api, "PATCH", "/api/v1/users/admin", json={"groups": ["designer"]}).status_code == 409
    assert api.get("/api/v1/users?q=admin").get_json()[0]["active"] is True


def test_import_lists_every_bad_row_and_column_then_imports_all_or_nothing(api: Any) -> None:
    rows = [["用户名", "姓名", "邮箱", "用户组", "单位", "密码"],
            ["t01", "甲老师", "t01@example.edu", "delegate", "人事处", "pw-t01"],
            ["t02", "乙老师", "", "nosuchgroup", "hr", "pw-t02"],
            ["t01", "丙老师", "", "", "", "pw-t03"],
            ["t04", "", "", "", "atlantis", "pw-t04"],
            ["chen", "陈处长", "chen@example.edu", "delegate", "", ""]]
    res = upload(api, "/api/v1/users/import?dry_run=true", "staff.xlsx", xlsx(rows))
    assert res.status_code == 200
    body = res.get_json()
    assert body["rows"] == 5 and body["created"] == ["t01", "t02", "t04"] and body["updated"] == ["chen"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (3, "用户组"), (4, "用户名"), (5, "姓名"), (5, "单位")]
    real = upload(api, "/api/v1/users/import", "staff.xlsx", xlsx(rows))
    assert real.status_code == 422 and len(real.get_json()["error"]["details"]) == 4
    assert api.get("/api/v1/users?q=t0").get_json() == []  # nothing imported
    good = [rows[0], rows[1], ["t02", "乙老师", "", "delegate、committee", "hr", "pw-t02"], rows[5]]
    res = upload(api, "/api/v1/users/import", "staff.xlsx", xlsx(good))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["created"] == ["t01", "t02"] and res.get_json()["updated"] == ["chen"]
    t01 = api.get("/api/v1/users?q=t01").get_json()[0]
    assert t01["unit"] == "hr" and t01["groups"] == ["delegate"]
    assert api.get("/api/v1/users?q=chen").get_json()[0]["groups"] == ["delegate", "dept:hr"]


def test_import_refuses_a_wrong_header_and_a_non_utf8_csv(api: Any) -> None:
    res = upload(api, "/api/v1/users/import?dry_run=true", "staff.csv", "用户名,姓名,职务\nt1,甲,教授\n".encode())
    errors = res.get_json()["errors"]
    assert errors[0]["row"] == 1 and errors[0]["column"] == "职务" and "unknown column" in errors[0]["message"]
    res = upload(api, "/api/v1/users/import", "staff.csv", "用户名,姓名,密码\nt1,甲老师,pw-t1\n".encode("gbk"))
    assert res.status_code == 422
    assert "UTF-8" in res.get_json()["error"]["details"][0]["message"]
    ok = upload(api, "/api/v1/users/import", "staff.csv", "\ufeffusername,display_name,password\nt1,甲老师,pw-t1\n"
                .encode())
    assert ok.status_code == 200 and ok.get_json()["created"] == ["t1"]


# --- congresses --------------------------------------------------------------------------------------------------

def test_congress_sessions_and_delegates(api: Any) -> None:
    res = api.post("/api/v1/congresses", json={"key": "c8", "name": "第八届教职工代表大会", "scope": "school",
                                               "settings": {"min_cosigners": 2, "between_sessions": True}})
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["settings"] == {"min_cosigners": 2, "between_sessions": True}
    assert api.post("/api/v1/congresses", json={"key": "c8", "name": "重复", "scope": "school"}).status_code == 409
    bad = api.post("/api/v1/congresses", json={"key": "c9", "name": "x", "scope": "atlantis"})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "scope"
    bad = call(api, "PATCH", "/api/v1/congresses/c8", json={"settings": {"min_cosigners": -1}})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "settings.min_cosigners"
    renamed = call(api, "PATCH", "/api/v1/congresses/c8", json={"name": "第八届教代会"})
    assert renamed.get_json()["name"] == "第八届教代会"
    now = utcnow()
    res = api.post("/api/v1/congresses/c8/sessions", json={"name": "八届一次", "opens_at": now.isoformat(),
                                                            "closes_at": (now + timedelta(days=30)).isoformat()})
    assert res.status_code == 201 and res.get_json()["id"]
    closed = api.post(f"/api/v1/congresses/c8/sessions/{res.get_json()['id']}/close")
    assert closed.status_code == 200 and closed.get_json()["closes_at"] < (now + timedelta(days=1)).isoformat()
    assert api.post("/api/v1/congresses/c8/delegates", json={"username": "wang", "unit": "hr"}).status_code == 201
    assert api.post("/api/v1/congresses/c8/delegates", json={"username": "nobody"}).status_code == 422
    assert call(api, "DELETE", "/api/v1/congresses/c8/delegates/wang").status_code == 200
    listed = api.get("/api/v1/congresses/c8/delegates").get_json()
    assert listed[0]["username"] == "wang" and listed[0]["active"] is False and listed[0]["until"]
    assert api.get("/api/v1/congresses", "wang").status_code == 403
    assert api.get("/api/v1/congresses", "zhao").status_code == 200  # the proposal committee


def test_delegates_import_creates_missing_users(api: Any) -> None:
    api.post("/api/v1/congresses", json={"key": "c8", "name": "第八届教职工代表大会", "scope": "school"})
    rows = [["用户名", "姓名", "单位", "代表团", "密码"], ["d01", "代表一", "人事处", "第一代表团", "pw-d01"],
            ["wang", "", "", "第二代表团", ""]]
    res = upload(api, "/api/v1/congresses/c8/delegates/import", "delegates.xlsx", xlsx(rows))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["created"] == ["d01"] and res.get_json()["delegates"] == ["d01", "wang"]
    listed = {d["username"]: d for d in api.get("/api/v1/congresses/c8/delegates").get_json()}
    assert listed["d01"]["unit"] == "hr" and listed["d01"]["delegation"] == "第一代表团" and listed["wang"]["active"]


# --- calendar ----------------------------------------------------------------------------------------------------

def test_calendar_years_library_unknown_and_entered(api: Any) -> None:
    body = api.get("/api/v1/calendar/2026").get_json()
    assert body["source"] == "library" and "2026-10-01" in body["holidays"] and "2026-09-20" in body["workdays"]
    assert api.get("/api/v1/calendar/2027").get_json() == {"year": 2027, "source": "unknown", "holidays": [],
                                                          "workdays": []}
    bad = call(api, "PUT", "/api/v1/calendar/2027", json={"holidays": ["2027-01-01", "2026-12-31"],
                                                          "workdays": ["2027-01-01"]})
    assert bad.status_code == 422
    messages = " ".join(d["message"] for d in bad.get_json()["error"]["details"])
    assert "2026-12-31" in messages and "2027-01-01" in messages
    ok = call(api, "PUT", "/api/v1/calendar/2027", json={"holidays": ["2027-01-01"], "workdays": ["2027-02-20"]})
    assert ok.status_code == 200 and ok.get_json()["source"] == "office"
    assert api.get("/api/v1/calendar/2027").get_json()["holidays"] == ["2027-01-01"]
    assert call(api, "PUT", "/api/v1/calendar/2027", "wang", json={"holidays": []}).status_code == 403


# --- processes ---------------------------------------------------------------------------------------------------

def test_a_retired_process_cannot_start_and_is_listed_only_on_request(api: Any, rt: Runtime) -> None:
    deploy_file(rt, HERE / "bpmn" / "review" / "review.bpmn")
    key = api.get("/api/v1/processes").get_json()[0]["key"]
    assert api.post(f"/api/v1/processes/{key}/retire", "wang").status_code == 403
    assert api.post("/api/v1/processes/nowhere/retire").status_code == 404
    assert api.post(f"/api/v1/processes/{key}/retire").status_code == 200
    assert api.get("/api/v1/processes").get_json() == []
    assert [p["retired"] for p in api.get("/api/v1/processes?retired=true").get_json()] == [True]
    res = api.post("/api/v1/cases", "wang", json={"process": key, "data": {"title": "关于食堂"}})
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "conflict"
    assert api.post(f"/api/v1/processes/{key}/restore").status_code == 200
    assert api.post("/api/v1/cases", "wang", json={"process": key, "data": {"title": "关于食堂"}}).status_code == 201


def test_every_admin_change_is_in_the_history(api: Any) -> None:
    api.post("/api/v1/units", json={"key": "library", "name": "图书馆", "kind": "department"})
    call(api, "PATCH", "/api/v1/units/library", json={"name": "图书馆（档案馆）"})
    history = api.get("/api/v1/admin/history?target=unit:library").get_json()["items"]
    assert [h["kind"] for h in history] == ["unit_updated", "unit_created"]
    assert history[0]["actor"] == "admin" and history[0]["before"]["name"] == "图书馆"
    assert history[0]["after"]["name"] == "图书馆（档案馆）"
    assert api.get("/api/v1/admin/history", "wang").status_code == 403


