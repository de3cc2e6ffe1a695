"""Shared set-up of the mediation and appeal tests: both processes deployed, the committees' groups and
users, and helpers to drive cases as the right users."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ROOT, deploy_file

from engine.access import Actor
from engine.clock import clock
from engine.models import Case, Task
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.users import create_group, create_user

GROUPS = {"mediation": "劳动人事争议调解委员会", "mediation-head": "调解委员会主任", "dept-union": "分工会",
          "appeals": "申诉处理委员会", "appeals-head": "申诉处理委员会主任"}
USERS = {"xu": ["dept-union"], "ma": ["mediation"], "he": ["mediation"], "feng": ["mediation"],
         "gao": ["mediation", "mediation-head"], "yang": ["appeals"], "lin": ["appeals", "appeals-head"],
         "zhang": [], "wei": []}


def local_today() -> date:
    from engine.disputes.rules import today

    return today()


@pytest.fixture
def disputes(rt: Runtime, people: dict[str, Actor]) -> dict[str, Actor]:
    """Groups, users and both processes; returns every actor by name (the conftest people included)."""
    with rt.transaction() as session:
        for key, name in GROUPS.items():
            create_group(session, key, name)
        for name, groups in USERS.items():
            create_user(session, name, f"pw-{name}", name.title(), groups)
    deploy_file(rt, ROOT / "processes" / "mediation" / "mediation.bpmn")
    deploy_file(rt, ROOT / "processes" / "appeals" / "appeals.bpmn")
    return {**people, **{name: Actor(name, frozenset(groups)) for name, groups in USERS.items()}}


def open_task(rt: Runtime, case_id: int, name: str) -> str:
    with rt.reading() as session:
        task_id = session.scalar(sa.select(Task.id).where(Task.case_id == case_id, Task.name == name,
                                                          Task.state.in_(("open", "claimed"))))
    assert task_id is not None, f"no open task {name}; open: {open_names(rt, case_id)}"
    return task_id


def open_names(rt: Runtime, case_id: int) -> list[str]:
    with rt.reading() as session:
        return sorted(session.scalars(sa.select(Task.name).where(Task.case_id == case_id,
                                                                 Task.state.in_(("open", "claimed")))))


def task_row(rt: Runtime, task_id: str) -> Task:
    with rt.reading() as session:
        return session.get(Task, task_id)


def case_row(rt: Runtime, case_id: int) -> Case:
    with rt.reading() as session:
        return session.get(Case, case_id)


def do(rt: Runtime, actor: Actor, case_id: int, name: str, data: dict[str, Any]) -> Case:
    return complete_task(rt, actor, open_task(rt, case_id, name), data)


def mediation_application(**over: Any) -> dict[str, Any]:
    known = (local_today() - timedelta(days=10)).isoformat()
    body = {"application_mode": "written", "applicant_name": "张老师", "department": "物理学系", "respondent": "人事处",
            "matter": "pay", "title": "绩效工资发放争议", "claim": "补发2026年上半年绩效工资差额。",
            "facts": "学院按新办法核减了我的绩效工资，未事先告知。", "known_on": known}
    body.update(over)
    return body


def appeal_application(**over: Any) -> dict[str, Any]:
    body = {"title": "对记过处分申请复核", "filed_by": "self", "appellant_name": "王老师", "staff_category": "staff",
            "subject": "sanction", "sanction_type": "demerit",
            "sanction_date": (local_today() - timedelta(days=12)).isoformat(),
            "known_on": (local_today() - timedelta(days=10)).isoformat(), "sanction_unit": "hr",
            "decision_no": "人字〔2026〕12号", "reasons": "处分所依据的事实不清，未听取本人陈述申辩。",
            "materials": ["application", "decision_copy", "evidence", "id_copy"]}
    body.update(over)
    return body


ALL_PASS = {f"check_{c}": "pass" for c in ("procedure", "basis", "evidence", "characterisation", "proportionality")}


def checks(**failed: str) -> dict[str, Any]:
    out = dict(ALL_PASS)
    for key, note in failed.items():
        out[f"check_{key}"] = "fail"
        out[f"check_{key}_note"] = note
    return out


def accept_mediation(rt: Runtime, who: dict[str, Actor], case_id: int, mediators: str = "ma") -> Case:
    return do(rt, who["gao"], case_id, "accept_case", {
        "acceptance": "accept", "respondent_consent": True,
        "mediation_mode": "single" if "," not in mediators else "panel",
        "mediators": mediators, "acceptance_note": "属于受理范围，对方同意调解。"})


def advance_days(days: float) -> None:
    clock.advance(timedelta(days=days))
