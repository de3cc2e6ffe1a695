"""Hook subscribers of the SLA feature (see engine.hooks); ``engine.sla.register`` subscribes them.

A new task: an absent assignee's task goes to their deputy (audited), everyone who may take it hears of it in
the bell (absent people through their deputies), and a task with a due date gets its clock. Completing a task
past its deadline is refused when its rules say ``lockAfterDue``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.models import Case, Event, Task, TaskCandidate
from engine.notifications import notify, notify_task_groups, task_recipients

from .absence import deputies_cached, resolve, today
from .clocks import refuse_if_locked, restart_clock, start_clock


def _hand_to_deputies(session: so.Session, case: Case, task: Task, deputies: dict[str, str], now: datetime) -> None:
    """An absent assignee's task is assigned to the deputy; an absent named candidate gets the deputy beside them."""
    if task.assignee and task.assignee in deputies:
        deputy = resolve(task.assignee, deputies)
        session.add(Event(case_id=case.id, task_id=task.id, actor="system", kind="task_deputized", at=now,
                          data={"task": task.name, "title": task.title, "from": task.assignee, "to": deputy}))
        task.assignee = deputy
    absent = [u for u in (task.candidate_users or []) if u in deputies]
    if absent:
        added = [d for d in dict.fromkeys(resolve(u, deputies) for u in absent) if d not in task.candidate_users]
        if added:
            task.candidate_users = [*task.candidate_users, *added]
            task.candidates.extend(TaskCandidate(kind="user", principal=d) for d in added)
            session.add(Event(case_id=case.id, task_id=task.id, actor="system", kind="task_deputized", at=now,
                              data={"task": task.name, "title": task.title, "from": absent, "to": added}))


def tell_about_new_task(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    """Everyone who may take a new task hears of it in the bell (absent people through their deputies)."""
    deputies = deputies_cached(session, today(now))
    title = f"：{case.title}" if case.title else ""
    title = f"待您办理「{task.title}」：{case.business_key}{title}"
    if not deputies:
        notify_task_groups(session, task, "task_created", title, case, now)
        return
    _hand_to_deputies(session, case, task, deputies, now)
    recipients = {resolve(u, deputies) for u in task_recipients(session, task)}
    notify(session, recipients, "task_created", title, case=case, task=task, now=now)


def start_task_clock(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    start_clock(session, case, task, now)


def restart_task_clock(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    """A step returned to or recalled runs on a fresh clock from its new due date."""
    restart_clock(session, case, task, now)


def refuse_locked_completion(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    refuse_if_locked(session, case, task, now)

