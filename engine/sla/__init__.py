"""SLA: due dates, pauses, extensions, reminders, escalation, out-of-office, the supervisors' board."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs

from .clocks import backfill_clocks
from .digest import send_digests
from .properties import register_properties
from .reminders import run_due
from .subscribers import refuse_locked_completion, restart_task_clock, start_task_clock, tell_about_new_task


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Subscribe to new tasks (deputies, the bell, the task's clock), steps made ready again (a fresh clock) and
    completions (locked after due), and
    add the ``sla`` (reminders, overdue marks, escalation; clocks backfilled on a start) and ``digests`` jobs;
    document the SLA properties."""
    hooks.subscribe("task_created", tell_about_new_task)
    hooks.subscribe("task_created", start_task_clock)
    hooks.subscribe("task_reopened", restart_task_clock)
    hooks.subscribe("task_completing", refuse_locked_completion)
    jobs.add("sla", run_due, catch_up=backfill_clocks)
    jobs.add("digests", send_digests)
    register_properties(behaviours)
