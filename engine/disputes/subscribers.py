"""Hook subscribers of mediation and appeals (see engine.hooks); ``engine.disputes.register`` subscribes them.

They act on the cases of processes that declare ``casework="mediation"`` or ``casework="appeals"``: a recused
handler may neither take nor complete a step, and an ended case leaves its notice behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.access import Actor
from engine.definitions.meta import ProcessMeta
from engine.models import Case
from engine.steps import casework_of

from .access import KINDS
from .notices import case_ended
from .validate import require_not_recused


def refuse_recused(session: so.Session, case: Case, actor: Actor, process: ProcessMeta, **_: Any) -> None:
    """A handler who has been recused from the case may not take or complete its steps."""
    if casework_of(process) in KINDS:
        require_not_recused(session, case, actor)


def on_case_completed(session: so.Session, case: Case, now: datetime, process: ProcessMeta, **_: Any) -> None:
    kind = casework_of(process)
    if kind in KINDS:
        case_ended(session, case, kind, process.settings, now)


HANDLERS = {"task_completing": refuse_recused, "task_claimed": refuse_recused, "case_completed": on_case_completed}
