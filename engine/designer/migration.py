"""Moving running cases to another version of their process.

``plan_migration`` is the dry run: per case, what would change, and why a case is refused (it is not
running, or a task it completed or is waiting on has no counterpart in the target version).
``migrate_cases`` moves the safe ones, one transaction per case, re-checking each inside its transaction.
Open tasks keep their due dates and waiting timers their due times (SpiffWorkflow would start the timers again
from now) unless the designer chooses ``restart``: then timers count again from now and open tasks' due dates
are computed again from now under the new version. The dry run says which it will be, with the times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, migrate_workflow

from engine.access import Actor
from engine.casework import advance, record, save
from engine.clock import utcnow
from engine.definitions.parse import ParsedDefinition
from engine.definitions.specs import serializer_config
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.models import Case, ProcessDefinition, Task
from engine.projection import new_task_row
from engine.runtime import Runtime
from engine.timers import due_at

MIGRATABLE = ("running", "error")
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
RESET = TaskState.READY | TaskState.WAITING | TaskState.ERROR
_REGISTRY = BpmnWorkflowSerializer.configure(serializer_config())


@dataclass
class CasePlan:
    """What migrating one case would do. ``blockers`` empty means the case can move."""

    case_id: int
    business_key: str
    title: str | None
    status: str
    from_version: int
    to_version: int
    blockers: list[dict[str, str]] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)  # current tasks that start again
    timers: list[str] = field(default_factory=list)
    restart: bool = False  # timers and open tasks' deadlines count again from now
    due: list[dict[str, Any]] = field(default_factory=list)  # [{"title", "kind": timer|task, "due_at"}] kept or not
    changed: list[str] = field(default_factory=list)  # tasks of this case whose definition changed
    dropped: list[str] = field(default_factory=list)  # predicted tasks whose element is gone

    @property
    def ok(self) -> bool:
        return not self.blockers

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "business_key": self.business_key, "title": self.title,
                "status": self.status, "from_version": self.from_version, "to_version": self.to_version,
                "ok": self.ok, "blockers": self.blockers, "reset": self.reset, "timers": self.timers,
                "changed": self.changed, "dropped": self.dropped, "restart": self.restart, "due": self.due}


def _label(task: Any) -> str:
    spec = task.task_spec
    return spec.bpmn_name or spec.bpmn_id or spec.name


def _inspect(plan: CasePlan, diff: WorkflowDiff | None, workflow: Any) -> None:
    """Fill ``plan`` from one (sub)workflow's diff; ``diff`` None means its whole process is gone."""
    changed = set(map(id, diff.changed)) if diff is not None else set()
    for task in workflow.get_tasks(skip_subprocesses=True):
        spec = task.task_spec
        if not spec.bpmn_id:  # Start/End/Root bookkeeping specs
            continue
        # an element counts as kept only under the same id (SpiffWorkflow would also pair renamed ones)
        aligned = diff.alignment.get(task) if diff is not None else None
        gone = aligned is None or aligned.name != spec.name
        if task.state == TaskState.COMPLETED and gone:
            plan.blockers.append({"reason": "completed_missing", "element": spec.bpmn_id, "title": _label(task)})
        elif task.has_state(CURRENT) and gone:
            plan.blockers.append({"reason": "current_missing", "element": spec.bpmn_id, "title": _label(task)})
        elif gone and task.has_state(TaskState.PREDICTED_MASK | TaskState.FUTURE):
            plan.dropped.append(_label(task))
        if task.has_state(RESET) and not gone:
            plan.reset.append(_label(task))
            when = due_at(task) if task.state == TaskState.WAITING else None
            if when is not None:
                plan.timers.append(_label(task))
                plan.due.append({"title": _label(task), "kind": "timer", "due_at": when.isoformat()})
        if id(task) in changed and not task.has_state(TaskState.COMPLETED) and _really_changed(spec, aligned):
            plan.changed.append(_label(task))
    for name in ("reset", "timers", "changed", "dropped"):
        setattr(plan, name, list(dict.fromkeys(getattr(plan, name))))


def _really_changed(old: Any, new: Any) -> bool:
    """Did the element itself change (not only the flows around it)?"""
    a, b = _REGISTRY.convert(old), _REGISTRY.convert(new)
    return any(a.get(k) != b.get(k) for k in set(a) | set(b) if k not in ("inputs", "outputs"))


def _diffs(workflow: BpmnWorkflow, target: ParsedDefinition) -> tuple[WorkflowDiff, dict[Any, WorkflowDiff | None]]:
    return diff_workflow(_REGISTRY, workflow, target.spec, target.subprocess_specs)


def _plan_case(rt: Runtime, session: so.Session, case: Case, target: ProcessDefinition,
               parsed: ParsedDefinition, restart: bool = False) -> tuple[CasePlan, BpmnWorkflow | None, Any]:
    plan = CasePlan(case.id, case.business_key, case.title, case.status, case.definition.version, target.version,
                    restart=restart)
    if case.status not in MIGRATABLE:
        plan.blockers.append({"reason": "not_running", "element": "", "title": case.status})
        return plan, None, None
    if case.definition_id == target.id:
        plan.blockers.append({"reason": "same_version", "element": "", "title": f"v{target.version}"})
        return plan, None, None
    workflow = rt.attach(rt.load(session, case, rt.definition(session, case.definition_id)), session)
    top, subs = _diffs(workflow, parsed)
    _inspect(plan, top, workflow)
    for sp_id, sub_diff in subs.items():
        _inspect(plan, sub_diff, workflow.subprocesses[sp_id])
    rows = session.scalars(sa.select(Task).where(Task.case_id == case.id, Task.state.in_(("open", "claimed")),
                                                 Task.due_at.is_not(None)).order_by(Task.created_at))
    plan.due += [{"title": row.title, "kind": "task", "due_at": row.due_at.isoformat()} for row in rows]
    return plan, workflow, (top, subs)


def _target(session: so.Session, actor: Actor, definition_id: int) -> ProcessDefinition:
    if not actor.is_designer:
        raise Forbidden("only process designers and administrators may migrate cases")
    target = session.get(ProcessDefinition, definition_id)
    if target is None:
        raise NotFound(f"process definition {definition_id} does not exist")
    return target


def _cases(session: so.Session, target: ProcessDefinition, case_ids: list[int] | None) -> list[Case]:
    stmt = sa.select(Case).where(Case.process_key == target.key)
    if case_ids is not None:
        stmt = stmt.where(Case.id.in_(case_ids))
    else:
        stmt = stmt.where(Case.status.in_(MIGRATABLE), Case.definition_id != target.id)
    return list(session.scalars(stmt.order_by(Case.id)))


def plan_migration(rt: Runtime, actor: Actor, definition_id: int,
                   case_ids: list[int] | None = None, restart: bool = False) -> list[CasePlan]:
    """Dry run: the plan for each running case of the process not on ``definition_id`` (or the given cases);
    ``restart``: the plan of a migration that restarts timers and deadlines."""
    with rt.reading() as session:
        target = _target(session, actor, definition_id)
        parsed = rt.definition(session, target.id)
        found = _cases(session, target, case_ids)
        if case_ids is not None and len(found) != len(set(case_ids)):
            missing = sorted(set(case_ids) - {c.id for c in found})
            raise Invalid(f"cases {missing} are not cases of process '{target.key}'",
                          [{"field": "cases", "message": f"unknown case ids: {missing}"}])
        return [_plan_case(rt, session, case, target, parsed, restart)[0] for case in found]


def _refresh_rows(session: so.Session, case: Case, parsed: ParsedDefinition, workflow: BpmnWorkflow,
                  rows: list[Task], restart_at: Any = None) -> None:
    """Open task rows take the new version's title, form and candidates; the assignee stays, and the due date
    too unless ``restart_at`` (then it is computed again from that time)."""
    for row in rows:
        try:
            spiff_task = workflow.get_task_from_id(UUID(row.id))
        except Exception:
            continue
        fresh = new_task_row(case, parsed, workflow, spiff_task, restart_at or row.created_at)
        row.title, row.form_key, row.lane = fresh.title, fresh.form_key, fresh.lane
        if restart_at is not None:
            row.due_at = fresh.due_at
        row.name = fresh.name
        if sorted(row.candidate_groups or []) != sorted(fresh.candidate_groups) or \
                sorted(row.candidate_users or []) != sorted(fresh.candidate_users):
            row.candidate_groups, row.candidate_users = fresh.candidate_groups, fresh.candidate_users
            row.candidates = fresh.candidates


def migrate_cases(rt: Runtime, actor: Actor, definition_id: int, case_ids: list[int],
                  restart: bool = False) -> list[CasePlan]:
    """Move each given case that is safe to ``definition_id`` (one transaction per case); returns every plan,
    refused ones with their blockers. ``restart``: timers and open tasks' deadlines count again from now."""
    results: list[CasePlan] = []
    for case_id in case_ids:
        try:
            results.append(_migrate_one(rt, actor, definition_id, case_id, restart))
        except Conflict as exc:  # rolled back: the case stays on its version
            with rt.reading() as session:
                case = session.get(Case, case_id)
                target = session.get(ProcessDefinition, definition_id)
                plan = CasePlan(case.id, case.business_key, case.title, case.status, case.definition.version,
                                target.version)
            plan.blockers.append({"reason": "failed", "element": "", "title": exc.message})
            results.append(plan)
    return results


def _timer_values(workflow: BpmnWorkflow) -> dict[Any, Any]:
    """The due times of the workflow's waiting timers, by task id (subprocesses included)."""
    return {task.id: task.internal_data["event_value"] for task in workflow.event_manager.tasks.values()
            if due_at(task) is not None and "event_value" in task.internal_data}


def _keep_timers(workflow: BpmnWorkflow, values: dict[Any, Any]) -> None:
    """Give the timers that are still waiting after the migration their due times from before."""
    for task_id, value in values.items():
        task = workflow.tasks.get(task_id) or next(
            (sp.tasks[task_id] for sp in workflow.subprocesses.values() if task_id in sp.tasks), None)
        if task is not None and task.state == TaskState.WAITING and due_at(task) is not None:
            task.internal_data["event_value"] = value


def _migrate_one(rt: Runtime, actor: Actor, definition_id: int, case_id: int, restart: bool = False) -> CasePlan:
    now = utcnow()
    with rt.transaction() as session:
        target = _target(session, actor, definition_id)
        parsed = rt.definition(session, target.id)
        case = session.get(Case, case_id, with_for_update=True)
        if case is None or case.process_key != target.key:
            raise NotFound(f"case {case_id} is not a case of process '{target.key}'")
        plan, workflow, diffs = _plan_case(rt, session, case, target, parsed, restart)
        if not plan.ok or workflow is None:
            return plan
        top, subs = diffs
        from_version, from_id = case.definition.version, case.definition_id
        kept = {} if restart else _timer_values(workflow)
        migrate_workflow(top, workflow, parsed.spec, reset_mask=RESET)
        for sp_id, sub_diff in subs.items():
            sub = workflow.subprocesses.get(sp_id)
            if sub_diff is None or sub is None:
                continue
            migrate_workflow(sub_diff, sub, parsed.subprocess_specs[sub.spec.name], reset_mask=RESET)
        _keep_timers(workflow, kept)
        error = advance(workflow)
        case.definition_id = target.id
        case.definition = target
        rows = save(rt, session, case, parsed, workflow, now, error)
        _refresh_rows(session, case, parsed, workflow, rows, now if restart else None)
        record(session, case, actor, "case_migrated", now,
               data={"from_version": from_version, "to_version": target.version,
                     "from_definition": from_id, "to_definition": target.id, "restart": restart,
                     "reset": plan.reset, "timers": plan.timers, "changed": plan.changed})
        if error:
            record(session, case, actor, "case_error", now, data={"message": error}, process=parsed.meta)
        try:  # the stored workflow must load on the new version, or nothing is written
            rt.load(session, case, parsed)
        except Exception as exc:
            raise Conflict(f"case {case.business_key} cannot run on version {target.version}: {exc}") from exc
    return plan
