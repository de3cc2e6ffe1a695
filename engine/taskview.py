"""The task page as one read: the task, its form and values, the case beside it, and what the reader may do.

``task_view`` answers ``GET /api/v1/tasks/<id>`` and the task page; the web layer calls nothing else to draw it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.orm as so

from .access import Actor, may_act_on
from .approval.drafts import draft_of, task_target
from .approval.people import display_names
from .approval.returns import return_targets
from .models import Case, Task
from .queries import group_names, task_detail, task_query, visible_task
from .runtime import Runtime
from .summary import case_documents, case_links, case_summary, opinion_trail, return_notice


def is_personal(task: Task) -> bool:
    """A task the BPMN gave to one person (its ``assignee``) with nobody else named: it is theirs alone, so it
    has nothing to claim, release or hand over within a group."""
    return not (task.candidate_groups or task.candidate_users)


def _values(session: so.Session, actor: Actor, task: Task, case: Case) -> tuple[dict[str, Any], str | None]:
    """The values the form starts from: the case data, a returned step's earlier answers, then the reader's
    draft; and when that draft was saved."""
    if task.state == "completed":
        return dict(task.data or {}), None
    values = {**(case.data or {}), **(task.data or {})}
    draft = draft_of(session, actor.username, task_target(task.id))
    if draft is None:
        return values, None
    return {**values, **(draft.data or {})}, draft.saved_at.isoformat()


def task_view(rt: Runtime, session: so.Session, actor: Actor, task_id: str, locale: str) -> dict[str, Any]:
    """The task as ``GET /api/v1/tasks/<id>`` answers it, plus what the page needs.

    Beyond API.md's task JSON, ``schema``, ``data``, ``summary`` and ``return_to``: ``opinions`` (the opinion
    trail), ``returned`` (why a returned step is back), ``links`` (the feature's case pages), ``documents``,
    ``draft_saved_at``, ``case_title`` and the reader's permissions ``may_act``, ``may_claim``, ``may_release``,
    ``may_delegate``, ``may_return``, ``may_recall``, ``may_urge``, ``may_cc``, ``personal``.

    :raises NotFound: no such task. :raises Forbidden: the reader may neither act on it nor read its case.
    """
    task = visible_task(session, actor, task_id)
    case = session.get(Case, task.case_id)
    parsed = rt.definition(session, case.definition_id)
    out = task_detail(session, actor, task_id, parsed.forms)
    out["data"], out["draft_saved_at"] = _values(session, actor, task, case)
    out["case_title"], out["started_by"] = case.title, case.started_by
    is_open = task.state in ("open", "claimed") and case.status in ("running", "error")
    holds = task.assignee in (None, actor.username) or actor.is_supervisor
    out["summary"] = [{"label": s["label"], "value": s["value"]}
                      for s in case_summary(session, parsed, case, task.name, locale)]
    acting = out["may_act"] and is_open and holds
    out["return_to"] = return_targets(rt, session, task) if acting else []
    out["opinions"] = opinion_trail(session, parsed, case, locale)
    out["returned"] = return_notice(session, task)
    out["links"] = case_links(session, actor, case, locale)
    out["documents"] = case_documents(session, actor, case)
    out["people"] = display_names(session, [task.assignee or "", task.completed_by or "",
                                            *(task.candidate_users or [])])
    out["group_names"] = group_names(session)
    personal = is_personal(task)
    out["personal"] = personal
    out["may_claim"] = acting and task.assignee is None and not personal
    out["may_release"] = is_open and task.assignee == actor.username and not personal
    out["may_delegate"] = is_open and not personal and (
        (may_act_on(actor, task) and task.assignee in (None, actor.username)) or actor.is_supervisor)
    out["may_return"] = acting and bool(out["return_to"])
    out["may_recall"] = task.state == "completed" and task.completed_by == actor.username \
        and case.status in ("running", "error")
    out["may_urge"] = is_open and (actor.is_supervisor or case.started_by == actor.username) \
        and task.assignee != actor.username
    out["may_cc"] = may_act_on(actor, task) or task.completed_by == actor.username or actor.is_supervisor
    return out


def next_task_for(session: so.Session, actor: Actor, case_id: int) -> str | None:
    """The id of an open task of the case that ``actor`` may do now (theirs first, then their groups'), or None."""
    rows = session.execute(task_query(actor, scope="all").where(Task.case_id == case_id).limit(10)).all()
    mine = [t for t, _ in rows if t.assignee == actor.username]
    return (mine or [t for t, _ in rows])[0].id if rows else None
