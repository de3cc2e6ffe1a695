"""The data behind a case's diagram: which elements ran, which wait now, and the user tasks' details."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState

from engine.access import Actor
from engine.clock import utcnow
from engine.models import Task
from engine.queries import task_json, visible_case
from engine.runtime import Runtime

CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def case_diagram(rt: Runtime, session: so.Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """The case's BPMN and its progress, for a reader of the case (same check as the case page)."""
    case = visible_case(session, actor, case_id)
    definition = case.definition
    parsed = rt.definition(session, case.definition_id)
    workflow = rt.peek(case, parsed)
    completed: list[str] = []
    current: list[str] = []
    errors: list[str] = []
    for task in workflow.get_tasks():
        element = task.task_spec.bpmn_id
        if not element:
            continue
        if task.state == TaskState.COMPLETED:
            completed.append(element)
        elif task.state == TaskState.ERROR:
            errors.append(element)
        elif task.has_state(CURRENT):
            current.append(element)
    now = utcnow()
    rows = session.scalars(sa.select(Task).where(Task.case_id == case.id).order_by(Task.created_at)).all()
    tasks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        tasks.setdefault(row.name, []).append(task_json(row, case.business_key, now))
    overdue = sorted({name for name, items in tasks.items() if any(t["overdue"] for t in items)})
    if case.status in ("cancelled", "completed"):
        current = []
    return {
        "case": {"id": case.id, "business_key": case.business_key, "status": case.status,
                 "process": case.process_key, "version": definition.version},
        "xml": definition.bpmn_xml,
        "completed": sorted(set(completed)), "current": sorted(set(current)),
        "errors": sorted(set(errors)), "overdue": overdue, "tasks": tasks,
    }
