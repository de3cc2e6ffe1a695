"""The scheduler: overdue marks, one reminder per rule, escalation, catch-up after downtime, two schedulers."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa
from test_sla_common import SLA, TIMER, deploy_xml, events, local, notes, open_tasks

from engine.clock import clock
from engine.instances import start_case
from engine.models import Event, Task
from engine.queries import list_tasks
from engine.runtime import Runtime
from engine.scheduler import catch_up, run_once, wake_due
from engine.sla.models import Reminder, TaskClock
from engine.sla.reminders import run_due


def _rules(rt: Runtime, task_id: str) -> list[tuple[str, bool]]:
    with rt.reading() as s:
        return [(r.rule, r.skipped) for r in s.scalars(sa.select(Reminder).where(Reminder.task_id == task_id)
                                                       .order_by(Reminder.id))]


def test_moving_past_due_marks_overdue_and_sends_one_reminder_per_rule(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)  # due 2026-10-16 23:59:59, committee (zhao, qian)
    assert run_due(rt) == 0
    clock.freeze(local(2026, 10, 14, 9, 30))  # two working days before
    assert run_due(rt) == 1 and run_due(rt) == 0
    clock.freeze(local(2026, 10, 16, 9, 30))  # the due day
    assert run_due(rt) == 1
    clock.freeze(local(2026, 10, 17, 0, 30))  # past due
    assert run_due(rt) == 1 and run_due(rt) == 0
    assert list_tasks_overdue(rt, people["zhao"]) == [task.id]
    clock.freeze(local(2026, 10, 17, 9, 30))
    assert run_due(rt) == 1 and run_due(rt) == 0
    assert _rules(rt, task.id) == [("before", False), ("due", False), ("overdue", False), ("after:1", False)]
    for user in ("zhao", "qian"):
        assert len(notes(rt, user, "sla_reminder")) == 3
        assert len(notes(rt, user, "sla_overdue")) == 1
    assert notes(rt, "wang", "sla_reminder") == []
    [overdue] = events(rt, "task_overdue")
    assert overdue.task_id == task.id and overdue.actor == "scheduler"
    clock.freeze(local(2026, 10, 19, 0, 30))  # two days overdue: the supervisors hear of it
    run_due(rt)
    [esc] = events(rt, "task_escalated")
    assert esc.data["level"] == 1 and esc.data["recipients"] == ["admin", "sun"]
    assert len(notes(rt, "sun", "sla_escalation")) == 1
    assert notes(rt, "zhao", "sla_escalation") == []


def list_tasks_overdue(rt: Runtime, actor: object) -> list[str]:
    with rt.reading() as s:
        return [t["id"] for t in list_tasks(s, actor, overdue=True)["items"]]


def test_completed_tasks_are_not_chased(rt: Runtime, people: dict) -> None:
    from engine.tasks import complete_task

    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)
    complete_task(rt, people["zhao"], task.id, {})
    clock.freeze(local(2026, 10, 20, 10, 0))
    run_due(rt)
    assert _rules(rt, task.id) == []
    with rt.reading() as s:
        assert s.get(TaskClock, task.id).next_action_at is None


def test_restart_after_three_days_fires_each_missed_timer_once_without_reminder_burst(
        rt: Runtime, database_url: str, people: dict, caplog: pytest.LogCaptureFixture) -> None:
    deploy_xml(rt, SLA, "sla")
    deploy_xml(rt, TIMER, "timer")
    clock.freeze(local(2026, 9, 28, 10, 0))
    case = start_case(rt, people["wang"], "sla_demo", {})
    [task] = open_tasks(rt, case.id)
    clock.freeze(local(2026, 10, 15, 8, 0))
    waiting = [start_case(rt, people["zhao"], "timer_wait", {}) for _ in range(3)]
    assert run_once(rt)["sla"] == 1  # "before" (10-14 09:00), then the scheduler goes down
    clock.freeze(local(2026, 10, 19, 10, 0))  # back after 3 days and more
    caplog.set_level("INFO")
    second = Runtime(database_url)
    try:
        first_round = catch_up(rt)
        assert catch_up(second) == {"timers": 0, "sla": 0, "digests": 0, "heartbeat": 1}
    finally:
        second.dispose()
    assert first_round["timers"] == 3
    assert "catch-up" in caplog.text
    for c in waiting:
        assert [t.name for t in open_tasks(rt, c.id)] == ["after"]
    with rt.reading() as s:
        fired = s.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.kind == "timers_fired"))
    assert fired == 3
    assert _rules(rt, task.id) == [("before", False), ("due", True), ("overdue", False), ("after:1", True),
                                   ("after:2", True), ("escalate:1", False), ("after:3", False)]
    assert len(notes(rt, "zhao", "sla_reminder")) == 2  # "before" and, after the downtime, only the latest
    assert len(notes(rt, "sun", "sla_escalation")) == 1
    assert run_once(rt) == {"timers": 0, "sla": 0, "digests": 0, "heartbeat": 1}


@pytest.mark.skipif(not os.environ.get("DOCKET_TEST_DATABASE_URL"), reason="needs PostgreSQL (SKIP LOCKED)")
def test_two_schedulers_on_postgresql_fire_each_of_1000_timers_once(rt: Runtime, database_url: str,
                                                                     people: dict) -> None:
    deploy_xml(rt, TIMER, "timer")
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    cases = [start_case(rt, people["zhao"], "timer_wait", {}).id for _ in range(1000)]
    slas = [start_case(rt, people["wang"], "sla_demo", {}).id for _ in range(100)]
    clock.freeze(local(2026, 10, 17, 10, 0))
    runtimes = [Runtime(database_url), Runtime(database_url)]
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(2)

    def scheduler(r: Runtime) -> None:
        barrier.wait()
        results.append({"timers": wake_due(r, batch=50), "sla": run_due(r, batch=20)})

    threads = [threading.Thread(target=scheduler, args=(r,)) for r in runtimes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in runtimes:
        r.dispose()
    assert sum(r["timers"] for r in results) == 1000
    assert all(r["timers"] > 0 for r in results)  # both took part
    with rt.reading() as s:
        per_case = dict(s.execute(sa.select(Event.case_id, sa.func.count()).where(Event.kind == "timers_fired")
                                  .group_by(Event.case_id)).all())
        assert set(per_case) == set(cases) and set(per_case.values()) == {1}
        after = s.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.name == "after"))
        assert after == 1000
        overdue = dict(s.execute(sa.select(Event.case_id, sa.func.count()).where(Event.kind == "task_overdue")
                                 .group_by(Event.case_id)).all())
        assert set(overdue) == set(slas) and set(overdue.values()) == {1}
    assert sum(r["sla"] for r in results) == 100 * 2  # overdue + the latest reminder (after:1); older ones skipped


def test_one_failing_task_does_not_hold_up_the_others(rt: Runtime, people: dict,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.sla.reminders as reminders

    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    first = open_tasks(rt, start_case(rt, people["wang"], "sla_demo", {}).id)[0]
    second = open_tasks(rt, start_case(rt, people["wang"], "sla_demo", {}).id)[0]
    real, calls = reminders.rules_for, []

    def flaky(session: object, definition_id: int, name: str) -> object:
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("broken rule")
        return real(session, definition_id, name)

    monkeypatch.setattr(reminders, "rules_for", flaky)
    clock.freeze(local(2026, 10, 17, 10, 0))
    assert run_due(rt) == 2  # the second task: overdue + the latest reminder
    with rt.reading() as s:
        waits = sorted(s.get(TaskClock, t.id).next_action_at for t in (first, second))
    assert waits[0] == local(2026, 10, 17, 11, 0)  # the failed one is retried in an hour
