"""Hook subscribers of the approval conventions (see engine.hooks; ``engine.approval.register`` subscribes them):
a completed or cancelled task's drafts go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.models import Case, Task

from .drafts import drop_task_drafts_of


def drop_task_drafts(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    """Nobody needs a draft of a task that is no longer open."""
    drop_task_drafts_of(session, task.id)

