"""A task that is no longer open is a conflict (409) for everyone who could have acted on it, whoever won:
fifty group members completing one task at once through the API get exactly one 200 and forty-nine 409s."""

from __future__ import annotations

import threading
from typing import Any

from engine.instances import start_case
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.users import create_user, find_user, issue_token

REGISTER = {"title": "关于增设校车班次的建议", "category": "campus", "cause": "高峰期校车拥挤",
            "proposal": "建议早晚高峰各增开两班校车。"}
DECISION = {"decision": "accept", "lead_department": "hr", "review_opinion": "同意立案"}


def _review_task(api: Any, rt: Runtime, people: dict) -> str:
    case = start_case(rt, people["wang"], "proposal_review", {})
    register = [t for t in case_open_tasks(api, case.id) if t["name"] == "register_proposal"][0]
    complete_task(rt, people["wang"], register["id"], REGISTER)
    return [t for t in case_open_tasks(api, case.id) if t["name"] == "committee_review"][0]["id"]


def case_open_tasks(api: Any, case_id: int) -> list[dict]:
    return api.get(f"/api/v1/cases/{case_id}").get_json()["open_tasks"]


def _committee_tokens(rt: Runtime, count: int) -> list[str]:
    """``count`` new members of the committee, each with a bearer token."""
    tokens = []
    with rt.transaction() as session:
        for i in range(count):
            create_user(session, f"member{i:02d}", "pw-member", f"委员{i}", ["committee"])
        for i in range(count):
            tokens.append(issue_token(session, find_user(session, f"member{i:02d}"))[0])
    return tokens


def test_fifty_members_complete_one_task_at_once(api: Any, app: Any, rt: Runtime, people: dict,
                                                 review_process: Any) -> None:
    task_id = _review_task(api, rt, people)
    tokens = _committee_tokens(rt, 50)
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    bodies: list[Any] = []
    lock = threading.Lock()

    def member(token: str) -> None:
        client = app.test_client()
        barrier.wait()
        res = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": DECISION},
                          headers={"Authorization": f"Bearer {token}"})
        with lock:
            statuses.append(res.status_code)
            bodies.append(res.get_json())

    threads = [threading.Thread(target=member, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 49, sorted(statuses)
    assert all(b["error"]["code"] == "conflict" for b in bodies if "error" in b)

    task = api.get(f"/api/v1/tasks/{task_id}").get_json()
    assert task["state"] == "completed" and task["assignee"].startswith("member")
    history = api.get(f"/api/v1/cases/{task['case_id']}").get_json()["history"]
    assert [e["kind"] for e in history].count("task_completed") == 2  # registration and the one winner


def test_closed_task_is_a_conflict_for_candidates_and_forbidden_for_strangers(api: Any, rt: Runtime, people: dict,
                                                                               review_process: Any) -> None:
    task_id = _review_task(api, rt, people)
    assert api.post(f"/api/v1/tasks/{task_id}/complete", "zhao", json={"data": DECISION}).status_code == 200
    for user in ("qian", "zhao", "sun", "admin"):  # another member, the winner, a supervisor, an admin
        for action in ("complete", "claim", "release"):
            res = api.post(f"/api/v1/tasks/{task_id}/{action}", user, json={"data": DECISION})
            assert res.status_code == 409, (user, action, res.get_json())
            assert res.get_json()["error"]["code"] == "conflict"
    res = api.post(f"/api/v1/tasks/{task_id}/complete", "liu", json={"data": DECISION})  # never a candidate
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden"
