"""抄送: copy people in on a case from one of its tasks; they may read the case from then on and are told."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.access import Actor, may_act_on, require_not_barred
from engine.casework import record
from engine.clock import utcnow
from engine.errors import Forbidden, Invalid
from engine.models import Case, CaseReader
from engine.notifications import notify
from engine.runtime import Runtime
from engine.tasks import get_task_row

from .notices import headline
from .people import active_users, display_name

MAX_PEOPLE = 50
MAX_MESSAGE = 500


def _people(users: object) -> list[str]:
    if isinstance(users, str):
        users = [u for u in users.replace("，", ",").split(",")]
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise Invalid("users must be a list of usernames", [{"field": "users", "message": "must be a list"}])
    names = list(dict.fromkeys(u.strip() for u in users if u.strip()))
    if not names:
        raise Invalid("name at least one person to copy in", [{"field": "users", "message": "is required"}],
                      reason="cc_required")
    if len(names) > MAX_PEOPLE:
        raise Invalid(f"at most {MAX_PEOPLE} people at a time",
                      [{"field": "users", "message": f"must have at most {MAX_PEOPLE} people"}],
                      reason="cc_too_many", params={"max": MAX_PEOPLE})
    return names


def cc_task(rt: Runtime, actor: Actor, task_id: str, users: object, message: object = None) -> dict[str, Any]:
    """Copy ``users`` in on the task's case: they may read it and get a notification.

    Whoever may act on the task, whoever completed it, and supervisors may copy people in.

    :raises NotFound: no such task. :raises Forbidden: the actor is none of those.
    :raises Invalid: an unknown or inactive user (field ``users.<n>``), no users, a bad message.
    """
    names = _people(users)
    if message is not None and not isinstance(message, str):
        raise Invalid("the message must be text", [{"field": "message", "message": "must be text"}])
    text = (message or "").strip()[:MAX_MESSAGE]
    now = utcnow()
    with rt.transaction() as session:
        task = get_task_row(session, task_id)
        require_not_barred(session, actor, task.case_id, task.title)
        if not (may_act_on(actor, task) or task.completed_by == actor.username or actor.is_supervisor):
            raise Forbidden(f"you may not copy people in on task '{task.title}'",
                            reason="cc_forbidden", params={"task": task.title})
        known = active_users(session, names)
        unknown = [(i, n) for i, n in enumerate(names) if n not in known]
        if unknown:
            raise Invalid("unknown user: " + ", ".join(n for _, n in unknown),
                          [{"field": f"users.{i}", "message": f"unknown user '{n}'"} for i, n in unknown],
                          reason="users_unknown", params={"people": [n for _, n in unknown]})
        case = session.get(Case, task.case_id)
        present = set(session.scalars(sa.select(CaseReader.username).where(CaseReader.case_id == case.id)))
        for name in names:
            if name not in present:
                session.add(CaseReader(case_id=case.id, username=name, added_by=actor.username, added_at=now))
        told = [n for n in names if n != actor.username]
        notify(session, told, "case_copied", headline(display_name(session, actor.username), "抄送了", case),
               text or f"抄送自「{task.title}」", case=case, now=now)
        record(session, case, actor, "case_copied", now, task, {"users": names, "message": text})
        case.updated_at = now  # one action on the case at a time
    return {"users": names}
