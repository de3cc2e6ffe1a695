"""The bell: a new task notifies its candidates; users read and mark their own notifications only."""

from __future__ import annotations

from typing import Any

REGISTER = {"title": "关于改善停车条件的建议", "category": "campus", "cause": "车位紧张",
            "proposal": "建议在东区增设立体停车库。"}


def test_new_tasks_reach_candidates_and_can_be_marked_read(api: Any, review_process: Any) -> None:
    case = api.post("/api/v1/cases", "wang", json={"process": "proposal_review", "data": {}}).get_json()
    task_id = case["open_tasks"][0]["id"]
    assert api.get("/api/v1/notifications", "wang").get_json()["unread"] == 0  # nobody is told what they did
    assert api.get("/api/v1/notifications", "zhao").get_json()["unread"] == 0
    api.post(f"/api/v1/tasks/{task_id}/complete", "wang", json={"data": REGISTER})
    committee = {u: api.get("/api/v1/notifications", u).get_json()["unread"] for u in ("zhao", "qian", "chen")}
    assert committee == {"zhao": 1, "qian": 1, "chen": 0}
    note = api.get("/api/v1/notifications", "zhao").get_json()["items"][0]
    assert note["title"].startswith("待您办理「提案委员会审查」：") and note["link"].startswith("/tasks/")
    # marking someone else's notification does nothing
    zhao_id = api.get("/api/v1/notifications", "zhao").get_json()["items"][0]["id"]
    assert api.post("/api/v1/notifications/read", "qian", json={"ids": [zhao_id]}).get_json()["marked"] == 0
    assert api.post("/api/v1/notifications/read", "zhao", json={}).get_json()["marked"] == 1
    assert api.get("/api/v1/notifications?unread=1", "zhao").get_json()["items"] == []
    assert api.post("/api/v1/notifications/read", "zhao", json={"ids": "all"}).status_code == 422
