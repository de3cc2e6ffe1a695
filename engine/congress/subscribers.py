"""Hook subscribers of the staff-congress feature (see engine.hooks); ``engine.congress.register`` subscribes them.

They act on the cases of processes that declare ``casework="proposals"``, whatever their key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.access import Actor
from engine.definitions.meta import ProcessMeta
from engine.models import Case, Task
from engine.steps import STAGE, casework_of, step_properties

from . import rules
from .congresses import delegates_of
from .notify import tell
from .proposals import link_case


def _ours(process: ProcessMeta | None) -> bool:
    return casework_of(process) == rules.CASEWORK


def on_case_started(session: so.Session, case: Case, actor: Actor, now: datetime, process: ProcessMeta,
                    **_: Any) -> None:
    """A proposal's case starts only from a published draft; the congress's other delegates are invited to co-sign."""
    if not _ours(process):
        return
    row = link_case(session, case, actor, now)
    others = [u for u in delegates_of(session, row.congress_id) if u != row.proposer]
    tell(session, others, "proposal_cosign", row, "cosign", now)


def on_task_created(session: so.Session, case: Case, task: Task, now: datetime, process: ProcessMeta,
                    **_: Any) -> None:
    if _ours(process):
        rules.record_stage(session, case, step_properties(process, task).get(STAGE), now)


def on_case_completed(session: so.Session, case: Case, now: datetime, process: ProcessMeta, **_: Any) -> None:
    if _ours(process):
        rules.record_end(session, case, now)


def on_case_cancelled(session: so.Session, case: Case, now: datetime, process: ProcessMeta, **_: Any) -> None:
    if _ours(process):
        rules.record_end(session, case, now, cancelled=True)


HANDLERS = {"case_started": on_case_started, "task_created": on_task_created, "case_completed": on_case_completed,
            "case_cancelled": on_case_cancelled}
