"""Inbox through the HTTP API: filters, sorting, counts, saved shared filters, bulk actions, delegation picker."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.clock import clock, utcnow
from engine.instances import start_case
from engine.models import Case, Task, TaskCandidate
from engine.runtime import Runtime
from engine.tasks import complete_task

REGISTER = {"title": "关于延长图书馆开放时间的建议", "category": "campus", "cause": "闭馆过早",
            "proposal": "建议工作日开放至22点，考试周延长至24点。"}
_numbers = itertools.count(1)


def make_task(rt: Runtime, definition: Any, title: str, groups: list[str], due: datetime | None,
              created: datetime | None = None, assignee: str | None = None, case_title: str | None = None,
              process: str | None = None) -> str:
    """A task row with exactly these attributes (its case carries no workflow: inbox queries never read it)."""
    now = utcnow()
    with rt.transaction() as session:
        case = Case(definition_id=definition.id, process_key=process or definition.key,
                    business_key=f"测试 {next(_numbers):04d}", title=case_title, status="running", workflow="{}",
                    data={}, started_by="admin", started_at=now, updated_at=now)
        session.add(case)
        session.flush()
        task_id = str(uuid.uuid4())
        session.add(Task(id=task_id, case_id=case.id, process_key=case.process_key, name="t", title=title,
                         candidate_groups=groups, candidate_users=[], assignee=assignee,
                         state="claimed" if assignee else "open", created_at=created or now, due_at=due))
        session.flush()
        session.add_all([TaskCandidate(task_id=task_id, kind="group", principal=g) for g in groups])
    return task_id


def review_tasks(rt: Runtime, people: dict, n: int) -> list[str]:
    """``n`` real proposals at the committee review (candidate group 'committee'); their task ids."""
    ids = []
    for i in range(n):
        case = start_case(rt, people["wang"], "proposal_review", {"title": f"{REGISTER['title']} {i}"})
        with rt.reading() as session:
            reg = session.query(Task).filter_by(case_id=case.id, state="open").one().id
        complete_task(rt, people["wang"], reg, {**REGISTER, "title": f"{REGISTER['title']} {i}"})
        with rt.reading() as session:
            ids.append(session.query(Task).filter_by(case_id=case.id, state="open").one().id)
    return ids


def inbox(api: Any, user: str, query: str = "") -> dict:
    res = api.get(f"/api/v1/inbox?{query}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def titles(listing: dict) -> list[str]:
    return [t["title"] for t in listing["items"]]


@pytest.fixture
def mixed(rt: Runtime, review_process: Any) -> dict[str, str]:
    """Committee and HR tasks with due dates in the past, today, this week, later, and none."""
    clock.freeze(datetime.fromisoformat("2026-11-25T03:00:00+00:00"))  # a Wednesday, 11:00 in Beijing
    now = utcnow()
    d = review_process
    return {
        "late": make_task(rt, d, "逾期的审查", ["committee"], now - timedelta(days=3), now - timedelta(days=9),
                          case_title="食堂价格"),
        "today": make_task(rt, d, "今天到期", ["committee"], now + timedelta(hours=5), now - timedelta(days=1)),
        "week": make_task(rt, d, "本周到期", ["committee"], now + timedelta(days=3), now - timedelta(days=5)),
        "later": make_task(rt, d, "下月到期", ["committee"], now + timedelta(days=30), now - timedelta(days=2)),
        "none": make_task(rt, d, "没有期限", ["committee"], None, now - timedelta(days=20)),
        "hr": make_task(rt, d, "人事处办理", ["dept:hr"], now + timedelta(days=1), now - timedelta(days=3)),
        "zhaos": make_task(rt, d, "赵的任务", ["committee"], now + timedelta(days=2), now - timedelta(days=4),
                           assignee="zhao"),
    }


def test_sort_by_due_puts_no_due_last_and_by_created(api: Any, mixed: dict) -> None:
    listing = inbox(api, "qian")
    assert titles(listing) == ["逾期的审查", "今天到期", "本周到期", "下月到期", "没有期限"]
    assert listing["total"] == 5
    assert titles(inbox(api, "qian", "sort=created")) == ["没有期限", "逾期的审查", "本周到期", "下月到期", "今天到期"]
    assert titles(inbox(api, "qian", "sort=-created"))[0] == "今天到期"
    late = inbox(api, "qian")["items"][0]
    assert late["overdue"] is True and late["late_seconds"] == 3 * 86400 and late["case_title"] == "食堂价格"


def test_filters_and_views(api: Any, mixed: dict) -> None:
    assert titles(inbox(api, "qian", "view=overdue")) == ["逾期的审查"]
    assert titles(inbox(api, "qian", "view=today")) == ["今天到期"]
    assert titles(inbox(api, "qian", "due=week")) == ["今天到期", "本周到期"]  # Mon 23 – Sun 29 Nov; late: Sun 22
    assert titles(inbox(api, "qian", "q=食堂")) == ["逾期的审查"]  # the case title
    assert titles(inbox(api, "qian", "q=下月")) == ["下月到期"]  # the task title
    assert titles(inbox(api, "qian", "q=100%25")) == []  # LIKE wildcards are literal
    assert titles(inbox(api, "admin", "group=dept:hr")) == ["人事处办理"]
    assert titles(inbox(api, "qian", "group=dept:hr")) == []  # not her group: nothing leaks
    assert titles(inbox(api, "qian", "process=other")) == []
    assert titles(inbox(api, "zhao", "scope=mine")) == ["赵的任务"]
    bad = api.get("/api/v1/inbox?due=someday", "qian")
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "due"


def test_counts_per_tab(api: Any, mixed: dict) -> None:
    assert inbox(api, "zhao")["counts"] == {"all": 6, "mine": 1, "group": 5, "overdue": 1, "today": 1}
    assert inbox(api, "chen")["counts"] == {"all": 1, "mine": 0, "group": 1, "overdue": 0, "today": 0}
    assert inbox(api, "liu")["counts"] == {"all": 0, "mine": 0, "group": 0, "overdue": 0, "today": 0}


def test_saved_filter_shared_with_a_group(api: Any, mixed: dict) -> None:
    res = api.post("/api/v1/inbox/filters", "zhao", json={
        "name": "委员会逾期", "params": {"overdue": True, "sort": "created", "q": "审查"}, "shared_group": "committee"})
    assert res.status_code == 201, res.get_json()
    saved = res.get_json()
    assert saved["params"] == {"overdue": True, "sort": "created", "q": "审查"}
    seen = api.get("/api/v1/inbox/filters", "qian").get_json()  # a colleague in the committee
    assert [(f["name"], f["owner"], f["mine"]) for f in seen] == [("委员会逾期", "zhao", False)]
    assert api.get("/api/v1/inbox/filters", "chen").get_json() == []  # not in the group
    assert api.get("/api/v1/inbox/filters", "wang").get_json() == []  # zhao's other group: not shared there
    # only the owner deletes it; others get 403 / the outsider cannot even see it
    assert api.call("DELETE", f"/api/v1/inbox/filters/{saved['id']}", "qian").status_code == 403
    assert api.call("DELETE", f"/api/v1/inbox/filters/{saved['id']}", "chen").status_code == 403
    assert api.call("DELETE", f"/api/v1/inbox/filters/{saved['id']}", "zhao").status_code == 204
    assert api.get("/api/v1/inbox/filters", "qian").get_json() == []


def test_saved_filter_bad_input_changes_nothing(api: Any, mixed: dict) -> None:
    cases = [({"name": "", "params": {}}, "name"), ({"name": "x", "params": {"colour": "red"}}, "params.colour"),
             ({"name": "x", "params": {"sort": "random"}}, "params.sort"),
             ({"name": "x", "params": {}, "shared_group": "dept:hr"}, "shared_group"),
             ({"name": "x", "params": []}, "params")]
    for body, field in cases:
        res = api.post("/api/v1/inbox/filters", "zhao", json=body)
        assert res.status_code == 422, body
        assert res.get_json()["error"]["details"][0]["field"] == field
    assert api.get("/api/v1/inbox/filters", "zhao").get_json() == []
    # saving the same name again replaces the filter
    api.post("/api/v1/inbox/filters", "zhao", json={"name": "mine", "params": {"scope": "mine"}})
    api.post("/api/v1/inbox/filters", "zhao", json={"name": "mine", "params": {"scope": "group"}})
    assert [f["params"] for f in api.get("/api/v1/inbox/filters", "zhao").get_json()] == [{"scope": "group"}]


def test_bulk_claim_reports_each_task(api: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    ids = review_tasks(rt, people, 3)
    assert api.post(f"/api/v1/tasks/{ids[1]}/claim", "qian").status_code == 200
    res = api.post("/api/v1/inbox/bulk", "zhao", json={"action": "claim", "tasks": ids + ["no-such-task"]})
    assert res.status_code == 200
    body = res.get_json()
    assert body["ok"] == 2 and body["failed"] == 2
    outcome = {r["id"]: (r["ok"], r.get("code")) for r in body["results"]}
    assert outcome == {ids[0]: (True, None), ids[1]: (False, outcome[ids[1]][1]), ids[2]: (True, None),
                       "no-such-task": (False, "not_found")}
    assert outcome[ids[1]][1] in ("conflict", "forbidden")  # the engine refuses another's claim (API.md: 409)
    mine = inbox(api, "zhao", "scope=mine")
    assert sorted(t["id"] for t in mine["items"]) == sorted([ids[0], ids[2]])
    # release in bulk: qian's task is not zhao's to release
    res = api.post("/api/v1/inbox/bulk", "zhao", json={"action": "release", "tasks": ids}).get_json()
    assert [r["ok"] for r in res["results"]] == [True, False, True]
    assert res["results"][1]["code"] == "forbidden"
    assert inbox(api, "zhao", "scope=mine")["total"] == 0


def test_bulk_reassign_is_for_supervisors(api: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    ids = review_tasks(rt, people, 2)
    api.post(f"/api/v1/tasks/{ids[0]}/claim", "zhao")
    refused = api.post("/api/v1/inbox/bulk", "zhao", json={"action": "reassign", "tasks": ids, "user": "qian"})
    assert refused.status_code == 403
    res = api.post("/api/v1/inbox/bulk", "sun", json={"action": "reassign", "tasks": ids, "user": "qian"})
    assert [r["ok"] for r in res.get_json()["results"]] == [True, True]
    assert sorted(t["id"] for t in inbox(api, "qian", "scope=mine")["items"]) == sorted(ids)
    wrong = api.post("/api/v1/inbox/bulk", "sun", json={"action": "reassign", "tasks": ids, "user": "chen"})
    assert [r["code"] for r in wrong.get_json()["results"]] == ["invalid", "invalid"]  # chen is not on the committee
    assert api.post("/api/v1/inbox/bulk", "sun", json={"action": "reassign", "tasks": ids}).status_code == 422
    assert api.post("/api/v1/inbox/bulk", "sun", json={"action": "explode", "tasks": ids}).status_code == 422
    assert api.post("/api/v1/inbox/bulk", "sun", json={"action": "claim", "tasks": []}).status_code == 422


def test_delegate_picker_offers_only_allowed_users(api: Any, rt: Runtime, people: dict,
                                                   review_process: Any) -> None:
    (task_id,) = review_tasks(rt, people, 1)
    choices = api.get(f"/api/v1/tasks/{task_id}/candidates", "zhao").get_json()
    assert [c["username"] for c in choices] == ["qian", "zhao"]  # the committee's members
    assert api.get(f"/api/v1/tasks/{task_id}/candidates", "chen").status_code == 403
    assert api.post(f"/api/v1/tasks/{task_id}/delegate", "zhao", json={"user": "chen"}).status_code == 422
    assert api.post(f"/api/v1/tasks/{task_id}/delegate", "zhao", json={"user": "qian"}).status_code == 200
    assert [c["username"] for c in api.get(f"/api/v1/tasks/{task_id}/candidates", "qian").get_json()] == ["zhao"]
