"""Which cases are disputes, and who may see them (confidential: the parties, the handling committee, supervisors).

A case is a mediation or an appeal when its process declares ``casework="mediation"`` or ``casework="appeals"``
(whatever the process key); the committees and heads are keyed by that word.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor, involved_clause
from engine.errors import Forbidden, NotFound
from engine.models import Case
from engine.queries import casework_definitions
from engine.steps import CASEWORK

from .models import DisputeRecusal

MEDIATION, APPEALS = "mediation", "appeals"
KINDS = (MEDIATION, APPEALS)
"""The casework words of this feature; they are also the words of its pages and API (``/disputes/mediation``)."""
HEADS = {"mediation": "mediation-head", "appeals": "appeals-head"}  # the committee head decides recusals
COMMITTEES = {"mediation": ("mediation", "dept-union"), "appeals": ("appeals",)}
WARNING_GROUPS = frozenset({"mediation", "dept-union", "mediation-head", "supervisor", "admin"})
STATS_GROUPS = frozenset({"mediation", "mediation-head", "appeals", "appeals-head", "dept-union", "supervisor",
                          "admin"})


def recused_from(actor: Actor, case_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """SQL: the cases ``actor`` was recused from or withdrew from (a granted recusal): the bar that
    ``engine.disputes.register`` puts on them (``engine.access.bar_cases``), so a recused handler reads neither
    the case nor its documents and comments, and acts on none of its tasks."""
    return case_id.in_(sa.select(DisputeRecusal.case_id).where(DisputeRecusal.target == actor.username,
                                                               DisputeRecusal.status == "granted"))


def kind_of(case: Case) -> str | None:
    """``mediation`` or ``appeals``: the casework its process declares (None for any other case)."""
    word = (case.definition.settings or {}).get(CASEWORK)
    return word if word in KINDS else None


def kinds_by_definition(session: so.Session) -> dict[int, str]:
    """Definition id -> kind, for every deployed version of a mediation or appeal process."""
    return {definition_id: kind for kind in KINDS for definition_id, _ in casework_definitions(session, kind)}


def parties(case: Case) -> set[str]:
    """Usernames of the case's own parties: the applicant or appellant and whoever filed for them."""
    data = case.data or {}
    found = {case.started_by or "", str(data.get("applicant") or ""), str(data.get("appellant") or "")}
    return {p for p in found if p}


def may_read(session: so.Session, actor: Actor, case: Case) -> bool:
    """Involved users (the core's rule: starter, candidates, handlers) and supervisors, plus the parties; never a
    recused handler (the core's rule leaves them out)."""
    if actor.username in parties(case):
        return True
    return bool(session.scalar(sa.select(sa.literal(True)).where(Case.id == case.id, involved_clause(actor))))


def document_readers(session: so.Session, actor: Actor, case: Case) -> bool | None:
    """The read rule of the document service for dispute cases (None for any other case): their documents are
    read by whoever may read the case file."""
    if kind_of(case) is None:
        return None
    return may_read(session, actor, case)


def dispute_case(session: so.Session, actor: Actor, case_id: int) -> Case:
    """A mediation or appeal case the caller may read: 404 if there is none, 403 if it is not theirs."""
    case = session.get(Case, case_id)
    if case is None or kind_of(case) is None:
        raise NotFound(f"dispute case {case_id} does not exist", reason="case_missing")
    if not may_read(session, actor, case):
        raise Forbidden(f"case {case.business_key} is confidential: only its parties and handlers may see it",
                        reason="case_confidential", params={"case": case.business_key})
    return case


def is_committee(actor: Actor, kind: str | None) -> bool:
    """A member of the committee that handles cases of ``kind`` (or a supervisor)."""
    return actor.is_supervisor or bool(actor.groups & set(COMMITTEES.get(kind or "", ())))


def is_head(actor: Actor, kind: str | None) -> bool:
    """The head of the committee that handles cases of ``kind`` (or an administrator)."""
    return actor.is_admin or HEADS.get(kind or "", "") in actor.groups


def may_see_warnings(actor: Actor) -> bool:
    return bool(actor.groups & WARNING_GROUPS)


def may_see_statistics(actor: Actor) -> bool:
    return bool(actor.groups & STATS_GROUPS)
