"""Shared steps of every command: advancing a workflow safely, saving it, recording events."""

from __future__ import annotations

import copy
import logging
from datetime import datetime
from typing import Any

import sqlalchemy.orm as so
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy.exc import SQLAlchemyError

from .access import Actor
from .connectors.context import CommandScope
from .connectors.context import running as connector_scope
from .definitions.meta import ProcessMeta
from .definitions.parse import ParsedDefinition
from .direct import insert
from .errors import DocketError
from .hooks import emit
from .models import Case, Event, Task
from .projection import sync
from .runtime import Runtime
from .writes import write_case_rows

log = logging.getLogger(__name__)
HOOKED = {"case_started", "task_completed", "task_claimed", "task_released", "task_delegated",
          "case_cancelled", "case_error"}


def record(session: so.Session, case: Case | None, actor: Actor | str | None, kind: str, at: datetime,
           task: Task | None = None, data: dict[str, Any] | None = None, process: ProcessMeta | None = None) -> None:
    """Append one audit event (a task's id and title are recorded with it); the kinds features subscribe to
    are emitted as hooks with ``process``, the definition's reading of the BPMN."""
    who = actor.username if isinstance(actor, Actor) else actor
    if task is not None:
        data = {"task": task.name, "title": task.title, **(data or {})}
    row = {"case_id": case.id if case is not None else None, "task_id": task.id if task else None,
           "actor": who, "kind": kind, "at": at, "data": data}
    if _written_now(session, case):
        _INSERT_EVENT.executemany(session, [row])
    else:
        session.add(Event(**row))
    if kind in HOOKED:
        payload = {"case": case, "now": at, "process": process}
        if task is not None:
            payload["task"] = task
        if kind not in ("case_error", "case_cancelled"):
            payload["actor"] = actor
        emit(session, kind, **payload)


_INSERT_EVENT = insert(Event.__table__, ("case_id", "task_id", "actor", "kind", "at", "data"))


def _written_now(session: so.Session, case: Case | None) -> bool:
    """Can an event go straight to the database (a Core INSERT, no unit of work)? Yes when its case row exists
    and no event added to the session waits for the flush (events keep the order they happened in)."""
    if case is not None and (case.id is None or not so.attributes.instance_state(case).persistent):
        return False
    return not any(isinstance(obj, Event) for obj in session.new)


def command_scope(session: so.Session, case: Case, parsed: ParsedDefinition, definition_id: int,
                  actor: Actor | str | None, now: datetime) -> CommandScope:
    """What the service tasks reached by this command's engine steps work with (see ``advance``)."""
    who = actor.username if isinstance(actor, Actor) else actor
    return CommandScope(session, case, who, now, definition_id, parsed.forms)


def advance(workflow: BpmnWorkflow, scope: CommandScope | None = None) -> str | None:
    """Run the engine steps; a failing script, condition or connector leaves the task in ERROR and returns the
    message. Connectors of service tasks run in ``scope`` (the command's session, case and clock)."""
    try:
        with connector_scope(scope):
            run_engine_steps(workflow)
    except WorkflowException as exc:
        if isinstance(getattr(exc, "error", None), SQLAlchemyError) or isinstance(exc.__cause__, SQLAlchemyError):
            raise  # a data store write the database refused: the transaction ends
        return _describe(exc)
    except (SQLAlchemyError, DocketError):  # the database or a command's own refusal: the transaction ends
        raise
    except Exception as exc:  # the engine's own failure on this model: the case goes to error, never a 500
        log.exception("engine step failed")
        running = workflow.get_next_task(state=TaskState.READY | TaskState.STARTED, manual=False)
        where = f"{running.task_spec.bpmn_name or running.task_spec.name}: " if running is not None else ""
        return f"{where}{type(exc).__name__}: {exc}"[:2000]
    return None


def run_and_advance(workflow: BpmnWorkflow, task: Any, scope: CommandScope | None = None) -> str | None:
    """Complete the ready user ``task`` and run the engine steps after it. Completing runs the task's post-script
    and merges a multi-instance item; when that fails the task is left in ERROR and the message returned, as
    ``advance`` does for what follows."""
    try:
        task.run()
    except WorkflowException as exc:
        return _describe(exc)
    return advance(workflow, scope)


def run_engine_steps(workflow: BpmnWorkflow, rounds: int = 100) -> None:
    """``do_engine_steps`` until no engine task is ready: its closing timer refresh can make one ready (a cycle
    timer's catch event after its last cycle), which would otherwise wait for a wake-up that never comes."""
    for _ in range(rounds):
        workflow.do_engine_steps()
        if not _engine_task_ready(workflow):
            return


def _engine_task_ready(workflow: BpmnWorkflow) -> bool:
    """Is an engine (not manual) task of the workflow or its subprocesses ready? (a look at each task once, as
    ``get_next_task(state=READY, manual=False)`` would, without walking the task tree)"""
    return any(task.state == TaskState.READY and not task.task_spec.manual
               for flow in (workflow, *workflow.subprocesses.values()) for task in flow.tasks.values())


def _describe(exc: WorkflowException) -> str:
    spec = getattr(exc, "task_spec", None)
    label = getattr(spec, "bpmn_name", None) or getattr(spec, "name", "")
    where = f"{label} ({spec.name}): " if spec is not None else ""
    inner = getattr(exc, "error", None) or exc
    return f"{where}{inner}"[:2000]


def error_task_id(workflow: BpmnWorkflow) -> str | None:
    failed = workflow.get_tasks(state=TaskState.ERROR)
    return failed[0].task_spec.name if failed else None


def save(rt: Runtime, session: so.Session, case: Case, parsed: ParsedDefinition, workflow: BpmnWorkflow,
         now: datetime, error: str | None = None) -> list[Task]:
    """Write the workflow and its projection; ``error`` marks the case as failed at its current step. Events the
    workflow threw that nothing in it caught (messages, signals) go to the ``events_thrown`` hook, which delivers
    them to other cases in this transaction."""
    thrown = workflow.get_events()
    with session.no_autoflush:  # one UPDATE of the case row per command
        if error is not None:
            case.status, case.error_message, case.error_task = "error", error, error_task_id(workflow)
        elif case.status == "error":
            case.status, case.error_message, case.error_task = "running", None, None
        case.workflow = rt.store.dumps(workflow)
        rows = sync(session, case, parsed, workflow, now, rt.store.to_json_safe)
        if not case.title:  # a title the first form gives (the process's titleField) names the case from then on
            title = (case.data or {}).get(parsed.meta.settings.get("titleField", "title"))
            if isinstance(title, str | int) and str(title).strip():
                case.title = str(title).strip()[:512]
    write_case_rows(session, case, rows)
    rt.hold(session, case, workflow)  # a new case has its id now: a reply to it in this transaction finds it
    case.open_task_rows, case.definition_version = rows, parsed.version
    if thrown:
        emit(session, "events_thrown", rt=rt, case=case, events=thrown, now=now)
    return rows


def submit(spiff_task: Any, data: dict[str, Any]) -> None:
    """Put a completed task's submitted data into its task data: under the variable a SpiffWorkflow user task
    names (``spiffworkflow:variableName``), else merged at the top level."""
    variable = getattr(spiff_task.task_spec, "variable", None)
    if variable:
        spiff_task.set_data(**{variable: data})
    else:
        spiff_task.set_data(**data)


def clean_input(data: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of submitted data, so no nested object is shared with other tasks."""
    return copy.deepcopy(data)
