"""BPMN timers on the engine's clock, and the earliest wake-up time of a workflow."""

from __future__ import annotations

import datetime as _dt

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
from SpiffWorkflow.bpmn import BpmnWorkflow

from .clock import clock


class _ClockDatetime(_dt.datetime):
    """SpiffWorkflow's timer module asks ``datetime.now``; answer with the engine's clock."""

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        now = clock.now()
        return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ClockDatetime


def next_wake(workflow: BpmnWorkflow) -> _dt.datetime | None:
    """The earliest due time of the workflow's waiting timers, or None."""
    times = []
    for event in workflow.waiting_events():
        if "Time" in event.event_type and event.value:  # duration, date and cycle timer definitions
            try:
                when = _dt.datetime.fromisoformat(str(event.value))
            except ValueError:
                continue
            times.append(when if when.tzinfo else when.replace(tzinfo=_dt.UTC))
    return min(times) if times else None
