"""Hook subscribers of the SLA feature (see engine.hooks); imported once by engine.features."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy.orm as so

from engine.hooks import subscribe
from engine.models import Case, Task
from engine.notifications import notify, task_recipients


def tell_about_new_task(session: so.Session, case: Case, task: Task, now: datetime) -> None:
    """Everyone who may take a new task hears of it in the bell."""
    notify(session, task_recipients(session, task), "task_created", f"{case.business_key} · {task.title}",
           case=case, task=task, now=now)


subscribe("task_created", tell_about_new_task)
