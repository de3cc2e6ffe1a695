"""Rules that span cases: drafts, co-signatures, the cutoff, department-congress scoping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_proposals_helpers import BODY, congress, do, open_tasks, row, submit

from engine.clock import clock
from engine.congress import proposals as cp
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.instances import start_case
from engine.runtime import Runtime
from engine.scheduler import wake_due

__all__ = ["congress"]


def test_draft_is_private_and_checked(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    with pytest.raises(Invalid) as bad:
        cp.save_draft(rt, a["wang"], "school", {**BODY, "title": "短", "category": "nonsense"})
    assert {d["field"] for d in bad.value.details} == {"title", "category"}
    with pytest.raises(Forbidden):
        cp.save_draft(rt, a["chen"], "school", BODY)  # not a delegate
    draft = cp.save_draft(rt, a["wang"], "school", BODY)
    with rt.reading() as session:
        with pytest.raises(NotFound):
            cp.visible_proposal(session, a["li"], draft.id)
        assert cp.visible_proposal(session, a["wang"], draft.id).status == "draft"
    with pytest.raises(NotFound):
        cp.publish(rt, a["li"], draft.id)


def test_cases_start_only_by_publishing(rt: Runtime, congress: dict[str, Any], api: Any) -> None:
    a = congress["actors"]
    res = api.post("/api/v1/cases", "wang", json={"process": "proposals", "data": {"title": "直接发起的提案"}})
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "data.proposal_id"
    draft = cp.save_draft(rt, a["wang"], "school", BODY)
    forged = cp.start_data(draft, *_congress_and_session(rt, draft))
    forged["min_cosigners"] = 0
    with pytest.raises(Invalid):
        start_case(rt, a["wang"], "proposals", forged)
    assert row(rt, draft.id).status == "draft"


def _congress_and_session(rt: Runtime, draft: Any) -> tuple[Any, Any]:
    from engine.congress.models import Congress, CongressSession

    with rt.reading() as session:
        c, s = session.get(Congress, draft.congress_id), session.get(CongressSession, draft.session_id)
        session.expunge_all()
        return c, s


def test_cosigning_rules(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a, signers=())
    with pytest.raises(Forbidden):
        cp.cosign(rt, a["wang"], pid)  # the proposer cannot co-sign their own
    with pytest.raises(Forbidden):
        cp.cosign(rt, a["ma"], pid)  # a delegate of another congress
    assert cp.cosign(rt, a["li"], pid) == 1
    assert cp.cosign(rt, a["li"], pid) == 1  # signing twice counts once
    assert cp.cosign(rt, a["zheng"], pid) == 2
    assert cp.withdraw_signature(rt, a["zheng"], pid) == 1
    with pytest.raises(Conflict):
        cp.withdraw_signature(rt, a["zheng"], pid)
    with pytest.raises(Conflict):  # too few so far, and the cutoff is ahead
        do(rt, a["zhao"], case_id, "collect_cosignatures", {})
    from engine.notifications import list_for

    with rt.reading() as session:
        assert [n.kind for n in list_for(session, "li")] == ["proposal_cosign"]


def test_too_few_cosigners_at_cutoff_becomes_an_opinion(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a, signers=("li", "zheng"))
    enough, enough_case = submit(rt, a, proposer="feng", signers=("li", "zheng", "wu"))
    assert wake_due(rt) == 0
    clock.advance(timedelta(days=11))
    with pytest.raises(Conflict):
        cp.cosign(rt, a["wu"], pid)  # co-signing has closed
    assert wake_due(rt) == 2  # the cutoff timers of both cases fire
    opinion = row(rt, pid)
    assert (opinion.outcome, opinion.status) == ("converted", "assigning")
    assert open_tasks(rt, case_id) == ["assign"]  # still routed to a department for a written answer
    assert row(rt, enough).status == "review"


def test_department_congress_is_invisible_to_the_school_committee(rt: Runtime, congress: dict[str, Any],
                                                                  api: Any) -> None:
    a = congress["actors"]
    pid, case_id = submit(rt, a, proposer="ma", congress="cs", signers=("niu", "gao"))
    with pytest.raises(Forbidden):
        do(rt, a["zhao"], case_id, "collect_cosignatures", {})
    assert api.get(f"/api/v1/cases/{case_id}", "zhao").status_code in (403, 404)
    tasks = api.get("/api/v1/tasks?scope=all", "zhao").get_json()
    assert all(t["case_id"] != case_id for t in tasks.get("items", tasks if isinstance(tasks, list) else []))
    with rt.reading() as session:
        with pytest.raises(NotFound):
            cp.visible_proposal(session, a["zhao"], pid)
        with pytest.raises(NotFound):
            cp.visible_proposal(session, a["qian"], pid)
    do(rt, a["ding"], case_id, "collect_cosignatures", {})  # its own committee (2 co-signers suffice there)
    assert row(rt, pid).status == "review"
    with rt.reading() as session:
        assert cp.visible_proposal(session, a["ding"], pid).id == pid
