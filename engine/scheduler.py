"""Background jobs (APScheduler): wake cases whose BPMN timers are due, and whatever the features add (SLA
reminders and escalations, daily digests, the scheduler's heartbeat).

The core registers one job, ``timers``; a feature adds its own to :data:`jobs` when it is registered (see
``engine.features``), so this module names no feature. Every job works from an indexed queue
(``process_instance.wake_at``, ``sla_clock.next_action_at``), so its cost does not grow with idle cases. Each
wake-up claims its case row with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (and is revision-checked everywhere),
so two scheduler processes never fire the same timer twice. After downtime the first run catches up: each
missed timer fires once, and only the latest missed reminder of a task is sent (see engine.sla.reminders); the
catch-up is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .errors import Conflict
from .instances import due_cases, fire_timers
from .runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A scheduler job: ``run(rt)`` does one round and returns how much it did; ``catch_up(rt)``, if given,
    runs once before the first round after the scheduler starts."""

    name: str
    run: Callable[[Runtime], int]
    catch_up: Callable[[Runtime], Any] | None = None


class Jobs:
    """The scheduler's jobs by name, run in the order they were added."""

    def __init__(self) -> None:
        self._items: dict[str, Job] = {}

    def add(self, name: str, run: Callable[[Runtime], int], *, catch_up: Callable[[Runtime], Any] | None = None
            ) -> Job:
        """Add the job ``name``; adding the same job again is a no-op.

        :raises ValueError: another job already has that name.
        """
        job = Job(name, run, catch_up)
        known = self._items.get(name)
        if known is not None and known != job:
            raise ValueError(f"scheduler job {name!r} is registered twice")
        self._items[name] = job
        return job

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._items.values()))


def wake_one(rt: Runtime, case_id: int) -> bool:
    """Fire one case's due timers, if no other scheduler holds it and they are still due; True when fired."""
    case = fire_timers(rt, case_id)
    if case is not None and case.error_message:
        log.warning("case %s stopped with an error after its timer fired: %s", case_id, case.error_message)
    return case is not None


def wake_due(rt: Runtime, batch: int = 100) -> int:
    """Fire every due timer (in batches, oldest first); returns how many cases were woken."""
    woken = 0
    while True:
        ids = due_cases(rt, batch)
        if not ids:
            return woken
        progressed = 0
        for case_id in ids:
            try:
                progressed += wake_one(rt, case_id)
            except Conflict:
                continue  # a user moved the case first
        woken += progressed
        if progressed == 0 or len(ids) < batch:
            return woken


jobs = Jobs()
"""Every scheduler job: the core's ``timers``, then each feature's."""
jobs.add("timers", wake_due)


def run_once(rt: Runtime) -> dict[str, int]:
    """One round of every job: {job name: what it did (cases woken, rules fired, mails sent, ...)}."""
    return {job.name: job.run(rt) for job in jobs}


def _safely(job: Job, rt: Runtime) -> None:
    try:
        job.run(rt)
    except Exception:  # a failing round must not stop the scheduler; the next round retries
        log.exception("scheduler job %s failed", job.name)


def add_jobs(scheduler: BackgroundScheduler | BlockingScheduler, rt: Runtime, every_seconds: int = 30) -> None:
    for job in jobs:
        scheduler.add_job(_safely, "interval", seconds=every_seconds, args=[job, rt], id=job.name,
                          max_instances=1, coalesce=True, replace_existing=True)


def start_in_background(rt: Runtime, every_seconds: int = 30) -> BackgroundScheduler:
    """The in-process scheduler ``docket demo`` runs beside the web UI."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, rt, every_seconds)
    scheduler.start()
    return scheduler


def catch_up(rt: Runtime) -> dict[str, int]:
    """The first round after a start: each job's own catch-up, then one round, logged so downtime shows."""
    for job in jobs:
        if job.catch_up is not None:
            job.catch_up(rt)
    done = run_once(rt)
    log.info("catch-up after start: %s", ", ".join(f"{name} {count}" for name, count in done.items()))
    return done


def run_forever(rt: Runtime, every_seconds: int = 30) -> None:
    """``docket scheduler``: catch up, then run the jobs in this process until stopped."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, rt, every_seconds)
    catch_up(rt)
    scheduler.start()
