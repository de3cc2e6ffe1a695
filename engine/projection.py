"""Keep a case's summary columns and its ``task`` rows in step with its workflow.

Called by every command after the workflow moved, inside the command's transaction.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask

from .definitions.meta import Assignment, TaskMeta
from .definitions.parse import ParsedDefinition
from .hooks import emit
from .models import OPEN_TASK_STATES, Case, Task, TaskCandidate
from .steps import Step, cancel_step
from .subscriptions import sync_subscriptions
from .timers import next_wake
from .workdays import LOCAL, as_due, counted_over_unknown, due_after
from .writes import fresh

log = logging.getLogger(__name__)
OPEN_STATES = OPEN_TASK_STATES


def _principals(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).split(",") if p.strip()]


def _evaluate(workflow: BpmnWorkflow, expression: str, data: dict[str, Any]) -> Any:
    return workflow.script_engine.environment.evaluate(expression, dict(data))


def _resolve(workflow: BpmnWorkflow, assignment: Assignment, data: dict[str, Any]) -> list[str]:
    found = list(assignment.literals)
    for expr in assignment.expressions:
        try:
            found.extend(_principals(_evaluate(workflow, expr, data)))
        except Exception as exc:  # a bad expression must not stop the case; the task falls back to its lane
            log.warning("assignment expression %r failed: %s", expr, exc)
    return list(dict.fromkeys(found))


def _task_meta(parsed: ParsedDefinition, spiff_task: SpiffTask) -> TaskMeta | None:
    return parsed.meta.tasks.get(spiff_task.task_spec.bpmn_id or spiff_task.task_spec.name)


def _clock_start(meta: TaskMeta, data: dict[str, Any], now: datetime) -> datetime:
    """Where a ``dueIn`` clock starts: the date in the case-data field ``dueFrom`` names, else now."""
    if not meta.due_from:
        return now
    value: Any = data
    for part in meta.due_from.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value in (None, ""):
        log.warning("task %s: dueFrom field %r is empty; its clock starts now", meta.element_id, meta.due_from)
        return now
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), LOCAL)
    raise ValueError(f"dueFrom field {meta.due_from!r} holds {type(value).__name__}, not a date")


def _due(workflow: BpmnWorkflow, meta: TaskMeta | None, data: dict[str, Any], now: datetime) -> datetime | None:
    """The task's due date: Camunda ``dueDate``, or ``dueIn`` on its calendar from now or the ``dueFrom`` date."""
    if meta is None:
        return None
    try:
        if meta.due_date:
            return as_due(_evaluate(workflow, meta.due_date, data))
        if meta.due_in:
            return due_after(_clock_start(meta, data, now), meta.due_in, meta.calendar)
    except Exception as exc:
        log.warning("due date of task %s could not be computed: %s", meta.element_id, exc)
    return None


def _over_unknown_year(meta: TaskMeta | None, data: dict[str, Any], now: datetime, due: datetime | None) -> bool:
    """A ``dueIn`` on working days that was counted over a year whose holidays nobody entered."""
    if meta is None or not meta.due_in or meta.calendar != "workdays" or meta.due_date or due is None:
        return False
    try:
        return counted_over_unknown(_clock_start(meta, data, now), due)
    except ValueError:
        return False


def new_task_row(case: Case, parsed: ParsedDefinition, workflow: BpmnWorkflow, spiff_task: SpiffTask,
                 now: datetime) -> Task:
    """The row for a user task the workflow just made ready."""
    meta = _task_meta(parsed, spiff_task)
    data = spiff_task.data
    groups: list[str] = []
    users: list[str] = []
    assignee: list[str] = []
    if meta is not None:
        groups = _resolve(workflow, meta.candidate_groups, data)
        users = _resolve(workflow, meta.candidate_users, data)
        assignee = _resolve(workflow, meta.assignee, data)
    lane = spiff_task.task_spec.lane
    if not (groups or users or assignee) and lane:
        groups = [parsed.meta.lane_groups.get(lane, lane)]
    title = spiff_task.task_spec.bpmn_name or spiff_task.task_spec.name
    if spiff_task.task_spec.name.endswith(" [child]") or "[child]" in spiff_task.task_spec.name:
        item = spiff_task.task_spec.task_info(spiff_task).get("instance")
        title = f"{title} #{item + 1}" if isinstance(item, int) else title
    row = fresh(
        Task, id=str(spiff_task.id), case_id=case.id, process_key=case.process_key,
        name=(meta.element_id if meta else spiff_task.task_spec.bpmn_id or spiff_task.task_spec.name), title=title,
        form_key=meta.form_key if meta else None, lane=lane, candidate_groups=groups, candidate_users=users,
        assignee=assignee[0] if assignee else None, state="claimed" if assignee else "open",
        created_at=now, due_at=_due(workflow, meta, data, now), claimed_at=now if assignee else None,
    )
    row.calendar_warning = _over_unknown_year(meta, data, now, row.due_at)
    # a new row's collection holds what its INSERT writes: set as loaded, without the collection's events
    so.attributes.set_committed_value(row, "candidates", [
        fresh(TaskCandidate, task_id=row.id, kind=kind, principal=principal)
        for kind, principals in (("group", groups), ("user", users)) for principal in principals
    ])
    return row


LIVE = TaskState.READY | TaskState.WAITING | TaskState.ERROR


def case_data(workflow: BpmnWorkflow, live: list[SpiffTask] | None = None) -> dict[str, Any]:
    """The case's current variables: the process result when done, else the data the open tasks see (``live``: the
    workflow's tasks in a ``LIVE`` state, when the caller has them)."""
    if workflow.is_completed():
        return dict(workflow.data)
    if live is None:
        live = workflow.get_tasks(state=LIVE)
    merged: dict[str, Any] = {}
    for task in sorted(live, key=lambda t: t.last_state_change):
        merged.update(task.data)
    if not merged:
        done = [t for t in workflow.tasks.values() if t.state == TaskState.COMPLETED]
        if done:
            merged = dict(max(done, key=lambda t: t.last_state_change).data)
    return merged


def sync(session: so.Session, case: Case, parsed: ParsedDefinition, workflow: BpmnWorkflow,
         now: datetime, json_safe: Any) -> list[Task]:
    """Bring the task rows and the case summary in line with ``workflow``; returns the open rows. The hooks
    (and the ``cancelled`` phase of step rules) see the case's new data."""
    live = workflow.get_tasks(state=LIVE)  # one walk of the task tree: its ready user tasks are among these
    case.data = json_safe(case_data(workflow, live))
    ready = {str(t.id): t for t in live if t.state == TaskState.READY and t.task_spec.manual}
    rows = _rows_to_sync(session, case.id, ready)
    open_rows: list[Task] = []
    for row in rows:
        if row.id in ready:
            if row.state not in OPEN_STATES:  # made ready again (a retried or reset branch)
                row.state, row.completed_at, row.completed_by = "open", None, None
            open_rows.append(row)
            continue
        spiff_task = find_task(workflow, row.id)
        if spiff_task is not None and spiff_task.state == TaskState.COMPLETED:
            row.state = "completed"
            row.completed_at = row.completed_at or now
        else:
            row.state = "cancelled"
            row.completed_at = now
            emit(session, "task_cancelled", case=case, task=row, now=now, process=parsed.meta)
            cancel_step(Step(session, case, row, parsed.meta, now))
    known = {r.id for r in rows}
    for task_id, spiff_task in ready.items():
        if task_id not in known:
            row = new_task_row(case, parsed, workflow, spiff_task, now)  # written by casework.save
            open_rows.append(row)
            emit(session, "task_created", case=case, task=row, now=now, process=parsed.meta)
    case.wake_at = next_wake(workflow)
    case.updated_at = now
    if workflow.is_completed() and case.status not in ("cancelled", "completed"):
        case.status = "completed"
        case.ended_at = now
        emit(session, "case_completed", case=case, now=now, process=parsed.meta)
    sync_subscriptions(session, case, workflow)
    return open_rows


PRELOADED = "docket_case_rows"  # session.info: {case id: [open rows, ids of tasks that had run or waited]}
PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


def preload(session: so.Session, case_id: int, open_rows: list[Task], settled: set[UUID] | None = None) -> None:
    """The command already holds every open task row of the case (a new case: none): ``sync`` need not look
    them up. ``settled`` (see :func:`settle`) is given here for a new case, else by ``settle``."""
    session.info.setdefault(PRELOADED, {})[case_id] = [list(open_rows), settled]


def settle(session: so.Session, case_id: int, workflow: BpmnWorkflow) -> None:
    """Before the workflow moves: note the ids of its tasks that were past prediction (ready, waiting, done…).
    Only those can have a task row; a task that becomes ready later but was only predicted now is new."""
    entry = session.info.get(PRELOADED, {}).get(case_id)
    if entry is None:
        return
    flows = [workflow, *workflow.subprocesses.values()]
    entry[1] = {i for flow in flows for i, t in flow.tasks.items() if not t.state & PREDICTED}


def _rows_to_sync(session: so.Session, case_id: int, ready: dict[str, SpiffTask]) -> list[Task]:
    """The case's open rows and the rows of its ready tasks: from what the command preloaded when it can (only
    a ready task that had settled before and is not among them is looked up), else one SELECT."""
    entry = session.info.get(PRELOADED, {}).pop(case_id, None)
    if entry is None or entry[1] is None:
        return list(session.scalars(sa.select(Task).where(
            Task.case_id == case_id, sa.or_(Task.state.in_(OPEN_STATES), Task.id.in_(ready)))))
    loaded, settled = entry
    rows = [r for r in loaded if r.state in OPEN_STATES or r.id in ready]
    held = {r.id for r in loaded}
    unsure = [i for i, task in ready.items() if task.id in settled and i not in held]
    if unsure:  # made ready again (a reset branch): its row exists, closed
        rows.extend(session.scalars(sa.select(Task).where(Task.id.in_(unsure))))
    return rows


def find_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    """The workflow task with this id (in the case or its subprocesses), or None when it is gone."""
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:  # TaskNotFoundException: the branch holding it was removed
        return None


def reopen_row(session: so.Session, row: Task, case: Case, parsed: ParsedDefinition, workflow: BpmnWorkflow,
               now: datetime, assignee: str | None) -> None:
    """A completed step made ready again (returned to, or recalled) starts afresh: its candidates and due date
    are worked out again from the case data, and it goes to ``assignee`` (claimed) when one is given."""
    spiff_task = find_task(workflow, row.id)
    if spiff_task is None:
        return
    fresh = new_task_row(case, parsed, workflow, spiff_task, now)
    row.candidate_groups, row.candidate_users = fresh.candidate_groups, fresh.candidate_users
    wanted = {(c.kind, c.principal) for c in fresh.candidates}
    for candidate in list(row.candidates):
        if (candidate.kind, candidate.principal) not in wanted:
            row.candidates.remove(candidate)
    have = {(c.kind, c.principal) for c in row.candidates}
    row.candidates.extend(TaskCandidate(kind=k, principal=p) for k, p in sorted(wanted - have))
    person = assignee or fresh.assignee
    row.state, row.assignee, row.claimed_at = ("claimed", person, now) if person else ("open", None, None)
    row.created_at, row.due_at, row.completed_by, row.completed_at = now, fresh.due_at, None, None
