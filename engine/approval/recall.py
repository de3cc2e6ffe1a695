"""撤回: the person who completed a step takes it back while nobody has started on what followed.

"Started" means: a following step was completed, claimed or handed to someone, or someone saved a draft of
it. Recalling reopens the step for its completer (claimed) and cancels the steps that followed, whose
handlers are told. One transaction, revision-checked.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState

from engine.access import Actor
from engine.casework import advance, record, save
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden
from engine.hooks import emit
from engine.models import Case, Event, Task
from engine.notifications import notify, task_recipients
from engine.projection import find_task, reopen_row
from engine.queries import visible_task
from engine.runtime import Runtime

from .drafts import drafted
from .notices import headline
from .people import display_name

TAKEN = ("task_claimed", "task_delegated")


def _started(session: so.Session, rows: list[Task]) -> list[Task]:
    """Those of ``rows`` someone has started on: completed, claimed, handed over or drafted."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    taken = set(session.scalars(sa.select(Event.task_id).where(Event.task_id.in_(ids), Event.kind.in_(TAKEN))))
    drafts = drafted(session, ids)
    return [r for r in rows if r.state == "completed" or r.id in taken or r.id in drafts]


def recall_task(rt: Runtime, actor: Actor, task_id: str) -> Case:
    """撤回 the completed task ``task_id``: it opens again for its completer; what followed is cancelled.

    :raises NotFound: no such task. :raises Forbidden: the actor did not complete it (or may not read the case).
    :raises Conflict: it is not completed, the case is closed, or a following step was started.
    """
    now = utcnow()
    with rt.transaction() as session:
        task = visible_task(session, actor, task_id)
        if task.state != "completed":
            raise Conflict(f"task '{task.title}' is {task.state}: only a completed step can be recalled",
                           reason="recall_not_completed", params={"task": task.title})
        if task.completed_by != actor.username:
            raise Forbidden(f"only the person who completed '{task.title}' may recall it",
                            reason="recall_not_yours", params={"task": task.title})
        case = session.get(Case, task.case_id)
        if case.status not in ("running", "error"):
            raise Conflict(f"case {case.business_key} is {case.status}: its steps can no longer be recalled",
                           reason="recall_case_closed", params={"case": case.business_key})
        parsed = rt.definition(session, case.definition_id)
        workflow = rt.checkout(case, parsed)
        spiff_task = find_task(workflow, task.id)
        if spiff_task is None or spiff_task.state != TaskState.COMPLETED:
            raise Conflict(f"task '{task.title}' is no longer on the case's path and cannot be recalled",
                           reason="recall_off_path", params={"task": task.title})
        removed = {str(t.id) for t in workflow.reset_from_task_id(spiff_task.id)}
        following = list(session.scalars(sa.select(Task).where(Task.id.in_(removed)))) if removed else []
        started = _started(session, following)
        if started:
            names = "、".join(dict.fromkeys(r.title for r in started))
            raise Conflict(f"the next step has been started ({names}): '{task.title}' can no longer be recalled",
                           reason="recall_next_started", params={"task": task.title})
        told = {u for r in following if r.state in ("open", "claimed") for u in task_recipients(session, r)}
        error = advance(workflow)
        save(rt, session, case, parsed, workflow, now, error)
        session.flush()  # a concurrent change to the case shows here, as a conflict, before anything else runs
        reopen_row(session, task, case, parsed, workflow, now, actor.username)
        record(session, case, actor, "task_recalled", now, task,
               {"cancelled": [{"task": r.name, "title": r.title} for r in following]})
        emit(session, "task_reopened", case=case, task=task, actor=actor, now=now)
        told.discard(actor.username)
        if told:
            notify(session, told, "task_recalled", headline(display_name(session, actor.username), "撤回了", case),
                   f"「{task.title}」已撤回，您的待办已取消", case=case, now=now)
        if error:
            record(session, case, actor, "case_error", now, data={"message": error})
    rt.checkin(case, workflow)
    return case
