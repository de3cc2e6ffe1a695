"""Task commands: complete, claim, release, delegate. One transaction each, revision-checked."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow

from .access import Actor, CaseBar, barred_column, case_bars, is_candidate, refuse_barred, require_task_action
from .casework import clean_input, command_scope, record, run_and_advance, save, submit
from .clock import utcnow
from .direct import Direct
from .errors import Conflict, Forbidden, Invalid, NotFound
from .forms import validate_submission
from .hooks import emit
from .models import Case, Draft, Group, Task, User
from .notifications import acting
from .office.units import served_form
from .projection import preload, settle
from .runtime import Runtime
from .steps import Step, check_step, record_step
from .writes import loaded

OPEN = ("open", "claimed")
HELD = "docket_held"  # session.info: rows the command keeps loaded
UNDRAFTED = "docket_undrafted"  # session.info: ids of tasks the command's lookup found without any draft
# Has anyone a draft of the task's form? (a task's draft key is ``task:<id>``: engine.approval.drafts.task_target)
_HAS_DRAFT = sa.exists().where(Draft.target == sa.literal("task:") + Task.id)


def found_undrafted(session: so.Session, task_id: str) -> bool:
    """Did this command's task lookup find that nobody has a draft of the task? (then none needs deleting)"""
    return task_id in session.info.get(UNDRAFTED, ())


def get_task_row(session: so.Session, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


def open_task_for(session: so.Session, actor: Actor, task_id: str) -> Task:
    """The open task ``actor`` may act on now, its case loaded too.

    :raises NotFound: no such task. :raises Forbidden: not the actor's. :raises Conflict: closed, or held by
    someone else.
    """
    task, _case = _open_task(session, actor, task_id)
    if task.assignee not in (None, actor.username) and not actor.is_supervisor:
        raise Conflict(f"task '{task.title}' is claimed by {task.assignee}")
    return task


@lru_cache(maxsize=256)
def _lookup(actor: Actor, bars: tuple[CaseBar, ...]) -> sa.Select:
    """The task lookup for ``actor`` (built once per actor and set of bar rules; the task id is a parameter):
    the task, its case, and the feature bars in one statement."""
    barred = barred_column(actor, Task.case_id)
    # the stored workflow is read only when the runtime's hot cache lacks it (Runtime.checkout)
    return (sa.select(Task, Case, barred).join(Case, Case.id == Task.case_id).where(Task.id == sa.bindparam("task_id"))
            .options(so.defer(Case.workflow)))


_TASK_COLUMNS = tuple(sa.inspect(Task).column_attrs.keys())
_CASE_COLUMNS = tuple(key for key in sa.inspect(Case).column_attrs.keys() if key != "workflow")
_TASK_ID = _TASK_COLUMNS.index("id")


@lru_cache(maxsize=256)
def _lookup_with_siblings(actor: Actor, bars: tuple[CaseBar, ...]) -> Direct:
    """:func:`_lookup` for a completion, run on the driver (engine.direct): the task, the case's other open rows,
    whether anyone drafted each, its case (all but the stored workflow) and the feature bars."""

    def build() -> sa.Select:
        task_id = sa.bindparam("task_id")
        case_of = sa.select(Task.case_id).where(Task.id == task_id).scalar_subquery()
        columns = [getattr(Task, key) for key in _TASK_COLUMNS] + [getattr(Case, key) for key in _CASE_COLUMNS]
        return (sa.select(*columns, _HAS_DRAFT, barred_column(actor, Task.case_id))
                .join(Case, Case.id == Task.case_id)
                .where(Task.case_id == case_of,
                       sa.or_(Task.id == task_id, Task.state.in_([sa.literal(state) for state in OPEN]))))

    return Direct(build)


def _open_task(session: so.Session, actor: Actor, task_id: str, siblings: bool = False) -> tuple[Task, Case]:
    """The task and its case in one SELECT; with ``siblings`` also the case's other open rows (handed to
    ``projection.preload``) and which of them nobody drafted (:func:`found_undrafted`)."""
    if siblings:
        task, case, barred = _with_siblings(session, actor, task_id)
    else:
        row = session.execute(_lookup(actor, case_bars()), {"task_id": task_id}).first()
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        task, case, barred = row
    # The identity map holds objects weakly: keep the case for the command, so session.get(Case, ...) costs no query.
    session.info.setdefault(HELD, []).append(case)
    if task.state not in OPEN and _could_have_acted(actor, task):
        raise Conflict(f"task '{task.title}' is {task.state}, no longer open")
    require_task_action(actor, task)
    refuse_barred(barred, task.title)  # a feature's bar (a recused handler), read in the same statement
    if task.state not in OPEN:
        raise Conflict(f"task '{task.title}' is {task.state}, no longer open")
    return task, case


def _with_siblings(session: so.Session, actor: Actor, task_id: str) -> tuple[Task, Case, bool]:
    """The task, its case and the bar, with the case's open rows preloaded and their drafts noted."""
    rows = _lookup_with_siblings(actor, case_bars()).fetch(session, {"task_id": task_id})
    found = [row for row in rows if row[_TASK_ID] == task_id]
    if not found:
        raise NotFound(f"task {task_id} does not exist")
    width, row = len(_TASK_COLUMNS), found[0]
    case = loaded(session, Case, dict(zip(_CASE_COLUMNS, row[width:width + len(_CASE_COLUMNS)], strict=True)))
    tasks = [loaded(session, Task, dict(zip(_TASK_COLUMNS, r[:width], strict=True))) for r in rows]
    task = next(t for t in tasks if t.id == task_id)
    preload(session, case.id, [t for t in tasks if t.state in OPEN])
    session.info.setdefault(UNDRAFTED, set()).update(r[_TASK_ID] for r in rows if not r[-2])  # _HAS_DRAFT
    return task, case, row[-1]  # the bar


def _could_have_acted(actor: Actor, task: Task) -> bool:
    """Could ``actor`` have acted on ``task`` while it was open? Then a closed task is their conflict (409),
    not a refusal (403): someone else merely got there first."""
    return (actor.is_supervisor or is_candidate(actor, task)
            or actor.username in (task.assignee, task.completed_by))


def complete_task(rt: Runtime, actor: Actor, task_id: str, data: dict[str, Any] | None,
                  expected_revision: int | None = None) -> Case:
    """Validate ``data`` against the task's form and complete it; the workflow runs on to its next wait."""
    if data is not None and not isinstance(data, dict):
        raise Invalid("task data must be a JSON object", [{"field": "data", "message": "must be an object"}])
    data = clean_input(data or {})
    now = utcnow()
    with rt.transaction() as session:
        task, case = _open_task(session, actor, task_id, siblings=True)
        if task.assignee not in (None, actor.username) and not actor.is_supervisor:
            raise Conflict(f"task '{task.title}' is claimed by {task.assignee}")
        if expected_revision is not None and case.revision != expected_revision:
            raise Conflict(f"case {case.business_key} is at revision {case.revision}, not {expected_revision}")
        workflow = finish_task(rt, session, actor, case, task, data, now)
    rt.checkin(case, workflow)
    return case


def finish_task(rt: Runtime, session: so.Session, actor: Actor, case: Case, task: Task, data: dict[str, Any],
                now: datetime, workflow: BpmnWorkflow | None = None) -> BpmnWorkflow:
    """Inside the caller's transaction: validate ``data`` and complete the open ``task`` of ``case`` (its
    workflow checked out unless given); returns the workflow for the caller to check in after commit.

    :raises Invalid: the form has errors. :raises Conflict: the task is not ready in the workflow.
    """
    acting(session, actor.username)
    parsed = rt.definition(session, case.definition_id)
    emit(session, "task_completing", case=case, task=task, actor=actor, data=data, now=now, process=parsed.meta)
    schema = served_form(session, parsed.forms.get(task.form_key)) if task.form_key else None
    if schema is not None:
        errors = validate_submission(schema, data)
        if errors:
            raise Invalid("the form has errors", [e.detail() for e in errors])
    step = Step(session, case, task, parsed.meta, now, actor, data)
    check_step(step)
    before = dict(case.data or {})
    workflow = workflow or rt.checkout(case, parsed)
    settle(session, case.id, workflow)
    spiff_task = workflow.get_task_from_id(UUID(task.id))
    if spiff_task.state != TaskState.READY:
        raise Conflict(f"task '{task.title}' is not ready in the workflow")
    submit(spiff_task, data)
    error = run_and_advance(workflow, spiff_task,
                            command_scope(session, case, parsed, case.definition_id, actor, now))
    task.state, task.completed_by, task.completed_at, task.data = "completed", actor.username, now, \
        rt.store.to_json_safe(data)
    if task.assignee is None:
        task.assignee, task.claimed_at = actor.username, now
    save(rt, session, case, parsed, workflow, now, error)
    record(session, case, actor, "task_completed", now, task,
           {"data": task.data, "changes": data_changes(before, case.data or {})}, parsed.meta)
    record_step(step)
    if error:
        record(session, case, actor, "case_error", now, data={"message": error}, process=parsed.meta)
    return workflow


def data_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every case variable the command changed (old is None when new)."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def claim_task(rt: Runtime, actor: Actor, task_id: str) -> Task:
    """Take an open group task; someone else's claim is a conflict."""
    now = utcnow()
    with rt.transaction() as session:
        task = get_task_row(session, task_id)
        if task.assignee not in (None, actor.username) and is_candidate(actor, task):
            raise Conflict(f"task '{task.title}' is already claimed by {task.assignee}")
        task, case = _open_task(session, actor, task_id)
        if task.assignee == actor.username:
            return task
        if task.assignee is not None:
            raise Conflict(f"task '{task.title}' is already claimed by {task.assignee}")
        task.assignee, task.state, task.claimed_at = actor.username, "claimed", now
        record(session, case, actor, "task_claimed", now, task, process=rt.definition(session, case.definition_id).meta)
    return task


def release_task(rt: Runtime, actor: Actor, task_id: str) -> Task:
    """Give a claimed task back to its groups (a personal task, which has none, stays with its person)."""
    now = utcnow()
    with rt.transaction() as session:
        task, case = _open_task(session, actor, task_id)
        if task.assignee is None:
            return task
        if task.assignee != actor.username and not actor.is_supervisor:
            raise Forbidden(f"task '{task.title}' is claimed by {task.assignee}, not by you")
        if not (task.candidate_groups or task.candidate_users):
            raise Conflict(f"task '{task.title}' is {task.assignee}'s own: there is no group to give it back to")
        previous = task.assignee
        task.assignee, task.state, task.claimed_at = None, "open", None
        record(session, case, actor, "task_released", now, task, {"from": previous},
               rt.definition(session, case.definition_id).meta)
    return task


def delegate_task(rt: Runtime, actor: Actor, task_id: str, username: str) -> Task:
    """Hand a task to another user who is allowed to do it."""
    now = utcnow()
    with rt.transaction() as session:
        task, case = _open_task(session, actor, task_id)
        if task.assignee not in (None, actor.username) and not actor.is_supervisor:
            raise Forbidden(f"task '{task.title}' is claimed by {task.assignee}, not by you")
        target = session.scalar(sa.select(User).where(User.username == username, User.active.is_(True)))
        if target is None:
            raise Invalid(f"user '{username}' does not exist", [{"field": "user", "message": "unknown user"}])
        groups = frozenset(session.scalars(sa.select(Group.key).join(Group.members).where(User.id == target.id)))
        if not is_candidate(Actor(target.username, groups), task) and "admin" not in groups:
            raise Invalid(f"{username} is not allowed to do task '{task.title}'",
                          [{"field": "user", "message": "not among the task's candidate groups or users"}])
        previous = task.assignee
        task.assignee, task.state, task.claimed_at = target.username, "claimed", now
        record(session, case, actor, "task_delegated", now, task, {"from": previous, "to": target.username},
               rt.definition(session, case.definition_id).meta)
    return task
