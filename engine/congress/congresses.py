"""Congresses, sessions and delegates: setting them up and asking who belongs where."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden, Invalid, NotFound

from .models import Congress, CongressSession, Delegate

LEVELS = ("school", "department")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators may set up congresses")


def create_congress(session: so.Session, actor: Actor, key: str, name: str, level: str = "school",
                    department: str | None = None, committee_group: str = "committee",
                    presidium_group: str = "presidium", leader_group: str = "leader",
                    settings: dict[str, Any] | None = None) -> Congress:
    """A school congress or a department's 二级教代会 with the groups that run its proposals."""
    require_admin(actor)
    if level not in LEVELS:
        raise Invalid(f"level must be one of {', '.join(LEVELS)}", [{"field": "level", "message": "unknown level"}])
    if level == "department" and not department:
        raise Invalid("a department congress names its department", [{"field": "department",
                                                                       "message": "is required"}])
    if session.scalar(sa.select(Congress.id).where(Congress.key == key)):
        raise Invalid(f"congress '{key}' exists", [{"field": "key", "message": "already used"}])
    row = Congress(key=key, name=name, level=level, department=department, committee_group=committee_group,
                   presidium_group=presidium_group, leader_group=leader_group, settings=settings or {},
                   created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def create_session(session: so.Session, actor: Actor, congress: Congress, name: str, term: int, number: int,
                   opens_at: datetime, cutoff_at: datetime, self_check_on: date | None = None,
                   settings: dict[str, Any] | None = None) -> CongressSession:
    """A session (届/次) whose proposal collection runs from ``opens_at`` to ``cutoff_at``."""
    require_admin(actor)
    if cutoff_at <= opens_at:
        raise Invalid("the cutoff must come after the opening", [{"field": "cutoff_at",
                                                                  "message": "must be after opens_at"}])
    row = CongressSession(congress_id=congress.id, name=name, term=term, number=number, opens_at=opens_at,
                          cutoff_at=cutoff_at, self_check_on=self_check_on, settings=settings or {})
    session.add(row)
    session.flush()
    return row


def add_delegate(session: so.Session, actor: Actor, congress: Congress, username: str,
                 delegation: str = "") -> Delegate:
    require_admin(actor)
    found = session.scalar(sa.select(Delegate).where(Delegate.congress_id == congress.id,
                                                     Delegate.username == username))
    if found is not None:
        return found
    row = Delegate(congress_id=congress.id, username=username, delegation=delegation)
    session.add(row)
    session.flush()
    return row


def get_congress(session: so.Session, key_or_id: str | int) -> Congress:
    stmt = sa.select(Congress)
    stmt = stmt.where(Congress.id == key_or_id) if isinstance(key_or_id, int) else stmt.where(Congress.key == key_or_id)
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"congress {key_or_id} does not exist")
    return row


def get_session(session: so.Session, session_id: int) -> CongressSession:
    row = session.get(CongressSession, session_id)
    if row is None:
        raise NotFound(f"congress session {session_id} does not exist")
    return row


def current_session(session: so.Session, congress: Congress, now: datetime | None = None) -> CongressSession:
    """The session whose collection window is open now, else the latest one."""
    now = now or utcnow()
    rows = session.scalars(sa.select(CongressSession).where(CongressSession.congress_id == congress.id)
                           .order_by(CongressSession.opens_at.desc())).all()
    if not rows:
        raise NotFound(f"congress {congress.key} has no session")
    for row in rows:
        if row.opens_at <= now <= row.cutoff_at:
            return row
    return rows[0]


def is_delegate(session: so.Session, congress_id: int, username: str) -> bool:
    return bool(session.scalar(sa.select(Delegate.id).where(Delegate.congress_id == congress_id,
                                                            Delegate.username == username)))


def delegates_of(session: so.Session, congress_id: int) -> list[str]:
    return list(session.scalars(sa.select(Delegate.username).where(Delegate.congress_id == congress_id)
                                .order_by(Delegate.username)))


def congresses_of(session: so.Session, actor: Actor) -> list[Congress]:
    """Congresses the actor takes part in: as delegate, or through its committee/presidium/leader groups."""
    rows = session.scalars(sa.select(Congress).order_by(Congress.level.desc(), Congress.id)).all()
    mine = set(session.scalars(sa.select(Delegate.congress_id).where(Delegate.username == actor.username)))
    return [c for c in rows if actor.is_supervisor or c.id in mine or is_official(actor, c)]


def is_official(actor: Actor, congress: Congress) -> bool:
    """On the congress's committee, presidium or leaders (or a supervisor)."""
    return actor.is_supervisor or bool(actor.groups & {congress.committee_group, congress.presidium_group,
                                                       congress.leader_group})
