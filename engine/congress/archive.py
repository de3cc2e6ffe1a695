"""The public proposal archive (提案库): an n-gram index that works the same on SQLite and PostgreSQL.

Text is split into runs of Chinese characters and of Latin letters/digits; a Chinese run gives its
overlapping two-character terms (so any two-character word of the body finds the proposal), a Latin run
gives the lower-cased word. A query matches the proposals holding every term of the query.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor

from .congresses import is_delegate, is_official
from .models import ArchiveTerm, Congress, Proposal
from .settings import effective

RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
ARCHIVED = ("registered",)
PAGE = 20


def terms(text: str) -> set[str]:
    """The index terms of ``text``: CJK bigrams (a lone character stays itself) and Latin words."""
    found: set[str] = set()
    for run in RUNS.findall(text or ""):
        if run.isascii():
            found.add(run.lower()[:32])
        elif len(run) == 1:
            found.add(run)
        else:
            found.update(run[i:i + 2] for i in range(len(run) - 1))
    return found


def document(row: Proposal) -> str:
    reply = row.reply or {}
    return " ".join(str(x or "") for x in (row.business_key, row.title, row.cause, row.analysis, row.suggestion,
                                           row.argument, reply.get("reply"), reply.get("measures"),
                                           row.grade_note, row.outcome_note))


def reindex(session: so.Session, row: Proposal) -> None:
    """Rewrite the proposal's terms (call after its text, reply or grade changed)."""
    session.execute(sa.delete(ArchiveTerm).where(ArchiveTerm.proposal_id == row.id))
    session.add_all(ArchiveTerm(proposal_id=row.id, term=t) for t in sorted(terms(document(row))))


def readable_congresses(session: so.Session, actor: Actor | None) -> list[int]:
    """Congresses whose archive the caller may read (``actor`` None: anonymous)."""
    out = []
    for congress in session.scalars(sa.select(Congress)).all():
        mode = effective(congress)["archive"]
        if mode == "public" or (actor is not None and mode == "staff"):
            out.append(congress.id)
        elif actor is not None and (is_official(actor, congress) or is_delegate(session, congress.id,
                                                                                actor.username)):
            out.append(congress.id)
    return out


def search(session: so.Session, actor: Actor | None, q: str = "", congress: str | None = None,
           session_id: int | None = None, category: str | None = None, department: str | None = None,
           status: str | None = None, page: int = 1) -> dict[str, Any]:
    """Archived proposals the caller may read, newest first, filtered and full-text searched."""
    stmt = sa.select(Proposal).where(Proposal.outcome.in_(ARCHIVED),
                                     Proposal.congress_id.in_(readable_congresses(session, actor)))
    wanted = terms(q)
    for term in sorted(wanted):
        stmt = stmt.where(sa.exists().where(ArchiveTerm.proposal_id == Proposal.id, ArchiveTerm.term == term))
    if congress:
        stmt = stmt.where(Proposal.congress_id == sa.select(Congress.id).where(Congress.key == congress)
                          .scalar_subquery())
    if session_id:
        stmt = stmt.where(Proposal.session_id == session_id)
    if category:
        stmt = stmt.where(Proposal.category == category)
    if department:
        stmt = stmt.where(Proposal.lead_department == department)
    if status:
        stmt = stmt.where(Proposal.status == status)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page = max(page, 1)
    rows = session.scalars(stmt.order_by(Proposal.registered_at.desc(), Proposal.id.desc())
                           .offset((page - 1) * PAGE).limit(PAGE)).all()
    return {"items": list(rows), "total": total, "page": page, "pages": max((total + PAGE - 1) // PAGE, 1)}


def similar(session: so.Session, actor: Actor | None, text: str, exclude: int | None = None,
            limit: int = 5) -> list[tuple[Proposal, float]]:
    """Earlier archived proposals sharing the most terms with ``text`` (the duplicate look-up on submit)."""
    wanted = terms(text)
    if not wanted:
        return []
    hits = sa.func.count(ArchiveTerm.term).label("hits")
    stmt = (sa.select(ArchiveTerm.proposal_id, hits).where(ArchiveTerm.term.in_(sorted(wanted)))
            .join(Proposal, Proposal.id == ArchiveTerm.proposal_id)
            .where(Proposal.outcome.in_(ARCHIVED), Proposal.congress_id.in_(readable_congresses(session, actor)))
            .group_by(ArchiveTerm.proposal_id).order_by(hits.desc()).limit(limit + 1))
    out = []
    for pid, count in session.execute(stmt).all():
        if pid != exclude and count / len(wanted) >= 0.2:
            out.append((session.get(Proposal, pid), round(count / len(wanted), 2)))
    return out[:limit]


def archive_json(p: Proposal) -> dict[str, Any]:
    """A registered proposal as the archive API shows it (API.md "Proposal archive")."""
    reply = p.reply or {}
    return {"id": p.id, "number": p.business_key, "title": p.title, "proposers": [p.proposer, *(p.co_proposers or [])],
            "category": p.category, "departments": [d for d in [p.lead_department, *(p.co_departments or [])] if d],
            "reply": {"type": reply.get("reply_type"), "text": reply.get("reply"), "measures": reply.get("measures"),
                      "completion_date": reply.get("completion_date")} if reply else None,
            "rating": p.rating, "grade": p.grade, "status": p.status, "cause": p.cause, "suggestion": p.suggestion,
            "registered_at": p.registered_at.isoformat() if p.registered_at else None}
