"""What the proposal pages and the archive read besides the proposals themselves: a proposal's congress and
session, the proposal it was merged into, the sessions to filter by, an archived proposal."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor

from .archive import ARCHIVED, readable_congresses
from .models import Congress, CongressSession, Proposal


def congress_and_session(session: so.Session, row: Proposal) -> tuple[Congress, CongressSession]:
    """The congress and the session a proposal belongs to."""
    return session.get(Congress, row.congress_id), session.get(CongressSession, row.session_id)


def merged_into(session: so.Session, row: Proposal) -> Proposal | None:
    """The proposal ``row`` was merged into, if any."""
    return session.get(Proposal, row.merged_into_id) if row.merged_into_id else None


def sessions_of(session: so.Session, congress_key: str | None) -> list[CongressSession]:
    """The sessions of a congress, newest first (none without a key)."""
    if not congress_key:
        return []
    return list(session.scalars(sa.select(CongressSession).join(Congress).where(Congress.key == congress_key)
                                .order_by(CongressSession.opens_at.desc())))


def archive_choices(session: so.Session, actor: Actor | None) -> tuple[list[Congress], list[CongressSession]]:
    """The congresses whose archive the caller may read, and their sessions (newest first)."""
    readable = readable_congresses(session, actor)
    congresses = list(session.scalars(sa.select(Congress).where(Congress.id.in_(readable))))
    sessions = list(session.scalars(sa.select(CongressSession).where(CongressSession.congress_id.in_(readable))
                                    .order_by(CongressSession.opens_at.desc())))
    return congresses, sessions


def archived_proposal(session: so.Session, actor: Actor | None, proposal_id: int) -> Proposal | None:
    """A proposal of the archive the caller may read, or None (absent, not archived, or not readable)."""
    row = session.get(Proposal, proposal_id)
    if row is None or row.outcome not in ARCHIVED or row.congress_id not in readable_congresses(session, actor):
        return None
    return row
