"""Task clocks: start one for each task with a due date, pause and resume it, extend it, lock after the deadline.

Every change is one transaction and writes an audit event (``task_paused``, ``task_resumed``, ``task_extended``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor, may_act_on
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.models import OPEN_TASK_STATES, Case, Event, Task, task_is_open
from engine.workdays import LOCAL, due_after, parse_duration

from .models import Reminder, TaskClock
from .rules import Rules, next_action, plan, rules_for

OPEN = OPEN_TASK_STATES

if TYPE_CHECKING:
    from engine.runtime import Runtime


def schedule(clock_row: TaskClock, task: Task, rules: Rules, done: set[str], now: datetime) -> None:
    """Point the clock's ``next_action_at`` at the task's next reminder, escalation or overdue mark."""
    if task.due_at is None or task.state not in OPEN or clock_row.paused_at is not None:
        clock_row.next_action_at = None
        return
    clock_row.next_action_at = next_action(plan(task.due_at, task.created_at, rules, now), done, now)


def start_clock(session: so.Session, case: Case, task: Task, now: datetime) -> TaskClock | None:
    """A clock for a new task that has a due date (called from the task_created hook)."""
    if task.due_at is None:
        return None
    row = TaskClock(task=task, original_due_at=task.due_at, paused_seconds=0, extended_seconds=0,
                    extensions=0)
    schedule(row, task, rules_for(session, case.definition_id, task.name), set(), now)
    session.add(row)
    return row


def restart_clock(session: so.Session, case: Case, task: Task, now: datetime) -> TaskClock | None:
    """The clock of a step made ready again (returned to, recalled): started afresh from its new due date."""
    row = session.get(TaskClock, task.id)
    if row is None:
        return start_clock(session, case, task, now)
    row.original_due_at, row.paused_at, row.remaining_seconds, row.paused_seconds = task.due_at, None, None, 0
    row.overdue_at = None
    row.extended_seconds, row.extensions = 0, 0
    schedule(row, task, rules_for(session, case.definition_id, task.name), set(), now)
    return row


def _load(session: so.Session, task_id: str) -> tuple[Task, Case, TaskClock]:
    found = session.execute(sa.select(Task, Case).join(Case, Case.id == Task.case_id).where(Task.id == task_id)).first()
    if found is None:
        raise NotFound(f"task {task_id} does not exist", reason="task_missing")
    task, case = found
    if task.state not in OPEN:
        raise Conflict(f"task '{task.title}' is {task.state}, no longer open",
                       reason="task_closed", params={"task": task.title})
    row = session.get(TaskClock, task.id, with_for_update=True)
    if row is None:
        row = TaskClock(task_id=task.id, original_due_at=task.due_at, paused_seconds=0, extended_seconds=0,
                        extensions=0)
        session.add(row)
    return task, case, row


def _sent(session: so.Session, task: Task) -> set[str]:
    if task.due_at is None:
        return set()
    rows = session.scalars(sa.select(Reminder).where(Reminder.task_id == task.id)).all()
    return {r.rule for r in rows if r.due_at == task.due_at}


def _audit(session: so.Session, case: Case, task: Task, actor: Actor, kind: str, now: datetime,
           data: dict[str, Any]) -> None:
    session.add(Event(case_id=case.id, task_id=task.id, actor=actor.username, kind=kind, at=now,
                      data={"task": task.name, "title": task.title, **data}))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def pause_task(rt: Runtime, actor: Actor, task_id: str, reason: str) -> Task:
    """Stop the task's clock (e.g. while waiting for the applicant); the time left is kept."""
    if not (reason or "").strip():
        raise Invalid("a reason is required", [{"field": "reason", "message": "is required"}])
    now = utcnow()
    with rt.transaction() as session:
        task, case, row = _load(session, task_id)
        if not (actor.is_supervisor or may_act_on(actor, task)):
            raise Forbidden(f"you may not pause task '{task.title}'",
                            reason="pause_forbidden", params={"task": task.title})
        if row.paused_at is not None:
            raise Conflict(f"the clock of task '{task.title}' is already paused",
                           reason="clock_paused", params={"task": task.title})
        if task.due_at is None:
            raise Conflict(f"task '{task.title}' has no due date to pause",
                           reason="no_due_date", params={"task": task.title})
        row.remaining_seconds = int((task.due_at - now).total_seconds())
        row.paused_at, row.next_action_at = now, None
        _audit(session, case, task, actor, "task_paused", now, {"reason": reason.strip(), "due_at": _iso(task.due_at),
                                                                 "remaining_seconds": row.remaining_seconds})
        task.due_at = None
    return task


def resume_task(rt: Runtime, actor: Actor, task_id: str) -> Task:
    """Start the clock again with the time that was left: the due date moves by the paused time."""
    now = utcnow()
    with rt.transaction() as session:
        task, case, row = _load(session, task_id)
        if not (actor.is_supervisor or may_act_on(actor, task)):
            raise Forbidden(f"you may not resume task '{task.title}'",
                            reason="resume_forbidden", params={"task": task.title})
        if row.paused_at is None:
            raise Conflict(f"the clock of task '{task.title}' is not paused",
                           reason="clock_not_paused", params={"task": task.title})
        paused = int((now - row.paused_at).total_seconds())
        task.due_at = now + timedelta(seconds=row.remaining_seconds or 0)
        row.paused_seconds += paused
        row.paused_at, row.remaining_seconds = None, None
        if task.due_at > now:
            row.overdue_at = None
        schedule(row, task, rules_for(session, case.definition_id, task.name), _sent(session, task), now)
        _audit(session, case, task, actor, "task_resumed", now, {"paused_seconds": paused,
                                                                  "due_at": _iso(task.due_at)})
    return task


def extend_task(rt: Runtime, actor: Actor, task_id: str, duration: str, reason: str) -> Task:
    """Move the due date by ``duration`` (ISO 8601, on the task's calendar), within the rule's cap and count;
    the caller approves it and must be one of the rule's approvers (supervisors by default)."""
    if not (reason or "").strip():
        raise Invalid("a reason is required", [{"field": "reason", "message": "is required"}])
    try:
        parse_duration(duration or "")
    except ValueError as exc:
        raise Invalid(str(exc), [{"field": "duration", "message": "not an ISO 8601 duration"}],
                      reason="duration_invalid", params={"value": duration}) from None
    now = utcnow()
    with rt.transaction() as session:
        task, case, row = _load(session, task_id)
        rules = rules_for(session, case.definition_id, task.name)
        if not (actor.is_admin or actor.groups & set(rules.extension_approvers)):
            raise Forbidden(f"extensions of '{task.title}' are approved by: {', '.join(rules.extension_approvers)}",
                            reason="extension_approvers", params={"task": task.title})
        if row.paused_at is not None:
            raise Conflict(f"the clock of task '{task.title}' is paused: resume it before extending",
                           reason="extend_paused", params={"task": task.title})
        if task.due_at is None:
            raise Conflict(f"task '{task.title}' has no due date to extend",
                           reason="no_due_date", params={"task": task.title})
        if rules.extension_max is None:
            raise Invalid(f"the rules of '{task.title}' allow no extension",
                          [{"field": "duration", "message": "no extension allowed (no extensionMax)"}],
                          reason="no_extension", params={"task": task.title})
        if row.extensions >= rules.extension_count:
            raise Invalid(f"'{task.title}' may be extended {rules.extension_count} time(s) only; it already was",
                          [{"field": "duration", "message": "no extensions left"}],
                          reason="extensions_used", params={"task": task.title, "count": rules.extension_count})
        new_due = _shift(task.due_at, duration, rules.calendar)
        base = task.due_at - timedelta(seconds=row.extended_seconds)
        cap = _shift(base, rules.extension_max, rules.calendar)
        if new_due > cap:
            raise Invalid(f"extending by {duration} would pass the cap of {rules.extension_max} "
                          f"(latest {cap.astimezone(LOCAL):%Y-%m-%d %H:%M})",
                          [{"field": "duration", "message": f"more than the cap {rules.extension_max}"}],
                          reason="extension_cap", params={"max": rules.extension_max, "latest": cap})
        before = task.due_at
        row.extended_seconds += int((new_due - before).total_seconds())
        row.extensions += 1
        task.due_at = new_due
        if new_due > now:
            row.overdue_at = None
        schedule(row, task, rules, _sent(session, task), now)
        _audit(session, case, task, actor, "task_extended", now, {
            "reason": reason.strip(), "approved_by": actor.username, "duration": duration,
            "from": _iso(before), "to": _iso(new_due), "cap": rules.extension_max})
    return task


def _shift(due: datetime, duration: str, calendar: str) -> datetime:
    """``due`` moved by ``duration``; day durations keep the time of day of ``due``."""
    moved = due_after(due, duration, calendar)
    parts = parse_duration(duration)
    if any(parts.get(k) for k in ("years", "months", "weeks", "days")):
        local = due.astimezone(LOCAL)
        moved = moved.astimezone(LOCAL).replace(hour=local.hour, minute=local.minute, second=local.second,
                                                microsecond=local.microsecond).astimezone(due.tzinfo)
    return moved


def refuse_if_locked(session: so.Session, case: Case, task: Task, now: datetime) -> None:
    """The ``task_completing`` check: past its deadline, a task whose rules say ``lockAfterDue`` is locked."""
    if task.due_at is None or task.due_at >= now:
        return
    if rules_for(session, case.definition_id, task.name).lock_after_due:
        raise Conflict(f"the deadline of '{task.title}' passed on {task.due_at.astimezone(LOCAL):%Y-%m-%d %H:%M}; "
                       "it is locked: ask a supervisor for an extension",
                       [{"field": "due_at", "message": "locked after the deadline"}],
                       reason="deadline_locked", params={"task": task.title, "until": task.due_at})


def clock_json(session: so.Session, task: Task) -> dict[str, Any]:
    """The task's SLA state: due date, pause, extensions and the reminders already sent."""
    row = session.get(TaskClock, task.id)
    reminders = session.scalars(sa.select(Reminder).where(Reminder.task_id == task.id).order_by(Reminder.id)).all()
    return {
        "task_id": task.id, "due_at": _iso(task.due_at), "paused": bool(row and row.paused_at),
        "paused_at": _iso(row.paused_at) if row else None,
        "remaining_seconds": row.remaining_seconds if row else None,
        "paused_seconds": row.paused_seconds if row else 0, "extensions": row.extensions if row else 0,
        "extended_seconds": row.extended_seconds if row else 0,
        "original_due_at": _iso(row.original_due_at) if row else _iso(task.due_at),
        "overdue_at": _iso(row.overdue_at) if row else None,
        "next_action_at": _iso(row.next_action_at) if row else None,
        "reminders": [{"rule": r.rule, "due_at": _iso(r.due_at), "sent_at": _iso(r.sent_at), "skipped": r.skipped,
                       "recipients": r.recipients} for r in reminders],
    }


def backfill_clocks(rt: Runtime) -> int:
    """Give a clock to every open task with a due date that has none (tasks from before this feature)."""
    now = utcnow()
    with rt.transaction() as session:
        rows = session.execute(
            sa.select(Task, Case).join(Case, Case.id == Task.case_id).outerjoin(TaskClock, TaskClock.task_id == Task.id)
            .where(task_is_open(), Task.due_at.is_not(None), TaskClock.task_id.is_(None))).all()
        for task, case in rows:
            start_clock(session, case, task, now)
    return len(rows)
