"""退回, 撤回, 催办, 抄送 and drafts through the HTTP API, on the proposals process: each route, the people who
may not (403), closed tasks and started follow-ups (409), bad input (422) and urging twice (429)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from test_disputes_helpers import disputes
from test_proposals_helpers import BODY, congress, do, open_task, open_tasks, submit, to_review

from engine.clock import utcnow
from engine.models import Draft
from engine.runtime import Runtime

__all__ = ["congress", "disputes"]


@pytest.fixture
def assigned(rt: Runtime, congress: dict[str, Any]) -> dict[str, Any]:
    """A proposal registered by zhao and assigned by qian to Human Resources (chen's 签收交办 is open)."""
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr", "assign_note": "请人事处牵头办理。"})
    return {"case": case_id, "confirm": open_task(rt, case_id, "confirm_assignment"), "actors": a}


def notes(api: Any, user: str) -> list[dict[str, Any]]:
    return api.get("/api/v1/notifications", user).get_json()["items"]


def test_task_carries_the_case_summary_opinions_and_return_targets(api: Any, assigned: dict[str, Any]) -> None:
    body = api.get(f"/api/v1/tasks/{assigned['confirm']}", "chen").get_json()
    summary = {s["label"]: s["value"] for s in body["summary"]}
    assert summary["提案标题"] == BODY["title"] and summary["案由"] == BODY["cause"]
    assert summary["提案人"] == "Wang" and summary["主办单位"] == "人事处"
    assert "proposal_id" not in str(body["summary"]) and "hr" not in summary.values()
    # nearest first; collecting co-signatures is not returnable
    assert [t["name"] for t in body["return_to"]] == ["assign", "committee_review"]
    trail = [(o["step"], [i["label"] for i in o["items"]]) for o in body["opinions"]]
    assert trail[0] == ("审查立案", ["审查结论", "审查意见"]) and trail[1][0] == "交办承办单位"
    english = api.get(f"/api/v1/tasks/{assigned['confirm']}?lang=en", "chen").get_json()
    assert {s["label"] for s in english["summary"]} >= {"Title", "Issue", "Proposer", "Lead department"}


def test_return_goes_back_to_whoever_did_the_step_with_the_reason(api: Any, rt: Runtime,
                                                                  assigned: dict[str, Any]) -> None:
    confirm = assigned["confirm"]
    reason = "本事项应由后勤保障处主办。"
    res = api.post(f"/api/v1/tasks/{confirm}/return", "chen", json={"to": "assign", "reason": reason})
    assert res.status_code == 200, res.get_json()
    case = res.get_json()["case"]
    [reopened] = case["open_tasks"]
    assert (reopened["name"], reopened["assignee"], reopened["state"]) == ("assign", "qian", "claimed")
    detail = api.get(f"/api/v1/tasks/{reopened['id']}", "qian").get_json()
    assert detail["returned"]["reason"] == "本事项应由后勤保障处主办。" and detail["returned"]["by"] == "Chen"
    assert detail["data"]["assign_note"] == "请人事处牵头办理。"  # the earlier answers come back
    assert api.get(f"/api/v1/tasks/{confirm}", "chen").get_json()["state"] == "cancelled"
    [note] = [n for n in notes(api, "qian") if n["kind"] == "task_returned"]
    assert note["title"].startswith("Chen 退回了 提案 ") and "本事项应由后勤保障处主办" in note["body"]
    history = api.get(f"/api/v1/cases/{assigned['case']}", "qian").get_json()["history"]
    assert [e["data"]["reason"] for e in history if e["kind"] == "task_returned"] == ["本事项应由后勤保障处主办。"]
    again = api.post(f"/api/v1/tasks/{confirm}/return", "chen", json={"to": "assign", "reason": "再退一次"})
    assert again.status_code == 409  # closed now


@pytest.mark.parametrize("body,field", [({"to": "assign"}, "reason"), ({"to": "assign", "reason": "  "}, "reason"),
                                        ({"to": "collect_cosignatures", "reason": "附议有误"}, "to"),
                                        ({"to": "nowhere", "reason": "理由"}, "to")])
def test_return_refuses_bad_input_and_changes_nothing(api: Any, rt: Runtime, assigned: dict[str, Any],
                                                      body: dict[str, str], field: str) -> None:
    res = api.post(f"/api/v1/tasks/{assigned['confirm']}/return", "chen", json=body)
    assert res.status_code == 422
    assert res.get_json()["error"]["details"][0]["field"] == field
    assert open_tasks(rt, assigned["case"]) == ["confirm_assignment"]


def test_return_by_someone_who_may_not_act_is_forbidden(api: Any, assigned: dict[str, Any]) -> None:
    for user in ("liu", "wang"):  # another department; the proposer
        res = api.post(f"/api/v1/tasks/{assigned['confirm']}/return", user, json={"to": "assign", "reason": "错了"})
        assert res.status_code == 403


def test_recall_while_untouched_then_refused_once_the_next_handler_started(api: Any, rt: Runtime,
                                                                           assigned: dict[str, Any]) -> None:
    case_id = assigned["case"]
    history = api.get(f"/api/v1/cases/{case_id}", "qian").get_json()["history"]
    assign_id = next(e["task_id"] for e in history if e["kind"] == "task_completed" and e["data"]["task"] == "assign")
    assert api.post(f"/api/v1/tasks/{assign_id}/recall", "zhao").status_code == 403  # not who completed it
    res = api.post(f"/api/v1/tasks/{assign_id}/recall", "qian")
    assert res.status_code == 200, res.get_json()
    [task] = res.get_json()["case"]["open_tasks"]
    assert (task["id"], task["assignee"], task["state"]) == (assign_id, "qian", "claimed")
    assert any(n["kind"] == "task_recalled" and n["title"].startswith("Qian 撤回了") for n in notes(api, "chen"))
    assert api.post(f"/api/v1/tasks/{assign_id}/recall", "qian").status_code == 409  # open again, not completed

    done = api.post(f"/api/v1/tasks/{assign_id}/complete", "qian", json={"data": {"lead_department": "logistics"}})
    assert done.status_code == 200
    confirm = open_task(rt, case_id, "confirm_assignment")
    assert api.post(f"/api/v1/tasks/{confirm}/claim", "liu").status_code == 200  # the next handler started
    res = api.post(f"/api/v1/tasks/{assign_id}/recall", "qian")
    assert res.status_code == 409 and "签收交办" in res.get_json()["error"]["message"]
    assert open_tasks(rt, case_id) == ["confirm_assignment"]


def test_a_draft_of_the_next_step_blocks_recall(api: Any, rt: Runtime, assigned: dict[str, Any]) -> None:
    history = api.get(f"/api/v1/cases/{assigned['case']}", "qian").get_json()["history"]
    assign_id = next(e["task_id"] for e in history if e["kind"] == "task_completed" and e["data"]["task"] == "assign")
    assert api.call("PUT", f"/api/v1/tasks/{assigned['confirm']}/draft", "chen",
                    json={"data": {"assignment": "accept"}}).status_code == 200
    assert api.post(f"/api/v1/tasks/{assign_id}/recall", "qian").status_code == 409


def test_urge_notifies_the_handlers_once_a_day(api: Any, rt: Runtime, assigned: dict[str, Any]) -> None:
    confirm = assigned["confirm"]
    res = api.post(f"/api/v1/tasks/{confirm}/urge", "sun", json={"message": "本周内请签收。"})
    assert res.status_code == 200 and res.get_json()["notified"] == ["chen"]
    [note] = [n for n in notes(api, "chen") if n["kind"] == "task_urged"]
    assert note["title"].startswith("Sun 催办 提案 ") and "本周内请签收" in note["body"]
    again = api.post(f"/api/v1/tasks/{confirm}/urge", "sun", json={})
    assert again.status_code == 429 and again.get_json()["error"]["code"] == "too_many_requests"
    assert api.post(f"/api/v1/tasks/{confirm}/urge", "wang", json={}).status_code == 200  # the proposer
    assert api.post(f"/api/v1/tasks/{confirm}/urge", "li", json={}).status_code == 403  # a co-signer
    assert api.post(f"/api/v1/tasks/{confirm}/urge", "sun", json={"message": 5}).status_code == 422
    do(rt, assigned["actors"]["chen"], assigned["case"], "confirm_assignment", {"assignment": "accept"})
    assert api.post(f"/api/v1/tasks/{confirm}/urge", "admin", json={}).status_code == 409


def test_cc_lets_the_people_named_read_the_case(api: Any, assigned: dict[str, Any]) -> None:
    case_id, confirm = assigned["case"], assigned["confirm"]
    assert api.get(f"/api/v1/cases/{case_id}", "liu").status_code == 403
    bad = api.post(f"/api/v1/tasks/{confirm}/cc", "chen", json={"users": ["liu", "nobody"]})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "users.1"
    assert api.post(f"/api/v1/tasks/{confirm}/cc", "chen", json={"users": []}).status_code == 422
    assert api.get(f"/api/v1/cases/{case_id}", "liu").status_code == 403  # nothing changed
    assert api.post(f"/api/v1/tasks/{confirm}/cc", "liu", json={"users": ["liu"]}).status_code == 403
    res = api.post(f"/api/v1/tasks/{confirm}/cc", "chen", json={"users": ["liu"], "message": "供参考"})
    assert res.status_code == 200 and res.get_json()["users"] == ["liu"]
    assert api.get(f"/api/v1/cases/{case_id}", "liu").status_code == 200
    assert any(n["kind"] == "case_copied" and n["title"].startswith("Chen 抄送了") for n in notes(api, "liu"))
    assert api.post(f"/api/v1/tasks/{confirm}/complete", "liu", json={"data": {"assignment": "accept"}}
                    ).status_code == 403  # reading is not acting


def test_draft_is_kept_unvalidated_and_completing_it_is_refused_with_the_fields(api: Any,
                                                                             assigned: dict[str, Any]) -> None:
    confirm = assigned["confirm"]
    res = api.call("PUT", f"/api/v1/tasks/{confirm}/draft", "chen", json={"data": {"assignment": "return"}})
    assert res.status_code == 200
    detail = api.get(f"/api/v1/tasks/{confirm}", "chen").get_json()
    assert detail["data"]["assignment"] == "return" and detail["draft_saved_at"]
    assert api.get(f"/api/v1/tasks/{confirm}", "qian").get_json()["draft_saved_at"] is None  # drafts are personal
    refused = api.post(f"/api/v1/tasks/{confirm}/complete", "chen", json={"data": detail["data"]})
    assert refused.status_code == 422
    assert [d["field"] for d in refused.get_json()["error"]["details"]] == ["return_reason"]
    assert api.call("PUT", f"/api/v1/tasks/{confirm}/draft", "liu", json={"data": {}}).status_code == 403
    assert api.call("PUT", f"/api/v1/tasks/{confirm}/draft", "chen", json={"data": [1]}).status_code == 422
    done = api.post(f"/api/v1/tasks/{confirm}/complete", "chen", json={"data": {"assignment": "accept"}})
    assert done.status_code == 200
    assert api.call("PUT", f"/api/v1/tasks/{confirm}/draft", "chen", json={"data": {}}).status_code == 409


def test_completing_a_task_drops_its_drafts_and_no_other(api: Any, rt: Runtime, assigned: dict[str, Any]) -> None:
    confirm = assigned["confirm"]
    assert api.call("PUT", f"/api/v1/tasks/{confirm}/draft", "chen",
                    json={"data": {"assignment": "accept"}}).status_code == 200
    with rt.transaction() as s:  # someone's draft of another form stays
        s.add(Draft(username="chen", target="start:elsewhere", data={}, saved_at=utcnow()))
    assert api.post(f"/api/v1/tasks/{confirm}/complete", "chen", json={"data": {"assignment": "accept"}}
                    ).status_code == 200
    with rt.reading() as s:
        assert list(s.scalars(sa.select(Draft.target))) == ["start:elsewhere"]


def test_personal_task_is_claimed_from_the_start(api: Any, rt: Runtime, assigned: dict[str, Any]) -> None:
    from test_proposals_helpers import REPLY

    a, case_id = assigned["actors"], assigned["case"]
    do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "accept"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    rate = api.get(f"/api/v1/tasks/{open_task(rt, case_id, 'proposer_rating')}", "wang").get_json()
    assert (rate["state"], rate["assignee"], rate["personal"], rate["may_claim"]) == ("claimed", "wang", True, False)
    assert rate["may_delegate"] is False and rate["return_to"] == []  # the rating is the proposer's alone
    assert {s["label"] for s in rate["summary"]} >= {"答复内容", "具体措施", "答复类型"}
    assert api.post(f"/api/v1/tasks/{rate['id']}/release", "wang").status_code == 409


def test_start_form_makes_no_case_until_a_valid_submission(api: Any, rt: Runtime, disputes: Any) -> None:
    from test_disputes_helpers import mediation_application

    form = api.get("/api/v1/processes/mediation/start-form", "zhang").get_json()
    assert form["schema"]["title"] == "劳动人事争议调解申请" and form["draft"] is None
    assert api.call("PUT", "/api/v1/processes/mediation/draft", "zhang",
                    json={"data": {"title": "绩效工资"}}).status_code == 200
    assert api.get("/api/v1/processes/mediation/start-form", "zhang").get_json()["draft"] == {"title": "绩效工资"}
    assert api.get("/api/v1/processes/mediation/start-form", "wei").get_json()["draft"] is None
    refused = api.post("/api/v1/cases", "zhang", json={"process": "mediation", "data": {"title": "绩效工资"}})
    assert refused.status_code == 422
    assert {"claim", "facts", "known_on"} <= {d["field"] for d in refused.get_json()["error"]["details"]}
    assert api.get("/api/v1/cases?process=mediation", "admin").get_json()["total"] == 0
    started = api.post("/api/v1/cases", "zhang", json={"process": "mediation", "data": mediation_application()})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    assert case["business_key"].endswith("-001")  # the refused start used up no number
    assert [t["name"] for t in case["open_tasks"]] != ["apply"]  # the application step is done
    assert api.get("/api/v1/processes/mediation/start-form", "zhang").get_json()["draft"] is None
    assert api.get("/api/v1/processes/nothing/start-form", "zhang").status_code == 404


def test_of_two_concurrent_returns_exactly_one_wins(rt: Runtime, assigned: dict[str, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from engine.approval.returns import return_task
    from engine.errors import Conflict

    chen, confirm = assigned["actors"]["chen"], assigned["confirm"]

    def attempt(reason: str) -> str:
        try:
            return_task(rt, chen, confirm, "assign", reason)
            return "won"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, ["第一次", "第二次"]))
    assert outcomes == ["conflict", "won"]
    assert open_tasks(rt, assigned["case"]) == ["assign"]
