"""Form drafts: a task's form or a process's start form saved without validation, kept per user.

A draft is the user's own: it fills their form when they come back, it never moves the case, and completing
the task (or starting the case) removes it. Someone's draft on a task counts as having started on it, so the
step before can no longer be recalled (see :mod:`engine.approval.recall`).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor, may_act_on, require_not_barred, require_task_action
from engine.casework import clean_input
from engine.clock import utcnow
from engine.errors import Conflict, Invalid, NotFound
from engine.models import Draft, Task
from engine.runtime import Runtime
from engine.tasks import found_undrafted

MAX_DRAFT_BYTES = 200_000


def task_target(task_id: str) -> str:
    """The draft key of a task's form."""
    return f"task:{task_id}"


def start_target(process_key: str) -> str:
    """The draft key of a process's start form."""
    return f"start:{process_key}"


def checked_draft(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid("the draft must be a JSON object", [{"field": "data", "message": "must be an object"}],
                      reason="draft_invalid")
    if len(json.dumps(data, ensure_ascii=False, default=str)) > MAX_DRAFT_BYTES:
        raise Invalid("the draft is too large", [{"field": "data", "message": "is too large"}],
                      reason="draft_too_large")
    return clean_input(data)


def put_draft(session: so.Session, username: str, target: str, data: dict[str, Any]) -> Draft:
    now = utcnow()
    row = session.get(Draft, (username, target))
    if row is None:
        row = Draft(username=username, target=target, data=data, saved_at=now)
        session.add(row)
    else:
        row.data, row.saved_at = data, now
    return row


def save_task_draft(rt: Runtime, actor: Actor, task_id: str, data: Any) -> dict[str, Any]:
    """Keep ``data`` as the actor's draft of an open task's form (not validated, nothing else changes).

    :raises NotFound: no such task. :raises Forbidden: the actor may not act on it.
    :raises Conflict: the task is no longer open, or someone else holds it. :raises Invalid: not an object.
    """
    data = checked_draft(data)
    with rt.transaction() as session:
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist", reason="task_missing")
        require_task_action(actor, task)
        require_not_barred(session, actor, task.case_id, task.title)
        if task.state not in ("open", "claimed"):
            raise Conflict(f"task '{task.title}' is {task.state}, no longer open",
                           reason="task_closed", params={"task": task.title})
        if task.assignee not in (None, actor.username) and not may_act_on(actor, task):
            raise Conflict(f"task '{task.title}' is claimed by {task.assignee}",
                           reason="task_claimed", params={"task": task.title, "person": task.assignee})
        row = put_draft(session, actor.username, task_target(task_id), data)
        return {"saved_at": row.saved_at.isoformat(), "data": row.data}


def draft_of(session: so.Session, username: str, target: str) -> Draft | None:
    """The user's draft for ``target``, if any."""
    return session.get(Draft, (username, target))


def drafted(session: so.Session, task_ids: list[str]) -> set[str]:
    """Those of ``task_ids`` that someone has a draft of."""
    if not task_ids:
        return set()
    targets = [task_target(t) for t in task_ids]
    return {t.removeprefix("task:") for t in session.scalars(sa.select(Draft.target).where(Draft.target.in_(targets)))}


def drop_task_drafts_of(session: so.Session, task_id: str) -> None:
    """Remove every draft of a task (nothing to do when this command's lookup found none)."""
    if not found_undrafted(session, task_id):
        drop_drafts(session, task_target(task_id))


def drop_drafts(session: so.Session, target: str, username: str | None = None) -> None:
    """Remove the drafts of ``target`` (only ``username``'s when given)."""
    table = Draft.__table__  # a Core DELETE: no unit of work, no flush before it
    stmt = sa.delete(table).where(table.c.target == target)
    if username is not None:
        stmt = stmt.where(table.c.username == username)
    session.execute(stmt)
