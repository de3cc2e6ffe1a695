"""The HTTP API walks a proposal from start to end, and refuses bad calls with the documented errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.clock import clock
from engine.users import TOKEN_LIFETIME

REGISTER = {"title": "关于延长图书馆开放时间的建议", "category": "campus", "cause": "闭馆过早",
            "proposal": "建议工作日开放至22点，考试周延长至24点。"}


def open_task(api: Any, user: str, name: str) -> dict:
    items = api.get("/api/v1/tasks?scope=all", user).get_json()["items"]
    found = [t for t in items if t["name"] == name]
    assert found, f"{user} has no open task {name}: {[t['name'] for t in items]}"
    return found[0]


def test_token_errors(api: Any) -> None:
    assert api.client.post("/api/v1/tokens", json={"username": "wang", "password": "nope"}).status_code == 401
    res = api.client.get("/api/v1/tasks")
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "unauthenticated"
    bad = api.client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_proposal_walks_from_start_to_end(api: Any, review_process: Any) -> None:
    res = api.post("/api/v1/cases", "wang", json={"process": "proposal_review", "data": {"title": REGISTER["title"]}})
    assert res.status_code == 201, res.get_json()
    case = res.get_json()
    assert case["business_key"].startswith("提案 ")
    assert case["status"] == "running" and case["version"] == 1
    assert [t["name"] for t in case["open_tasks"]] == ["register_proposal"]

    task = open_task(api, "wang", "register_proposal")
    detail = api.get(f"/api/v1/tasks/{task['id']}", "wang").get_json()
    assert detail["schema"]["properties"]["title"]["title"] == "提案标题"
    assert detail["data"]["title"] == REGISTER["title"]
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", "wang", json={"data": REGISTER}).status_code == 200

    review = open_task(api, "zhao", "committee_review")
    assert review["candidate_groups"] == ["committee"] and review["assignee"] is None
    assert review["due_at"] is not None
    done = api.post(f"/api/v1/tasks/{review['id']}/complete", "zhao", json={"data": {
        "decision": "accept", "lead_department": "hr", "review_opinion": "同意立案"}})
    assert done.status_code == 200
    assert [t["name"] for t in done.get_json()["case"]["open_tasks"]] == ["dept_handle"]

    reply = open_task(api, "chen", "dept_handle")
    assert reply["candidate_groups"] == ["dept:hr"]
    assert api.post(f"/api/v1/tasks/{reply['id']}/complete", "chen", json={"data": {
        "reply_type": "adopted", "reply": "已采纳，下学期起延长开放时间。"}}).status_code == 200

    rate = open_task(api, "wang", "rate_reply")
    res = api.post(f"/api/v1/tasks/{rate['id']}/complete", "wang", json={"data": {"rating": "satisfied"}})
    final = res.get_json()["case"]
    assert final["status"] == "completed" and final["open_tasks"] == []
    assert final["data"]["closed"] is True and final["data"]["satisfaction"] == "satisfied"

    history = api.get(f"/api/v1/cases/{case['id']}", "wang").get_json()["history"]
    kinds = [e["kind"] for e in history]
    assert kinds[0] == "case_started" and kinds.count("task_completed") == 4
    assert history[1]["actor"] == "wang" and history[1]["data"]["data"]["category"] == "campus"


def test_not_accepted_branch_ends_the_case(api: Any, review_process: Any) -> None:
    case = api.post("/api/v1/cases", "li", json={"process": "proposal_review", "data": {}}).get_json()
    task = open_task(api, "li", "register_proposal")
    api.post(f"/api/v1/tasks/{task['id']}/complete", "li", json={"data": REGISTER})
    review = open_task(api, "zhao", "committee_review")
    api.post(f"/api/v1/tasks/{review['id']}/complete", "zhao",
             json={"data": {"decision": "reject", "review_opinion": "属于个人事务，不予立案"}})
    assert api.get(f"/api/v1/cases/{case['id']}", "li").get_json()["status"] == "completed"


def test_invalid_form_data_lists_fields_and_changes_nothing(api: Any, review_process: Any) -> None:
    case = api.post("/api/v1/cases", "wang", json={"process": "proposal_review", "data": {}}).get_json()
    task = open_task(api, "wang", "register_proposal")
    res = api.post(f"/api/v1/tasks/{task['id']}/complete", "wang",
                   json={"data": {"title": "短", "category": "nonsense"}})
    assert res.status_code == 422
    body = res.get_json()["error"]
    assert body["code"] == "invalid"
    fields = {d["field"] for d in body["details"]}
    assert {"title", "category", "cause", "proposal"} <= fields
    after = api.get(f"/api/v1/cases/{case['id']}", "wang").get_json()
    assert after["revision"] == case["revision"]
    assert [t["name"] for t in after["open_tasks"]] == ["register_proposal"]
    assert [e["kind"] for e in after["history"]] == ["case_started"]


def test_group_checks_hide_and_forbid(api: Any, review_process: Any) -> None:
    case = api.post("/api/v1/cases", "wang", json={"process": "proposal_review", "data": {}}).get_json()
    task = open_task(api, "wang", "register_proposal")
    api.post(f"/api/v1/tasks/{task['id']}/complete", "wang", json={"data": REGISTER})
    review = open_task(api, "zhao", "committee_review")
    # a department user neither sees the committee's task nor may act on it
    assert review["id"] not in [t["id"] for t in api.get("/api/v1/tasks", "chen").get_json()["items"]]
    assert api.post(f"/api/v1/tasks/{review['id']}/complete", "chen", json={"data": {}}).status_code == 403
    assert api.post(f"/api/v1/tasks/{review['id']}/claim", "chen").status_code == 403
    assert api.get(f"/api/v1/tasks/{review['id']}", "chen").status_code == 403
    assert api.get(f"/api/v1/cases/{case['id']}", "chen").status_code == 403
    assert case["id"] not in [c["id"] for c in api.get("/api/v1/cases", "chen").get_json()["items"]]
    # a non-delegate may not start a proposal
    res = api.post("/api/v1/cases", "chen", json={"process": "proposal_review"})
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden"


def test_claim_release_delegate_and_conflicts(api: Any, review_process: Any) -> None:
    api.post("/api/v1/cases", "wang", json={"process": "proposal_review", "data": {}})
    task = open_task(api, "wang", "register_proposal")
    api.post(f"/api/v1/tasks/{task['id']}/complete", "wang", json={"data": REGISTER})
    review = open_task(api, "zhao", "committee_review")
    tid = review["id"]
    assert api.post(f"/api/v1/tasks/{tid}/claim", "zhao").get_json()["assignee"] == "zhao"
    res = api.post(f"/api/v1/tasks/{tid}/claim", "qian")  # a fellow committee member
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "conflict"
    assert api.get("/api/v1/tasks?scope=mine", "zhao").get_json()["total"] == 1
    assert api.get("/api/v1/tasks?scope=group", "qian").get_json()["total"] == 0
    assert api.post(f"/api/v1/tasks/{tid}/release", "zhao").get_json()["assignee"] is None
    bad = api.post(f"/api/v1/tasks/{tid}/delegate", "zhao", json={"user": "chen"})
    assert bad.status_code == 422
    ok = api.post(f"/api/v1/tasks/{tid}/delegate", "zhao", json={"user": "qian"})
    assert ok.status_code == 200 and ok.get_json()["assignee"] == "qian"
    data = {"decision": "reject", "review_opinion": "不予立案"}
    assert api.post(f"/api/v1/tasks/{tid}/complete", "qian", json={"data": data}).status_code == 200
    again = api.post(f"/api/v1/tasks/{tid}/complete", "qian", json={"data": data})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_unknown_ids_are_404(api: Any, review_process: Any) -> None:
    assert api.get("/api/v1/cases/999999").status_code == 404
    assert api.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.post("/api/v1/cases", json={"process": "nope"}).status_code == 404
    assert api.get("/api/v1/processes/nope/versions").status_code == 404


def test_stale_revision_is_a_conflict(api: Any, review_process: Any) -> None:
    case = api.post("/api/v1/cases", "wang", json={"process": "proposal_review", "data": {}}).get_json()
    task = open_task(api, "wang", "register_proposal")
    res = api.post(f"/api/v1/tasks/{task['id']}/complete", "wang",
                   json={"data": REGISTER, "revision": case["revision"] + 5})
    assert res.status_code == 409


@pytest.mark.parametrize("path", ["/api/v1/groups", "/api/v1/groups/committee/members"])
def test_admin_only_people_endpoints(api: Any, path: str) -> None:
    assert api.get(path, "wang").status_code == 403
    assert api.get(path, "admin").status_code == 200


def test_users_and_groups(api: Any) -> None:
    assert api.post("/api/v1/groups", json={"key": "appeals", "name": "申诉委员会"}).status_code == 201
    res = api.post("/api/v1/users", json={"username": "he", "password": "secret1", "display_name": "何老师",
                                          "groups": ["appeals"]})
    assert res.status_code == 201
    assert api.post("/api/v1/users", json={"username": "he", "password": "secret1"}).status_code == 409
    members = api.get("/api/v1/groups/appeals/members").get_json()
    assert members == [{"username": "he", "display_name": "何老师"}]
    assert api.client.post("/api/v1/tokens", json={"username": "he", "password": "secret1"}).status_code == 201


def test_openapi_document(api: Any) -> None:
    doc = api.client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/cases", "/api/v1/tasks/{task_id}/complete", "/api/v1/processes"):
        assert path in doc["paths"]
    rules = {r.rule for r in api.client.application.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert len(rules) == len({p for p in doc["paths"]}), "every API route is documented"


def test_a_token_carries_its_holders_current_groups_until_it_expires_or_they_leave(api: Any) -> None:
    """The bearer check reads the holder's groups on every call: a change of groups applies at once, a
    deactivated holder's token and an expired token are refused."""
    assert api.get("/api/v1/sla/summary", "chen").status_code == 403  # chen is no supervisor
    res = api.call("PATCH", "/api/v1/users/chen", "admin", json={"groups": ["dept:hr", "supervisor"]})
    assert res.status_code == 200, res.get_json()
    assert api.get("/api/v1/sla/summary", "chen").status_code == 200  # the same token, the new group
    res = api.call("PATCH", "/api/v1/users/chen", "admin", json={"groups": []})
    assert res.status_code == 200, res.get_json()
    assert api.get("/api/v1/tasks", "chen").get_json()["items"] == []  # no group: nothing offered
    assert api.call("PATCH", "/api/v1/users/chen", "admin", json={"active": False}).status_code == 200
    gone = api.get("/api/v1/tasks", "chen")
    assert gone.status_code == 401 and gone.get_json()["error"]["code"] == "unauthenticated"
    assert api.get("/api/v1/tasks", "wang").status_code == 200
    clock.advance(TOKEN_LIFETIME + timedelta(minutes=1))
    late = api.get("/api/v1/tasks", "wang")
    assert late.status_code == 401 and late.get_json()["error"]["code"] == "unauthenticated"
