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
from .definitions.meta import ProcessMeta
from .definitions.parse import ParsedDefinition
from .errors import DocketError
from .hooks import emit
from .models import Case, Event, Task
from .projection import sync
from .runtime import Runtime

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
    session.add(Event(case_id=case.id if case is not None else None, task_id=task.id if task else None,
                      actor=who, kind=kind, at=at, data=data))
    if kind in HOOKED:
        payload = {"case": case, "now": at, "process": process}
        if task is not None:
            payload["task"] = task
        if kind not in ("case_error", "case_cancelled"):
            payload["actor"] = actor
        emit(session, kind, **payload)


def advance(workflow: BpmnWorkflow) -> str | None:
    """Run the engine steps; a failing script or condition leaves the task in ERROR and returns the message."""
    try:
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


def run_engine_steps(workflow: BpmnWorkflow, rounds: int = 100) -> None:
    """``do_engine_steps`` until no engine task is ready: its closing timer refresh can make one ready (a cycle
    timer's catch event after its last cycle), which would otherwise wait for a wake-up that never comes."""
    for _ in range(rounds):
        workflow.do_engine_steps()
        if workflow.get_next_task(state=TaskState.READY, manual=False) is None:
            return


def _describe(exc: WorkflowException) -> str:
    spec = getattr(exc, "task_spec", None)
    where = f"{spec.bpmn_name or spec.name} ({spec.name}): " if spec is not None else ""
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
