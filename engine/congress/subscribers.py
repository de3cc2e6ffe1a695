"""Hook subscribers of the staff-congress feature (see engine.hooks); subscribed by ``engine.congress.register``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.access import Actor
from engine.models import Case, Task

from . import rules
from .congresses import delegates_of
from .notify import tell
from .proposals import PROCESS, link_case


def _ours(case: Case) -> bool:
    return case.process_key == PROCESS


def on_case_started(session: so.Session, case: Case, actor: Actor, now: datetime, **_: Any) -> None:
    if not _ours(case):
        return
    row = link_case(session, case, actor, now)
    others = [u for u in delegates_of(session, row.congress_id) if u != row.proposer]
    tell(session, others, "proposal_cosign", row, "cosign", now)


def on_task_completing(session: so.Session, case: Case, task: Task, actor: Actor, data: dict[str, Any],
                       now: datetime, **_: Any) -> None:
    if _ours(case):
        rules.check_completion(session, case, task, actor, data, now)


def on_task_created(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    if _ours(case):
        rules.record_stage(session, case, task, now)


def on_task_cancelled(session: so.Session, case: Case, task: Task, now: datetime, **_: Any) -> None:
    if _ours(case):
        rules.record_cancelled_task(session, case, task, now)


def on_task_completed(session: so.Session, case: Case, task: Task, actor: Actor, now: datetime, **_: Any) -> None:
    if _ours(case):
        rules.record_completion(session, case, task, actor, now)


def on_case_completed(session: so.Session, case: Case, now: datetime, **_: Any) -> None:
    if _ours(case):
        rules.record_end(session, case, now)


def on_case_cancelled(session: so.Session, case: Case, now: datetime, **_: Any) -> None:
    if _ours(case):
        rules.record_end(session, case, now, cancelled=True)


HANDLERS = {"case_started": on_case_started, "task_completing": on_task_completing, "task_created": on_task_created,
            "task_completed": on_task_completed, "task_cancelled": on_task_cancelled,
            "case_completed": on_case_completed, "case_cancelled": on_case_cancelled}
