"""催办: a supervisor or the case's starter urges the handlers of an open task (once a day per caller)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from engine.access import Actor
from engine.casework import record
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, TooMany
from engine.models import Case, Event
from engine.notifications import notify, task_recipients
from engine.runtime import Runtime
from engine.tasks import get_task_row

from .notices import headline
from .people import display_name

AGAIN_AFTER = timedelta(hours=24)
MAX_MESSAGE = 500


def urge_task(rt: Runtime, actor: Actor, task_id: str, message: object = None) -> dict[str, Any]:
    """Notify the assignee (else the candidates) of an open task; returns ``{"notified": [usernames]}``.

    :raises NotFound: no such task. :raises Forbidden: neither a supervisor nor the case's starter.
    :raises Conflict: the task is closed. :raises TooMany: the caller urged it less than 24 hours ago.
    :raises Invalid: the message is not text or too long.
    """
    if message is not None and not isinstance(message, str):
        raise Invalid("the message must be text", [{"field": "message", "message": "must be text"}])
    text = (message or "").strip()
    if len(text) > MAX_MESSAGE:
        raise Invalid(f"the message has at most {MAX_MESSAGE} characters",
                      [{"field": "message", "message": f"must be at most {MAX_MESSAGE} characters"}],
                      reason="message_too_long", params={"max": MAX_MESSAGE})
    now = utcnow()
    with rt.transaction() as session:
        task = get_task_row(session, task_id)
        case = session.get(Case, task.case_id)
        if not (actor.is_supervisor or case.started_by == actor.username):
            raise Forbidden("only supervisors and the case's starter may urge its tasks", reason="urge_forbidden")
        if task.state not in ("open", "claimed"):
            raise Conflict(f"task '{task.title}' is {task.state}, no longer open",
                           reason="task_closed", params={"task": task.title})
        last = session.scalar(sa.select(sa.func.max(Event.at)).where(
            Event.case_id == case.id, Event.task_id == task.id, Event.kind == "task_urged",
            Event.actor == actor.username))
        if last is not None and now - last < AGAIN_AFTER:
            raise TooMany(f"you urged '{task.title}' at {last.isoformat()}; once a day is enough",
                          [{"field": "", "message": "urged less than 24 hours ago"}],
                          reason="urged_today", params={"task": task.title, "at": last})
        recipients = [u for u in task_recipients(session, task) if u != actor.username]
        notify(session, recipients, "task_urged", headline(display_name(session, actor.username), "催办", case),
               f"请尽快办理「{task.title}」" + (f"：{text}" if text else ""), case=case, task=task, now=now)
        record(session, case, actor, "task_urged", now, task, {"message": text, "to": recipients})
        case.updated_at = now  # one action on the case at a time: a concurrent one meets a newer revision
    return {"notified": recipients}
