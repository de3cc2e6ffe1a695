"""The delegate's duty record (履职档案): per session, the proposals made and co-signed, the ratings given,
and meetings and other duties entered by hand; exportable as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden, Invalid
from engine.runtime import Runtime

from .congresses import get_session, is_delegate, is_official
from .models import Congress, CongressSession, Cosignature, Delegate, DutyEntry, Proposal

KINDS = ("meeting", "survey", "other")


def add_entry(rt: Runtime, actor: Actor, session_id: int, kind: str, title: str, happened_on: date,
              username: str | None = None) -> DutyEntry:
    """Record a meeting or other duty; delegates record their own, the committee anyone's.

    :raises Forbidden: someone else's record, by a delegate.
    :raises Invalid: not a delegate of the session's congress, or a bad kind or title.
    """
    with rt.transaction() as session:
        return _add_entry(session, actor, session_id, kind, title, happened_on, username)


def _add_entry(session: so.Session, actor: Actor, session_id: int, kind: str, title: str, happened_on: date,
               username: str | None) -> DutyEntry:
    term = get_session(session, session_id)
    congress = session.get(Congress, term.congress_id)
    who = username or actor.username
    if who != actor.username and not is_official(actor, congress):
        raise Forbidden("only the committee may record duties for other delegates")
    if not is_delegate(session, congress.id, who):
        raise Invalid(f"{who} is not a delegate of {congress.name}",
                      [{"field": "username", "message": "not a delegate"}])
    problems = []
    if kind not in KINDS:
        problems.append({"field": "kind", "message": f"must be one of {', '.join(KINDS)}"})
    if not title or not title.strip() or len(title) > 256:
        problems.append({"field": "title", "message": "is required (at most 256 characters)"})
    if problems:
        raise Invalid("the entry has errors", problems)
    row = DutyEntry(session_id=term.id, username=who, kind=kind, title=title.strip(), happened_on=happened_on,
                    created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def record(session: so.Session, actor: Actor, username: str | None = None) -> list[dict[str, Any]]:
    """One block per session of each congress where ``username`` (default: the actor) is a delegate."""
    who = username or actor.username
    congress_ids = list(session.scalars(sa.select(Delegate.congress_id).where(Delegate.username == who)))
    out = []
    for congress in session.scalars(sa.select(Congress).where(Congress.id.in_(congress_ids))):
        if who != actor.username and not is_official(actor, congress):
            continue
        for term in session.scalars(sa.select(CongressSession).where(CongressSession.congress_id == congress.id)
                                    .order_by(CongressSession.opens_at.desc())):
            made = session.scalars(sa.select(Proposal).where(
                Proposal.session_id == term.id, Proposal.status != "draft",
                sa.or_(Proposal.proposer == who))).all()
            made = list(made) + [p for p in session.scalars(sa.select(Proposal).where(
                Proposal.session_id == term.id, Proposal.proposer != who)) if who in (p.co_proposers or [])]
            signed = session.scalars(sa.select(Proposal).join(Cosignature, Cosignature.proposal_id == Proposal.id)
                                     .where(Proposal.session_id == term.id, Cosignature.username == who,
                                            Cosignature.withdrawn_at.is_(None))).all()
            entries = session.scalars(sa.select(DutyEntry).where(DutyEntry.session_id == term.id,
                                                                 DutyEntry.username == who)
                                      .order_by(DutyEntry.happened_on)).all()
            out.append({"congress": congress, "session": term, "made": made, "signed": list(signed),
                        "rated": [p for p in made if p.proposer == who and p.rating], "entries": list(entries)})
    return out


def to_csv(username: str, blocks: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["代表", "教代会", "届次", "类型", "编号/日期", "内容", "结果"])
    for b in blocks:
        head = [username, b["congress"].name, b["session"].name]
        for p in b["made"]:
            out.writerow([*head, "提案", p.business_key, p.title, p.outcome or p.status])
        for p in b["signed"]:
            out.writerow([*head, "附议", p.business_key, p.title, p.outcome or p.status])
        for p in b["rated"]:
            out.writerow([*head, "评价", p.business_key, p.title, p.rating])
        for e in b["entries"]:
            out.writerow([*head, {"meeting": "会议", "survey": "调研"}.get(e.kind, "其他"), e.happened_on.isoformat(),
                          e.title, ""])
    return "\ufeff" + buf.getvalue()
