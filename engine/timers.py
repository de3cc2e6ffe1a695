"""BPMN timers on the engine's clock, and the earliest wake-up time of a workflow."""

from __future__ import annotations

import datetime as _dt

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask

from .clock import clock


class _ClockDatetime(_dt.datetime):
    """SpiffWorkflow's timer module asks ``datetime.now``; answer with the engine's clock."""

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        now = clock.now()
        return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ClockDatetime


def _timers(definition: object) -> list[TimerEventDefinition]:
    """The timers of an event definition: itself, or those of a combined event (event-based gateway, multiple)."""
    if isinstance(definition, TimerEventDefinition):
        return [definition]
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)]
    return []


def due_at(task: SpiffTask) -> _dt.datetime | None:
    """When a waiting timer task (or a gateway waiting on a timer among other events) is due, or None."""
    if not _timers(getattr(task.task_spec, "event_definition", None)):
        return None
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle: its next occurrence, while cycles remain
        value = value.get("next") if value.get("cycles") != 0 else None
    if not value:
        return None
    try:
        when = _dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=_dt.UTC)


def next_wake(workflow: BpmnWorkflow) -> _dt.datetime | None:
    """The earliest due time of the workflow's waiting timers, or None."""
    times = [when for task in workflow.event_manager.tasks.values() if (when := due_at(task)) is not None]
    return min(times) if times else None
