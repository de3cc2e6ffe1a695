"""Re-handling after 不满意: its own deadline from the day of re-handling (the congress's setting), and the reply
lock never strands it. Driven as the right users through engine commands and the task API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from test_proposals_helpers import REPLY, congress, do, open_task, open_tasks, submit, to_reply

from engine.clock import clock, utcnow
from engine.congress.models import Congress
from engine.errors import Conflict
from engine.runtime import Runtime
from engine.workdays import due_after

__all__ = ["congress"]


def _settings(rt: Runtime, congress: dict[str, Any], **settings: Any) -> None:
    with rt.transaction() as session:
        session.get(Congress, congress["ids"]["school"]).settings = settings


def _reply_task(api: Any, rt: Runtime, case_id: int) -> dict[str, Any]:
    api.tokens.clear()  # the test moves the clock past a token's life
    res = api.get(f"/api/v1/tasks/{open_task(rt, case_id, 'draft_reply')}", "chen")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def _unsatisfied(rt: Runtime, a: dict[str, Any], case_id: int) -> datetime:
    """Reply, sign off and rate 不满意 now; returns when the re-handling started."""
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "仍未解决。"})
    assert open_tasks(rt, case_id) == ["draft_reply"]
    return utcnow()


@pytest.mark.parametrize("setting,period", [(None, "P2M"), ("P1M", "P1M")])
def test_rehandle_deadline_runs_from_rehandling_date(rt: Runtime, congress: dict[str, Any], api: Any,
                                                     setting: str | None, period: str) -> None:
    a = congress["actors"]
    if setting:
        _settings(rt, congress, rehandle_due=setting)
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    first_due = datetime.fromisoformat(_reply_task(api, rt, case_id)["due_at"])
    clock.advance(timedelta(days=75))  # the first reply is late (no lock): its deadline is long past
    started = _unsatisfied(rt, a, case_id)
    task = _reply_task(api, rt, case_id)
    due = datetime.fromisoformat(task["due_at"])
    assert due > first_due and task["overdue"] is False
    assert due == due_after(started, period)  # from the day of re-handling, by the congress's setting
    api.tokens.clear()
    listed = api.get("/api/v1/tasks?scope=all", "chen").get_json()["items"]
    assert [t["overdue"] for t in listed if t["name"] == "draft_reply"] == [False]


def test_rehandle_due_setting_is_checked(api: Any, congress: dict[str, Any]) -> None:
    res = api.call("PATCH", "/api/v1/congresses/school", json={"settings": {"rehandle_due": "two months"}})
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "settings.rehandle_due"
    assert api.call("PATCH", "/api/v1/congresses/school", json={"settings": {"rehandle_due": "P20D"}}).status_code \
        == 200


def test_reply_lock_never_strands_rehandling(rt: Runtime, congress: dict[str, Any], api: Any) -> None:
    a = congress["actors"]
    _settings(rt, congress, reply_lock=True)
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", {"reply_action": "extend", "extension_reason": "需要调研。",
                                               "extension_days": 30})
    do(rt, a["zhao"], case_id, "approve_extension", {"extension_approved": True})
    extended = datetime.fromisoformat(_reply_task(api, rt, case_id)["due_at"])
    clock.advance(extended - utcnow() - timedelta(days=2))  # reply two days before the extended deadline
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    clock.advance(timedelta(days=5))  # the rating comes after the first deadline has passed
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "仍未解决。"})
    assert utcnow() > extended and open_tasks(rt, case_id) == ["draft_reply"]

    # the re-handling is not overdue at once, and it has an extension of its own
    assert _reply_task(api, rt, case_id)["overdue"] is False
    task_id = open_task(rt, case_id, "draft_reply")
    api.tokens.clear()
    res = api.post(f"/api/v1/tasks/{task_id}/complete", "chen", json={"data": {
        "reply_action": "extend", "extension_reason": "需再次调研。", "extension_days": 20}})
    assert res.status_code == 200, res.get_json()
    do(rt, a["zhao"], case_id, "approve_extension", {"extension_approved": False,
                                                      "extension_note": "理由不足。"})

    # even past the re-handling's deadline, with its extension used and refused, the reply goes through
    clock.advance(timedelta(days=90))
    task = _reply_task(api, rt, case_id)
    assert task["overdue"] is True
    with pytest.raises(Conflict):  # the one extension of this handling is used
        do(rt, a["chen"], case_id, "draft_reply", {"reply_action": "extend", "extension_reason": "再延。",
                                                   "extension_days": 5})
    api.tokens.clear()
    res = api.post(f"/api/v1/tasks/{task['id']}/complete", "chen", json={"data": REPLY})
    assert res.status_code == 200, res.get_json()
    assert open_tasks(rt, case_id) == ["sign_off"]


def test_reply_lock_still_refuses_a_late_first_reply(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _settings(rt, congress, reply_lock=True)
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    clock.advance(timedelta(days=70))
    with pytest.raises(Conflict) as late:
        do(rt, a["chen"], case_id, "draft_reply", REPLY)
    assert late.value.details[0]["code"] == "reply_locked"
