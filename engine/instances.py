"""Case commands: start, cancel, retry after an error, and waking timers. One transaction each."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .access import Actor
from .casework import advance, clean_input, command_scope, record, save
from .clock import utcnow
from .direct import Direct
from .errors import Conflict, Forbidden, Invalid, NotFound
from .models import Case, CaseCounter, ProcessDefinition
from .notifications import acting
from .projection import preload
from .queries import latest_definition, visible_task
from .runtime import Runtime
from .writes import fresh, insert_case


def may_start(actor: Actor, definition: ProcessDefinition) -> bool:
    """May ``actor`` start a case of ``definition``? Never for a retired process; else its starters may."""
    if definition.retired_at is not None:
        return False
    starters = [g.strip() for g in (definition.settings or {}).get("starters", "").split(",") if g.strip()]
    return actor.is_admin or not starters or bool(actor.groups & set(starters))


def _counter_upsert(insert: Any) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING`` of the case counter, in a dialect's ``insert``."""
    table = CaseCounter.__table__
    stmt = insert(table).values(prefix=sa.bindparam("prefix"), year=sa.bindparam("year"), last=1)
    return stmt.on_conflict_do_update(index_elements=["prefix", "year"],
                                      set_={"last": table.c.last + 1}).returning(table.c.last)


_COUNTER = Direct(lambda dialect: _counter_upsert({"sqlite": sqlite_insert, "postgresql": pg_insert}[dialect]),
                  by_dialect=True)


def _next_business_key(session: so.Session, prefix: str, year: int) -> str:
    """The next number for ``prefix`` and ``year``: one atomic upsert, safe under concurrent starts."""
    ((number,),) = _COUNTER.fetch(session, {"prefix": prefix, "year": year})
    return f"{prefix}{year}-{number:03d}"


def start_case(rt: Runtime, actor: Actor, process_key: str, data: dict[str, Any] | None = None) -> Case:
    """Start a case of the latest version of ``process_key`` with initial ``data``."""
    data = clean_input(data or {})
    if not isinstance(data, dict):
        raise Invalid("case data must be a JSON object", [{"field": "data", "message": "must be an object"}])
    with rt.transaction() as session:
        case, workflow = begin_case(rt, session, actor, latest_definition(session, process_key), data, utcnow())
    rt.checkin(case, workflow)
    return case


def begin_case(rt: Runtime, session: so.Session, actor: Actor, definition: ProcessDefinition,
               data: dict[str, Any], now: Any) -> tuple[Case, Any]:
    """Inside the caller's transaction: start a case of ``definition`` for ``actor`` (who must be allowed to).

    :raises Conflict: the process is retired. :raises Forbidden: the actor may not start it.
    """
    if definition.retired_at is not None:
        raise Conflict(f"process '{definition.key}' is retired: it takes no new cases")
    if not may_start(actor, definition):
        raise Forbidden(f"you may not start process '{definition.key}'")
    return open_case(rt, session, actor, definition, data, now)


def open_case(rt: Runtime, session: so.Session, actor: Actor, definition: ProcessDefinition, data: dict[str, Any],
              now: Any, event: Any = None) -> tuple[Case, Any]:
    """Create a case of ``definition`` inside the caller's transaction and run it to its first wait; ``event``
    (a message or signal) is delivered to its start event. The starter goes into ``initiator`` (and into the
    variable ``camunda:initiator`` names)."""
    acting(session, actor.username)
    parsed = rt.definition(session, definition.id)
    workflow = rt.new_workflow(session, parsed)
    data.setdefault("initiator", actor.username)
    if parsed.meta.initiator:
        data[parsed.meta.initiator] = actor.username
    workflow.get_next_task(spec_name="Start").set_data(**data)
    settings = definition.settings or {}
    prefix = settings.get("businessKeyPrefix", f"{definition.key.upper()}-")
    case = fresh(  # a new row: built without per-attribute events (engine.writes.fresh)
        Case, definition_id=definition.id, process_key=definition.key,
        business_key=_next_business_key(session, prefix, now.year),
        title=str(data.get(settings.get("titleField", "title"), ""))[:512] or None,
        status="running", workflow="", data={}, started_by=actor.username, started_at=now, updated_at=now,
    )
    insert_case(session, case)  # the case exists (with its id) before its first steps run their connectors
    preload(session, case.id, [], set())  # a new case has no task rows yet
    scope = command_scope(session, case, parsed, definition.id, actor, now)
    error = advance(workflow, scope)
    if event is not None and error is None:
        workflow.send_event(event)
        error = advance(workflow, scope)
    save(rt, session, case, parsed, workflow, now, error)
    record(session, case, actor, "case_started", now, data={"process": definition.key,
                                                            "version": definition.version, "data": case.data},
           process=parsed.meta)
    if error:
        record(session, case, actor, "case_error", now, data={"message": error}, process=parsed.meta)
    return case, workflow


def get_case_row(session: so.Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def cancel_case(rt: Runtime, actor: Actor, case_id: int, reason: str) -> Case:
    """Cancel a running case (supervisors and admins); its open tasks are cancelled too."""
    if not actor.is_supervisor:
        raise Forbidden("only supervisors and administrators may cancel a case")
    if not reason or not reason.strip():
        raise Invalid("a reason is required", [{"field": "reason", "message": "is required"}])
    now = utcnow()
    with rt.transaction() as session:
        case = get_case_row(session, case_id)
        if case.status not in ("running", "error"):
            raise Conflict(f"case {case.business_key} is {case.status}, not running")
        parsed = rt.definition(session, case.definition_id)
        workflow = rt.checkout(case, parsed)
        workflow.cancel()
        case.status, case.ended_at = "cancelled", now
        save(rt, session, case, parsed, workflow, now)
        record(session, case, actor, "case_cancelled", now, data={"reason": reason.strip()}, process=parsed.meta)
    rt.checkin(case, workflow)
    return case


def retry_case(rt: Runtime, actor: Actor, case_id: int, data: dict[str, Any] | None = None) -> Case:
    """Run a failed step again, with ``data`` corrections merged into what it sees; the case stays in
    error if it fails again."""
    if not actor.is_supervisor:
        raise Forbidden("only supervisors and administrators may retry a case")
    now = utcnow()
    with rt.transaction() as session:
        case = get_case_row(session, case_id)
        if case.status != "error":
            raise Conflict(f"case {case.business_key} is not in error")
        parsed = rt.definition(session, case.definition_id)
        workflow = rt.checkout(case, parsed)
        fixes = clean_input(data or {})
        for task in workflow.get_tasks(state=TaskState.ERROR):
            task.parent.set_data(**fixes)  # a ready task inherits its parent's data when it runs again
            workflow.reset_from_task_id(task.id)
        error = advance(workflow, command_scope(session, case, parsed, case.definition_id, actor, now))
        save(rt, session, case, parsed, workflow, now, error)
        record(session, case, actor, "case_retried", now, data={"data": fixes, "error": error})
    rt.checkin(case, workflow)
    return case


# A running case whose earliest timer has passed, locked for the command (built once; id and time parameters).
_DUE_CASE = (sa.select(Case).where(Case.id == sa.bindparam("case_id"), Case.status == "running",
                                   Case.wake_at <= sa.bindparam("now"))
             .with_for_update(skip_locked=True))


def fire_timers(rt: Runtime, case_id: int) -> Case | None:
    """Fire the case's due timers and run on; None when they are not due or another scheduler holds the
    case right now (its row is claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    now = utcnow()
    with rt.transaction() as session:
        case = session.scalars(_DUE_CASE, {"case_id": case_id, "now": now}).first()
        if case is None:
            return None
        parsed = rt.definition(session, case.definition_id)
        workflow = rt.checkout(case, parsed)
        workflow.refresh_timers()
        error = advance(workflow, command_scope(session, case, parsed, case.definition_id, None, now))
        save(rt, session, case, parsed, workflow, now, error)
        record(session, case, "scheduler", "timers_fired", now, data={"error": error} if error else None)
    rt.checkin(case, workflow)
    return case


def wake_case(rt: Runtime, case_id: int) -> Case:
    """Fire the case's due timers if any (else return it unchanged)."""
    fired = fire_timers(rt, case_id)
    if fired is not None:
        return fired
    with rt.reading() as session:
        return get_case_row(session, case_id)


def due_cases(rt: Runtime, limit: int = 100) -> list[int]:
    """Ids of running cases whose earliest timer has passed (indexed on status, wake_at)."""
    with rt.reading() as session:
        return list(session.scalars(
            sa.select(Case.id).where(Case.status == "running", Case.wake_at <= utcnow())
            .order_by(Case.wake_at).limit(limit)
        ))


def task_values(rt: Runtime, actor: Actor, task_id: str) -> dict[str, Any]:
    """The data an open task sees in its case's workflow (a multi-instance task: its own item), for callers
    that may read the task."""
    with rt.reading() as session:
        task = visible_task(session, actor, task_id)
        case = get_case_row(session, task.case_id)
        workflow = rt.peek(case, rt.definition(session, case.definition_id))
        try:
            spiff_task = workflow.get_task_from_id(UUID(task_id))
        except Exception as exc:  # the branch that held it is gone
            raise NotFound(f"task {task_id} is no longer in its case") from exc
        return rt.store.to_json_safe(dict(spiff_task.data))
