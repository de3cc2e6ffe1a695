"""退回: send a case back from an open step to an earlier step of the same path, with a reason.

The earlier steps are the completed user tasks the open one descends from in the case's workflow (so a step
of another branch never counts), nearest first. Two step properties let the BPMN file decide:

``returnTo``
    on the step that returns: the element ids of the only steps it may return to, comma-separated, or
    ``none`` to forbid returning from it.
``returnable``
    on a step: ``false`` forbids returning to it.

The returned step goes to whoever completed it before, claimed, with the reason on its page; the steps that
followed it are cancelled. One transaction, revision-checked: of two concurrent actions on the case one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask

from engine.access import Actor
from engine.behaviours import behaviours
from engine.casework import advance, record, save
from engine.clock import utcnow
from engine.definitions.meta import is_true
from engine.definitions.parse import ParsedDefinition
from engine.errors import Conflict, Invalid
from engine.hooks import emit
from engine.models import Case, Task
from engine.notifications import notify
from engine.projection import find_task, reopen_row
from engine.runtime import Runtime
from engine.tasks import get_task_row, open_task_for

from .notices import headline
from .people import display_name

RETURN_TO, RETURNABLE = "returnTo", "returnable"
MAX_REASON = 2000

behaviours.property(RETURN_TO, doc="On a user task: the steps (element ids, comma-separated) it may be returned "
                                   "to (退回), or `none`; without it, any earlier step of the same path that is "
                                   "not marked `returnable=\"false\"`.")
behaviours.property(RETURNABLE, doc="On a user task: `false` forbids returning (退回) a later step to it.")


@dataclass(frozen=True)
class Target:
    """An earlier step a task may be returned to."""

    name: str
    title: str
    spiff_task: SpiffTask


def _bpmn_id(spiff_task: SpiffTask) -> str:
    return getattr(spiff_task.task_spec, "bpmn_id", None) or spiff_task.task_spec.name


def _up(workflow: BpmnWorkflow, node: SpiffTask) -> SpiffTask | None:
    """The task before ``node`` on its path, leaving a subprocess through the task that runs it."""
    if node.parent is not None:
        return node.parent
    parent_id = getattr(node.workflow, "parent_task_id", None)
    return workflow.get_task_from_id(parent_id) if parent_id is not None else None


def earlier_steps(parsed: ParsedDefinition, workflow: BpmnWorkflow, spiff_task: SpiffTask) -> list[Target]:
    """The steps ``spiff_task`` may be returned to, nearest first (see the module's rules)."""
    tasks = parsed.meta.tasks
    here = tasks.get(_bpmn_id(spiff_task))
    allowed = [n.strip() for n in ((here.properties.get(RETURN_TO) if here else "") or "").split(",") if n.strip()]
    if allowed == ["none"]:
        return []
    found: dict[str, Target] = {}
    node = _up(workflow, spiff_task)
    while node is not None:
        name = _bpmn_id(node)
        meta = tasks.get(name)
        if (meta is not None and node.state == TaskState.COMPLETED and node.task_spec.manual
                and "[child]" not in node.task_spec.name and name not in found and name != _bpmn_id(spiff_task)
                and (not allowed or name in allowed)
                and not (meta.properties.get(RETURNABLE) and not is_true(meta.properties.get(RETURNABLE)))):
            found[name] = Target(name, meta.title, node)
        node = _up(workflow, node)
    return list(found.values())


def return_targets(rt: Runtime, session: so.Session, task: Task) -> list[dict[str, str]]:
    """``[{"name", "title"}]``: where an open ``task`` may be returned to (empty when closed)."""
    if task.state not in ("open", "claimed"):
        return []
    case = session.get(Case, task.case_id)
    if case.status not in ("running", "error"):
        return []
    parsed = rt.definition(session, case.definition_id)
    workflow = rt.peek(case, parsed)
    spiff_task = find_task(workflow, task.id)
    if spiff_task is None or spiff_task.state != TaskState.READY:
        return []
    return [{"name": t.name, "title": t.title} for t in earlier_steps(parsed, workflow, spiff_task)]


def return_task(rt: Runtime, actor: Actor, task_id: str, to: object, reason: object) -> Case:
    """退回: send the case from the open task back to the earlier step ``to``, with ``reason``.

    :raises NotFound: no such task. :raises Forbidden: the actor may not act on it.
    :raises Conflict: the task is no longer open, or the case changed meanwhile.
    :raises Invalid: no reason, or ``to`` is not one of the task's return targets (field ``to``).
    """
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise Invalid("a reason is required to return a step",
                      [{"field": "reason", "message": "is required", "code": "required"}], reason="reason_required")
    if len(text) > MAX_REASON:
        raise Invalid(f"the reason has at most {MAX_REASON} characters",
                      [{"field": "reason", "message": f"must be at most {MAX_REASON} characters",
                        "code": "max_length", "limit": str(MAX_REASON)}],
                        reason="reason_too_long", params={"max": MAX_REASON})
    now = utcnow()
    with rt.transaction() as session:
        task = open_task_for(session, actor, task_id)
        case = session.get(Case, task.case_id)
        parsed = rt.definition(session, case.definition_id)
        workflow = rt.checkout(case, parsed)
        spiff_task = find_task(workflow, task.id)
        if spiff_task is None or spiff_task.state != TaskState.READY:
            raise Conflict(f"task '{task.title}' is not ready in the workflow",
                           reason="task_not_ready", params={"task": task.title})
        targets = earlier_steps(parsed, workflow, spiff_task)
        target = next((t for t in targets if t.name == to), None)
        if target is None:
            choices = ", ".join(t.name for t in targets) or "none"
            raise Invalid(f"task '{task.title}' cannot be returned to '{to}' (it may go back to: {choices})",
                          [{"field": "to", "message": f"must be one of: {choices}", "code": "choice",
                            "limit": ", ".join(t.title for t in targets) or "—"}],
                            reason="return_target", params={"task": task.title})
        target_row = get_task_row(session, str(target.spiff_task.id))
        previous = target_row.completed_by
        workflow.reset_from_task_id(target.spiff_task.id)
        error = advance(workflow)
        save(rt, session, case, parsed, workflow, now, error)
        session.flush()  # a concurrent change to the case shows here, as a conflict, before anything else runs
        reopen_row(session, target_row, case, parsed, workflow, now, previous)
        record(session, case, actor, "task_returned", now, task,
               {"to": target.name, "to_title": target.title, "to_task": target_row.id, "reason": text,
                "assignee": previous})
        emit(session, "task_reopened", case=case, task=target_row, actor=actor, now=now)
        if previous and previous != actor.username:
            notify(session, [previous], "task_returned",
                   headline(display_name(session, actor.username), "退回了", case),
                   f"退回到「{target.title}」，原因：{text}", case=case, task=target_row, now=now)
        if error:
            record(session, case, actor, "case_error", now, data={"message": error})
    rt.checkin(case, workflow)
    return case
