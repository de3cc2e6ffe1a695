"""Shared set-up of the proposal tests: the proposals process deployed, two congresses with their
sessions and delegates, extra groups and users (leader, specialist, department congress), and helpers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ROOT, deploy_file

from engine.access import SYSTEM, Actor
from engine.clock import utcnow
from engine.congress import proposals as cp
from engine.congress.congresses import add_delegate, create_congress, create_session
from engine.congress.models import Proposal
from engine.models import Group, Task
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.users import create_group, create_user

EXTRA_GROUPS = ["leader", "specialist:welfare", "specialist:teaching", "committee:cs", "presidium:cs", "dept:academic"]
EXTRA_USERS = {"zheng": ["delegate"], "wu": ["delegate"], "feng": ["delegate"], "he": ["leader"],
               "lu": ["specialist:welfare"], "shi": ["specialist:teaching"], "ding": ["committee:cs"],
               "ma": ["delegate"], "niu": ["delegate"], "gao": ["delegate"]}
SCHOOL_DELEGATES = ["wang", "li", "zhao", "zheng", "wu", "feng"]
CS_DELEGATES = ["ma", "niu", "gao", "wang"]
BODY = {"title": "关于改善教职工午餐条件的建议", "category": "welfare", "cause": "食堂午餐排队时间长，菜品单一。",
        "analysis": "高峰时段就餐人数集中，窗口不足。",
        "suggestion": "建议增设教工专用窗口并延长供餐时间，增加菜品种类。",
        "argument": "经费可从后勤年度预算中调剂。"}


@pytest.fixture
def congress(rt: Runtime, people: dict[str, Actor]) -> dict[str, Any]:
    """Deployed process; school congress 'school' and department congress 'cs', each with an open session."""
    deploy_file(rt, ROOT / "processes" / "proposals" / "proposals.bpmn")
    now = utcnow()
    with rt.transaction() as session:
        existing = set(session.scalars(sa.select(Group.key)))  # the units' groups may exist already
        for key in EXTRA_GROUPS:
            if key not in existing:
                create_group(session, key, key)
        for name, groups in EXTRA_USERS.items():
            create_user(session, name, f"pw-{name}", name.title(), groups)
        school = create_congress(session, SYSTEM, "school", "第七届教职工代表大会")
        cs = create_congress(session, SYSTEM, "cs", "计算机学院二级教代会", level="department", department="cs",
                             committee_group="committee:cs", presidium_group="presidium:cs",
                             settings={"min_cosigners": 2, "archive": "members"})
        opens, cutoff = now - timedelta(days=1), now + timedelta(days=10)
        s1 = create_session(session, SYSTEM, school, "七届三次", 7, 3, opens, cutoff)
        s2 = create_session(session, SYSTEM, cs, "二届一次", 2, 1, opens, cutoff)
        for name in SCHOOL_DELEGATES:
            add_delegate(session, SYSTEM, school, name, "第一代表团")
        for name in CS_DELEGATES:
            add_delegate(session, SYSTEM, cs, name, "计算机学院")
        ids = {"school": school.id, "cs": cs.id, "school_session": s1.id, "cs_session": s2.id}
    actors = dict(people)
    actors.update({n: Actor(n, frozenset(g)) for n, g in EXTRA_USERS.items()})
    return {"ids": ids, "actors": actors}


def open_task(rt: Runtime, case_id: int, name: str) -> str:
    with rt.reading() as session:
        found = session.scalars(sa.select(Task.id).where(Task.case_id == case_id, Task.name == name,
                                                         Task.state.in_(("open", "claimed")))).all()
    assert found, f"no open task {name} on case {case_id}"
    return found[0]


def open_tasks(rt: Runtime, case_id: int) -> list[str]:
    with rt.reading() as session:
        return sorted(session.scalars(sa.select(Task.name).where(Task.case_id == case_id,
                                                                 Task.state.in_(("open", "claimed")))))


def row(rt: Runtime, proposal_id: int) -> Proposal:
    with rt.reading() as session:
        found = session.get(Proposal, proposal_id)
        session.expunge(found)
        return found


def submit(rt: Runtime, a: dict[str, Actor], proposer: str = "wang", congress: str = "school",
           signers: tuple[str, ...] = ("li", "zheng", "wu"), **changes: Any) -> tuple[int, int]:
    """Draft, publish and co-sign; returns (proposal id, case id)."""
    draft = cp.save_draft(rt, a[proposer], congress, {**BODY, **changes})
    case = cp.publish(rt, a[proposer], draft.id)
    for name in signers:
        cp.cosign(rt, a[name], draft.id)
    return draft.id, case.id


def do(rt: Runtime, actor: Actor, case_id: int, name: str, data: dict[str, Any]) -> Any:
    return complete_task(rt, actor, open_task(rt, case_id, name), data)


def to_review(rt: Runtime, a: dict[str, Actor], case_id: int, committee: str = "zhao") -> None:
    do(rt, a[committee], case_id, "collect_cosignatures", {})


def to_reply(rt: Runtime, a: dict[str, Actor], case_id: int, lead: str = "hr", co: list[str] | None = None) -> None:
    """From review to the lead department's reply task."""
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    do(rt, a["qian"], case_id, "assign", {"lead_department": lead, "co_departments": co or []})
    do(rt, a["chen" if lead == "hr" else "liu"], case_id, "confirm_assignment", {"assignment": "accept"})


REPLY = {"reply_action": "reply", "reply_type": "adopted", "reply": "已在二食堂增设教工专用窗口，供餐时间延长半小时。",
         "measures": "增设窗口两个；延长供餐。", "completion_date": "2027-03-01"}
