"""Case commands: start, cancel, retry after an error, and waking timers. One transaction each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .access import Actor
from .casework import advance, clean_input, record, save
from .clock import utcnow
from .errors import Conflict, Forbidden, Invalid, NotFound
from .models import Case, CaseCounter, ProcessDefinition
from .notifications import acting
from .runtime import Runtime


def _latest(session: so.Session, key: str) -> ProcessDefinition:
    row = session.scalars(
        sa.select(ProcessDefinition).where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc())
    ).first()
    if row is None:
        raise NotFound(f"process '{key}' is not deployed")
    return row


def may_start(actor: Actor, definition: ProcessDefinition) -> bool:
    starters = [g.strip() for g in (definition.settings or {}).get("starters", "").split(",") if g.strip()]
    return actor.is_admin or not starters or bool(actor.groups & set(starters))


def _next_business_key(session: so.Session, prefix: str, year: int) -> str:
    """The next number for ``prefix`` and ``year``: one atomic upsert, safe under concurrent starts."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    stmt = insert(CaseCounter).values(prefix=prefix, year=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["prefix", "year"], set_={"last": CaseCounter.last + 1})
    number = session.execute(stmt.returning(CaseCounter.last)).scalar_one()
    return f"{prefix}{year}-{number:03d}"


def start_case(rt: Runtime, actor: Actor, process_key: str, data: dict[str, Any] | None = None) -> Case:
    """Start a case of the latest version of ``process_key`` with initial ``data``."""
    data = clean_input(data or {})
    if not isinstance(data, dict):
        raise Invalid("case data must be a JSON object", [{"field": "data", "message": "must be an object"}])
    now = utcnow()
    with rt.transaction() as session:
        case, workflow = begin_case(rt, session, actor, latest_definition(session, process_key), data, now)
    rt.checkin(case, workflow)
    return case


def latest_definition(session: so.Session, key: str) -> ProcessDefinition:
    """The newest deployed version of process ``key``.

    :raises NotFound: the process is not deployed.
    """
    return _latest(session, key)


def begin_case(rt: Runtime, session: so.Session, actor: Actor, definition: ProcessDefinition,
               data: dict[str, Any], now: datetime) -> tuple[Case, BpmnWorkflow]:
    """Inside the caller's transaction: start a case of ``definition`` and run it to its first wait.

    :raises Forbidden: the actor may not start this process.
    """
    process_key = definition.key
    acting(session, actor.username)
    if not may_start(actor, definition):
        raise Forbidden(f"you may not start process '{process_key}'")
    parsed = rt.definition(session, definition.id)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=rt.script_engine)
    data.setdefault("initiator", actor.username)
    workflow.get_next_task(spec_name="Start").set_data(**data)
    error = advance(workflow)
    settings = definition.settings or {}
    prefix = settings.get("businessKeyPrefix", f"{process_key.upper()}-")
    case = Case(
        definition_id=definition.id, process_key=definition.key,
        business_key=_next_business_key(session, prefix, now.year),
        title=str(data.get(settings.get("titleField", "title"), ""))[:512] or None,
        status="running", workflow="", data={}, started_by=actor.username, started_at=now, updated_at=now,
    )
    session.add(case)
    session.flush()
    save(rt, session, case, parsed, workflow, now, error)
    record(session, case, actor, "case_started", now, data={"process": process_key,
                                                            "version": definition.version, "data": case.data})
    if error:
        record(session, case, actor, "case_error", now, data={"message": error})
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
        record(session, case, actor, "case_cancelled", now, data={"reason": reason.strip()})
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
        error = advance(workflow)
        save(rt, session, case, parsed, workflow, now, error)
        record(session, case, actor, "case_retried", now, data={"data": fixes, "error": error})
    rt.checkin(case, workflow)
    return case


def fire_timers(rt: Runtime, case_id: int) -> Case | None:
    """Fire the case's due timers and run on; None when they are not due or another scheduler holds the
    case right now (its row is claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    now = utcnow()
    with rt.transaction() as session:
        case = session.scalars(sa.select(Case).where(Case.id == case_id, Case.status == "running",
                                                     Case.wake_at <= now)
                               .with_for_update(skip_locked=True)).first()
        if case is None:
            return None
        parsed = rt.definition(session, case.definition_id)
        workflow = rt.checkout(case, parsed)
        workflow.refresh_timers()
        error = advance(workflow)
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
