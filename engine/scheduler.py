"""Background jobs (APScheduler): wake cases whose BPMN timers are due, mark overdue tasks, send reminders and
escalations, mail the daily digests.

Every job works from an indexed queue (``process_instance.wake_at``, ``sla_clock.next_action_at``), so its cost
does not grow with idle cases. Each wake-up claims its case row with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(and is revision-checked everywhere), so two scheduler processes never fire the same timer twice.
After downtime the first run catches up: each missed timer fires once, and only the latest missed reminder of
a task is sent (see engine.sla.reminders); the catch-up is logged.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .errors import Conflict
from .instances import due_cases, fire_timers
from .runtime import Runtime
from .sla.clocks import backfill_clocks
from .sla.digest import send_digests
from .sla.reminders import run_due

log = logging.getLogger(__name__)


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


def close_seconding(rt: Runtime) -> int:
    """Close co-signing of proposals whose session cutoff has passed."""
    from .congress.proposals import close_due_seconding

    return close_due_seconding(rt) or 0


def heartbeat(rt: Runtime) -> int:
    """Tell /readyz this scheduler process is alive."""
    from .ops.health import beat

    beat(rt)
    return 1


JOBS = (wake_due, run_due, send_digests, close_seconding, heartbeat)


def run_once(rt: Runtime) -> dict[str, int]:
    """One round of every job: timers woken, SLA rules fired, digests mailed, co-signing closed."""
    return {"timers": wake_due(rt), "sla": run_due(rt), "digests": send_digests(rt),
            "seconding": close_seconding(rt), "heartbeat": heartbeat(rt)}


def _safely(job, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    try:
        job(rt)
    except Exception:  # a failing round must not stop the scheduler; the next round retries
        log.exception("scheduler job %s failed", job.__name__)


def add_jobs(scheduler: BackgroundScheduler | BlockingScheduler, rt: Runtime, every_seconds: int = 30) -> None:
    for job in JOBS:
        scheduler.add_job(_safely, "interval", seconds=every_seconds, args=[job, rt], id=job.__name__,
                          max_instances=1, coalesce=True, replace_existing=True)


def start_in_background(rt: Runtime, every_seconds: int = 30) -> BackgroundScheduler:
    """The in-process scheduler ``docket demo`` runs beside the web UI."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, rt, every_seconds)
    scheduler.start()
    return scheduler


def catch_up(rt: Runtime) -> dict[str, int]:
    """The first round after a start: logged, so downtime shows in the log."""
    backfill_clocks(rt)
    done = run_once(rt)
    log.info("catch-up after start: %d case(s) woken, %d SLA rule(s) fired, %d digest(s) mailed",
             done["timers"], done["sla"], done["digests"])
    return done


def run_forever(rt: Runtime, every_seconds: int = 30) -> None:
    """``docket scheduler``: catch up, then run the jobs in this process until stopped."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, rt, every_seconds)
    catch_up(rt)
    scheduler.start()
