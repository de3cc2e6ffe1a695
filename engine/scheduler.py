"""Background jobs (APScheduler): wake cases whose BPMN timers are due.

Each wake-up is an ordinary revision-checked command, so two scheduler processes can never fire the
same timer twice: the second one finds the case moved on (or gets a conflict) and skips it.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .errors import Conflict
from .instances import due_cases, wake_case
from .runtime import Runtime

log = logging.getLogger(__name__)


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
                before = wake_case(rt, case_id)
            except Conflict:
                continue  # another scheduler or a user moved the case first
            progressed += 1
            if before.error_message:
                log.warning("case %s stopped with an error after its timer fired: %s", case_id, before.error_message)
        woken += progressed
        if progressed == 0 or len(ids) < batch:
            return woken


def add_jobs(scheduler: BackgroundScheduler | BlockingScheduler, rt: Runtime, every_seconds: int = 30) -> None:
    scheduler.add_job(wake_due, "interval", seconds=every_seconds, args=[rt], id="wake_due",
                      max_instances=1, coalesce=True, replace_existing=True)


def start_in_background(rt: Runtime, every_seconds: int = 30) -> BackgroundScheduler:
    """The in-process scheduler ``docket demo`` runs beside the web UI."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, rt, every_seconds)
    scheduler.start()
    return scheduler


def run_forever(rt: Runtime, every_seconds: int = 30) -> None:
    """``docket scheduler``: run the jobs in this process until stopped."""
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, rt, every_seconds)
    log.info("catching up on timers missed while stopped: %d case(s) woken", wake_due(rt))
    scheduler.start()
