"""Readiness and metrics read from the database, so every worker reports the same truth."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.clock import utcnow
from engine.migrate import is_current
from engine.models import Case, Task
from engine.runtime import Runtime

from .models import SchedulerHeartbeat

HEARTBEAT_STALE = timedelta(minutes=5)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(rt: Runtime, woken: int = 0, started_at: datetime | None = None) -> None:
    """Record that this scheduler process is alive (one upsert-like write)."""
    now = utcnow()
    with rt.transaction() as session:
        row = session.get(SchedulerHeartbeat, process_name())
        if row is None:
            session.add(SchedulerHeartbeat(name=process_name(), beat_at=now, started_at=started_at or now,
                                           woken=woken))
        else:
            row.beat_at, row.woken = now, row.woken + woken


@dataclass
class Readiness:
    database: bool = False
    migrations: bool = False
    scheduler: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.database and self.migrations and self.scheduler


def readiness(rt: Runtime, scheduler_required: bool = True) -> Readiness:
    """Is this instance fit to serve: database reachable, schema at head, a scheduler beating recently?"""
    out = Readiness()
    try:
        with rt.reading() as session:
            session.execute(sa.text("SELECT 1"))
        out.database = True
    except Exception as exc:  # any driver error means "not ready", with the reason
        out.problems.append(f"database unreachable: {type(exc).__name__}")
        return out
    try:
        out.migrations = is_current(rt.db, rt.database_url)
    except Exception as exc:
        out.problems.append(f"cannot read the schema version: {type(exc).__name__}")
    if not out.migrations and not out.problems:
        out.problems.append("database schema is not at the newest migration (run `docket db upgrade`)")
    with rt.reading() as session:
        last = session.scalar(sa.select(sa.func.max(SchedulerHeartbeat.beat_at)))
    fresh = last is not None and utcnow() - last < HEARTBEAT_STALE
    out.scheduler = fresh or not scheduler_required
    if not fresh:
        out.problems.append("no scheduler heartbeat in the last 5 minutes" if last else "no scheduler has run yet")
    return out


def gauges(rt: Runtime) -> dict[str, float]:
    """Database-wide figures for /metrics: open, overdue and completed tasks, running cases, scheduler lag."""
    now = utcnow()
    with rt.reading() as session:
        open_tasks = session.scalar(sa.select(sa.func.count()).where(Task.state.in_(("open", "claimed"))))
        overdue = session.scalar(sa.select(sa.func.count()).where(Task.state.in_(("open", "claimed")),
                                                                  Task.due_at < now))
        completed = session.scalar(sa.select(sa.func.count()).where(Task.state == "completed"))
        running = session.scalar(sa.select(sa.func.count()).where(Case.status == "running"))
        errors = session.scalar(sa.select(sa.func.count()).where(Case.status == "error"))
        oldest_due = session.scalar(sa.select(sa.func.min(Case.wake_at)).where(Case.status == "running",
                                                                               Case.wake_at <= now))
        last_beat = session.scalar(sa.select(sa.func.max(SchedulerHeartbeat.beat_at)))
    return {
        "docket_tasks_open": open_tasks or 0,
        "docket_tasks_overdue": overdue or 0,
        "docket_task_completions_total": completed or 0,
        "docket_cases_running": running or 0,
        "docket_cases_error": errors or 0,
        "docket_scheduler_lag_seconds": (now - oldest_due).total_seconds() if oldest_due else 0.0,
        "docket_scheduler_heartbeat_age_seconds": (now - last_beat).total_seconds() if last_beat else -1.0,
    }
