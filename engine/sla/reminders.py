"""The SLA job: mark overdue tasks, send reminders, escalate. Works from the indexed ``sla_clock.next_action_at``
queue (cost does not grow with idle tasks); on PostgreSQL each batch is claimed with ``FOR UPDATE SKIP LOCKED``
so two schedulers never handle the same task at once. Each rule fires once per due date (``sla_reminder`` keeps
what was sent); after downtime only the latest missed reminder is sent, the older ones are logged as skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.clock import utcnow
from engine.models import Case, Event, Task
from engine.notifications import members_of, notify, task_recipients

from .absence import active_deputies, substitute, today
from .clocks import OPEN, schedule
from .models import Reminder, TaskClock
from .rules import Rules, is_reminder, plan, rules_for
from .wording import wording

if TYPE_CHECKING:
    from engine.runtime import Runtime

log = logging.getLogger(__name__)
RETRY = timedelta(hours=1)


def _escalations(session: so.Session, rules_due: list[str], rules: Rules, deputies: dict[str, str]
                 ) -> dict[str, tuple[tuple[str, ...], list[str]]]:
    """rule -> (groups, people) of the escalations that come due together. A person both levels reach (an
    administrator who is also a supervisor, when a round after downtime fires both) is told once, at the
    higher level."""
    found: dict[str, tuple[tuple[str, ...], list[str]]] = {}
    told: set[str] = set()
    for rule in sorted(rules_due, reverse=True):  # escalate:2 first
        groups = rules.escalate_to if rule == "escalate:1" else rules.escalate_again_to
        people = [p for p in substitute(members_of(session, groups), deputies) if p not in told]
        told.update(people)
        found[rule] = (groups, people)
    return found


def _handle(session: so.Session, clock_row: TaskClock, task: Task, case: Case, rules: Rules, done: set[str],
            deputies: dict[str, str], now: datetime) -> list[str]:
    """Fire the task's rules that have come due; returns the rules fired (skipped ones excluded)."""
    due = [(rule, at) for rule, at in plan(task.due_at, task.created_at, rules, now) if at <= now and rule not in done]
    reminders = [rule for rule, _ in due if is_reminder(rule)]
    escalations = _escalations(session, [rule for rule, _ in due if rule.startswith("escalate")], rules, deputies)
    fired: list[str] = []
    for rule, _at in due:
        if is_reminder(rule) and rule != reminders[-1]:
            session.add(Reminder(task_id=task.id, rule=rule, due_at=task.due_at, recipients=[], skipped=True,
                                 sent_at=now))
            continue
        title, body = wording(rule, task, case, now)
        if rule.startswith("escalate"):
            groups, people = escalations[rule]
            notify(session, people, "sla_escalation", title, body, case=case, link=f"/cases/{case.id}", task=task,
                   now=now)
            session.add(Event(case_id=case.id, task_id=task.id, actor="scheduler", kind="task_escalated", at=now,
                              data={"task": task.name, "title": task.title, "level": int(rule[-1]),
                                    "groups": list(groups), "recipients": people}))
        else:
            people = substitute(task_recipients(session, task), deputies)
            kind = "sla_overdue" if rule == "overdue" else "sla_reminder"
            notify(session, people, kind, title, body, case=case, task=task, now=now)
            if rule == "overdue":
                clock_row.overdue_at = clock_row.overdue_at or now
                session.add(Event(case_id=case.id, task_id=task.id, actor="scheduler", kind="task_overdue", at=now,
                                  data={"task": task.name, "title": task.title, "due_at": task.due_at.isoformat()}))
        session.add(Reminder(task_id=task.id, rule=rule, due_at=task.due_at, recipients=people, sent_at=now))
        fired.append(rule)
    skipped = len(reminders) - 1 if reminders else 0
    if skipped:
        log.info("catch-up: task %s (%s): sent %s, skipped %d older reminder(s)", task.id, task.title,
                 reminders[-1], skipped)
    schedule(clock_row, task, rules, done | {rule for rule, _ in due}, now)
    return fired


def run_batch(rt: Runtime, batch: int = 200) -> tuple[int, int]:
    """Claim and handle up to ``batch`` due clocks in one transaction; returns (clocks handled, rules fired)."""
    now = utcnow()
    with rt.transaction() as session:
        claimed = session.scalars(
            sa.select(TaskClock).where(TaskClock.next_action_at <= now).order_by(TaskClock.next_action_at)
            .limit(batch).with_for_update(skip_locked=True)
        ).all()
        if not claimed:
            return 0, 0
        ids = [c.task_id for c in claimed]
        pairs = {t.id: (t, c) for t, c in session.execute(
            sa.select(Task, Case).join(Case, Case.id == Task.case_id).where(Task.id.in_(ids)))}
        sent: dict[str, set[str]] = {}
        for r in session.scalars(sa.select(Reminder).where(Reminder.task_id.in_(ids))):
            task = pairs[r.task_id][0]
            if r.due_at == task.due_at:
                sent.setdefault(r.task_id, set()).add(r.rule)
        deputies = active_deputies(session, today(now))
        fired = 0
        for clock_row in claimed:
            task, case = pairs[clock_row.task_id]
            if task.state not in OPEN or task.due_at is None or clock_row.paused_at is not None:
                clock_row.next_action_at = None
                continue
            try:
                with session.begin_nested():  # one bad task must not hold up the others
                    rules = rules_for(session, case.definition_id, task.name)
                    fired += len(_handle(session, clock_row, task, case, rules, sent.get(task.id, set()), deputies,
                                         now))
            except Exception:
                log.exception("SLA rules of task %s failed; retrying in an hour", task.id)
                clock_row.next_action_at = now + RETRY
        return len(claimed), fired


def run_due(rt: Runtime, batch: int = 200) -> int:
    """Handle every clock that has come due (batch after batch); returns how many rules fired."""
    fired = 0
    while True:
        handled, count = run_batch(rt, batch)
        fired += count
        if handled < batch:
            return fired
