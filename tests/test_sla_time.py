"""Due dates on China's working-day calendar, clocks started from case data, pause/resume, extensions, lock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_sla_common import APPEAL, SLA, deploy_xml, events, local, open_tasks

from engine.clock import clock
from engine.definitions.bundle import Bundle
from engine.definitions.check import check_bundle
from engine.errors import Conflict, Forbidden, Invalid
from engine.instances import start_case
from engine.runtime import Runtime
from engine.sla.clocks import extend_task, pause_task, resume_task
from engine.tasks import complete_task
from engine.workdays import due_after, is_workday


def test_ten_working_days_across_national_day_land_on_the_right_date(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))  # Monday before the 2026 National Day holiday (Oct 1-7)
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)
    # 9-29, 9-30, 10-8, 10-9, 10-10 (swapped working Saturday), 10-12 ... 10-16
    assert task.due_at == local(2026, 10, 16, 23, 59, 59)
    assert not is_workday(date(2026, 10, 5)) and not is_workday(date(2026, 10, 1))


def test_a_swapped_working_saturday_counts(rt: Runtime) -> None:
    assert is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert due_after(local(2026, 10, 9, 15, 0), "P1D", "workdays") == local(2026, 10, 10, 23, 59, 59)
    assert due_after(local(2026, 10, 9, 15, 0), "P2D", "workdays") == local(2026, 10, 12, 23, 59, 59)
    assert due_after(local(2026, 10, 9, 15, 0), "P1D") == local(2026, 10, 10, 23, 59, 59)


def test_years_beyond_the_official_calendar_count_monday_to_friday() -> None:
    from engine import workdays

    assert is_workday(date(2188, 1, 5)) is (date(2188, 1, 5).weekday() < 5)
    saturday = next(date(2188, 1, d) for d in range(1, 8) if date(2188, 1, d).weekday() == 5)
    assert not is_workday(saturday)
    assert 2188 in workdays._warned_years  # warned once (logged), not per call


def test_the_clock_can_start_from_a_date_in_the_case_data(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, APPEAL, "appeal")
    clock.freeze(local(2026, 11, 20, 9, 0))
    case = start_case(rt, people["wang"], "appeal_filing", {"sanction": {"known_on": "2026-11-02"}})
    [task] = open_tasks(rt, case.id)
    assert task.due_at == local(2026, 12, 2, 23, 59, 59)  # 30 days from learning of the sanction, not from now
    late = start_case(rt, people["li"], "appeal_filing", {"sanction": {"known_on": "2026-09-01"}})
    [late_task] = open_tasks(rt, late.id)
    assert late_task.due_at == local(2026, 10, 1, 23, 59, 59)  # already past when the task is created
    from engine.sla.reminders import run_due

    assert run_due(rt) == 4  # next round: overdue, the latest reminder, both escalation levels (50 days late)
    assert [e.task_id for e in events(rt, "task_overdue")] == [late_task.id]


def test_checker_validates_due_from_and_sla_properties() -> None:
    bad = APPEAL.replace('name="dueFrom" value="sanction.known_on"', 'name="dueFrom" value="not a field!"')
    bad = bad.replace('name="dueIn" value="P30D"', 'name="extensionMax" value="one month"')
    messages = [p.message for p in check_bundle(Bundle(bpmn=bad.encode(), filename="a.bpmn"))]
    assert any("dueFrom 'not a field!' must name a case-data field" in m for m in messages)
    assert any("needs a dueIn duration" in m for m in messages)
    assert any("extensionMax 'one month' is not an ISO 8601 duration" in m for m in messages)
    settings = SLA.replace('name="remindBeforeDays" value="2"', 'name="remindBeforeDays" value="two"')
    problems = check_bundle(Bundle(bpmn=settings.encode(), filename="s.bpmn"))
    assert [p.element for p in problems if "remindBeforeDays" in p.message] == ["sla_demo"]
    assert check_bundle(Bundle(bpmn=SLA.encode(), filename="s.bpmn")) == []


def test_pause_and_resume_shift_the_due_date_by_the_paused_time(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)
    due = task.due_at
    clock.advance(timedelta(days=1))
    with pytest.raises(Invalid):
        pause_task(rt, people["zhao"], task.id, " ")
    with pytest.raises(Forbidden):
        pause_task(rt, people["chen"], task.id, "waiting")  # not a candidate, not a supervisor
    pause_task(rt, people["zhao"], task.id, "等待申请人补充材料")
    assert open_tasks(rt, case.id)[0].due_at is None  # a stopped clock is never overdue
    with pytest.raises(Conflict):
        pause_task(rt, people["zhao"], task.id, "again")
    clock.advance(timedelta(days=5, hours=3))
    resumed = resume_task(rt, people["zhao"], task.id)
    assert resumed.due_at == due + timedelta(days=5, hours=3)
    assert open_tasks(rt, case.id)[0].due_at == due + timedelta(days=5, hours=3)
    paused, back = events(rt, "task_paused"), events(rt, "task_resumed")
    assert paused[0].actor == "zhao" and paused[0].data["reason"] == "等待申请人补充材料"
    assert back[0].data["paused_seconds"] == (5 * 24 + 3) * 3600


def test_extension_within_its_cap_is_audited_and_beyond_it_refused(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)
    with pytest.raises(Forbidden):
        extend_task(rt, people["zhao"], task.id, "P2D", "busy")  # approvers: supervisors
    with pytest.raises(Invalid) as refused:
        extend_task(rt, people["sun"], task.id, "P6D", "需要更多时间")  # cap P5D working days
    assert refused.value.details[0]["field"] == "duration"
    with pytest.raises(Invalid) as no_reason:
        extend_task(rt, people["sun"], task.id, "P3D", "")
    assert no_reason.value.details[0]["field"] == "reason"
    with pytest.raises(Invalid):
        extend_task(rt, people["sun"], task.id, "three days", "x")
    assert open_tasks(rt, case.id)[0].due_at == local(2026, 10, 16, 23, 59, 59)  # nothing changed
    done = extend_task(rt, people["sun"], task.id, "P3D", "涉及多个部门会商")
    assert done.due_at == local(2026, 10, 21, 23, 59, 59)  # 10-19, 10-20, 10-21
    [ev] = events(rt, "task_extended")
    assert ev.actor == "sun" and ev.data["approved_by"] == "sun" and ev.data["reason"] == "涉及多个部门会商"
    assert ev.data["from"].startswith("2026-10-16") and ev.data["cap"] == "P5D"
    with pytest.raises(Invalid, match="1 time"):
        extend_task(rt, people["sun"], task.id, "P1D", "once more")  # one extension per rule by default


def test_lock_after_the_deadline_refuses_completion_until_extended(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)
    clock.freeze(local(2026, 10, 17, 9, 0))
    with pytest.raises(Conflict, match="locked"):
        complete_task(rt, people["zhao"], task.id, {})
    assert open_tasks(rt, case.id)[0].state == "open"
    extend_task(rt, people["sun"], task.id, "P2D", "补办")
    complete_task(rt, people["zhao"], task.id, {})
    assert [t.name for t in open_tasks(rt, case.id)] == ["rate"]
