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
from engine.workdays import LOCAL

from .absence import active_deputies, substitute, today
from .clocks import OPEN, schedule
from .models import Reminder, TaskClock
from .rules import Rules, is_reminder, plan, rules_for

if TYPE_CHECKING:
    from engine.runtime import Runtime

log = logging.getLogger(__name__)
RETRY = timedelta(hours=1)


def _late(task: Task, now: datetime) -> str:
    seconds = int((now - task.due_at).total_seconds()) if task.due_at else 0
    days, hours = seconds // 86400, seconds % 86400 // 3600
    return f"{days} 天 {hours} 小时" if days else f"{hours} 小时"


def _message(rule: str, task: Task, now: datetime) -> str:
    due = task.due_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if task.due_at else ""
    if rule == "before":
        return f"将于 {due} 到期，请及时办理。"
    if rule == "due":
        return f"今天到期（{due}），请及时办理。"
    if rule == "overdue":
        return f"已于 {due} 到期，现已逾期。"
    if rule.startswith("escalate"):
        return f"已逾期 {_late(task, now)}（期限 {due}），请督办。"
    return f"已逾期 {_late(task, now)}（期限 {due}），请尽快办理。"


def _handle(session: so.Session, clock_row: TaskClock, task: Task, case: Case, rules: Rules, done: set[str],
            deputies: dict[str, str], now: datetime) -> list[str]:
    """Fire the task's rules that have come due; returns the rules fired (skipped ones excluded)."""
    due = [(rule, at) for rule, at in plan(task.due_at, task.created_at, rules, now) if at <= now and rule not in done]
    reminders = [rule for rule, _ in due if is_reminder(rule)]
    fired: list[str] = []
    about = f"「{task.title}」：{case.business_key}" + (f"：{case.title}" if case.title else "")
    for rule, _at in due:
        title = ("督办升级" if rule.startswith("escalate") else "已超期" if rule == "overdue" else "即将到期") + about
        if is_reminder(rule) and rule != reminders[-1]:
            session.add(Reminder(task_id=task.id, rule=rule, due_at=task.due_at, recipients=[], skipped=True,
                                 sent_at=now))
            continue
        if rule.startswith("escalate"):
            groups = rules.escalate_to if rule == "escalate:1" else rules.escalate_again_to
            people = substitute(members_of(session, groups), deputies)
            notify(session, people, "sla_escalation", title, _message(rule, task, now), case=case,
                   link=f"/cases/{case.id}", task=task, now=now)
            session.add(Event(case_id=case.id, task_id=task.id, actor="scheduler", kind="task_escalated", at=now,
                              data={"task": task.name, "title": task.title, "level": int(rule[-1]),
                                    "groups": list(groups), "recipients": people}))
        else:
            people = substitute(task_recipients(session, task), deputies)
            kind = "sla_overdue" if rule == "overdue" else "sla_reminder"
            notify(session, people, kind, title, _message(rule, task, now), case=case, task=task, now=now)
            if rule == "overdue":
                clock_row.overdue_at = clock_row.overdue_at or now
                session.add(Event(case_id=case.id, task_id=task.id, actor="scheduler", kind="task_overdue", at=now,
                                  data={"task": task.name, "title": task.title, "due_at": task.due_at.isoformat()}))
        session.add(Reminder(task_id=task.id, rule=rule, due_at=task.due_at, recipients=people, sent_at=now))
        fired.append(rule)
    skipped = len(reminders) - 1 if reminders else 0
    if skipped:
        log.info("catch-up: task %s (%s): sent %s, skipped %d older reminder(s)", task.id, title, reminders[-1],
                 skipped)
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
