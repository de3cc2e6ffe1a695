"""Proposal statistics per congress and session: counters, the configured rates, breakdowns by department,
category and status, the on-time rate, and the proposals of the handling report (提案办理情况报告) as rows;
``report_files`` writes them as xlsx, CSV and DOCX."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden, Invalid
from engine.models import OPEN_TASK_STATES, Task
from engine.office.models import Unit
from engine.office.units import unit_names
from engine.users import display_names

from .congresses import is_delegate, is_official
from .models import Congress, CongressSession, Cosignature, Proposal
from .settings import DEFAULTS, effective

COUNTERS = ("submitted", "registered", "merged", "converted", "rejected", "withdrawn", "closed", "grade_A",
            "grade_B", "grade_C", "grade_D", "satisfied", "basic", "unsatisfied", "unrated", "rated")


def count(rows: list[Proposal]) -> dict[str, int]:
    """The counters over published proposals; grades, closing and ratings are counted among registered ones."""
    c: Counter[str] = Counter({k: 0 for k in COUNTERS})
    for p in rows:
        if p.status == "draft":
            continue
        c["submitted"] += 1
        if p.outcome in ("registered", "merged", "converted", "rejected", "withdrawn"):
            c[p.outcome] += 1
        if p.outcome != "registered":
            continue
        if p.status == "closed":
            c["closed"] += 1
        if p.grade:
            c[f"grade_{p.grade}"] += 1
        if p.rating in ("satisfied", "basic", "unsatisfied"):
            c[p.rating] += 1
            c["rated"] += 1
        elif p.rating == "none":
            c["unrated"] += 1
    return dict(c)


def rates(counters: dict[str, int], formulas: dict[str, dict[str, list[str]]]) -> dict[str, float | None]:
    """Each rate = sum of its numerator counters / sum of its denominator counters (None when 0/0)."""
    out: dict[str, float | None] = {}
    for name, formula in formulas.items():
        den = sum(counters.get(k, 0) for k in formula["den"])
        num = sum(counters.get(k, 0) for k in formula["num"])
        out[name] = round(num / den, 4) if den else None
    return out


def _allowed(session: so.Session, actor: Actor, congress: Congress) -> bool:
    return is_official(actor, congress) or is_delegate(session, congress.id, actor.username)


def _rows(session: so.Session, congress_ids: list[int], session_id: int | None, year: int | None
          ) -> list[Proposal]:
    stmt = sa.select(Proposal).where(Proposal.congress_id.in_(congress_ids), Proposal.status != "draft")
    if session_id:
        stmt = stmt.where(Proposal.session_id == session_id)
    rows = list(session.scalars(stmt.order_by(Proposal.business_key)))
    if year:
        rows = [p for p in rows if p.published_at and p.published_at.year == year]
    return rows


def _breakdown(rows: list[Proposal], key: str, formulas: dict[str, Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[Proposal]] = {}
    for p in rows:
        groups.setdefault(getattr(p, key) or "", []).append(p)
    out = []
    for name in sorted(groups):
        counters = count(groups[name])
        out.append({key.replace("lead_", ""): name or None, **counters, **rates(counters, formulas)})
    return out


def _deadlines(session: so.Session, rows: list[Proposal], now: datetime) -> list[tuple[int, list[str], str]]:
    """(case id, candidate groups, "on_time" / "late" / "open_overdue") of every task with a due date on the
    proposals' cases that is finished or already overdue; open tasks not yet due are left out."""
    case_ids = [p.case_id for p in rows if p.case_id]
    if not case_ids:
        return []
    stmt = (sa.select(Task.case_id, Task.candidate_groups, Task.due_at, Task.completed_at, Task.state)
            .where(Task.case_id.in_(case_ids), Task.due_at.is_not(None)))
    out = []
    for case_id, groups, due, done_at, state in session.execute(stmt):
        if state in OPEN_TASK_STATES:
            if due < now:
                out.append((case_id, list(groups or []), "open_overdue"))
        elif done_at is not None:
            out.append((case_id, list(groups or []), "on_time" if done_at <= due else "late"))
    return out


def _on_time(items: list[tuple[int, list[str], str]]) -> dict[str, Any]:
    """The supervision board's definition (``engine.sla.board.on_time_by_group``): tasks completed by their due
    date ÷ (tasks completed + open tasks already overdue), so a late open task lowers the rate."""
    c = Counter(kind for _case, _groups, kind in items)
    den = c["on_time"] + c["late"] + c["open_overdue"]
    return {"tasks_on_time": c["on_time"], "tasks_late": c["late"], "tasks_open_overdue": c["open_overdue"],
            "on_time_rate": round(c["on_time"] / den, 4) if den else None}


def _cosigners(session: so.Session, proposal_ids: list[int]) -> dict[int, list[str]]:
    """proposal id -> the usernames of its standing co-signatures (附议), in the order they signed."""
    out: dict[int, list[str]] = {}
    if not proposal_ids:
        return out
    stmt = (sa.select(Cosignature.proposal_id, Cosignature.username)
            .where(Cosignature.proposal_id.in_(proposal_ids), Cosignature.withdrawn_at.is_(None))
            .order_by(Cosignature.signed_at, Cosignature.id))
    for proposal_id, username in session.execute(stmt):
        out.setdefault(proposal_id, []).append(username)
    return out


def _checked_session(session: so.Session, chosen: list[Congress], session_id: int | None) -> str | None:
    """The name of the chosen session (None for every session).

    :raises Invalid: not a session of the chosen congresses
    """
    if session_id is None:
        return None
    term = session.get(CongressSession, session_id)
    if term is None or term.congress_id not in {c.id for c in chosen}:
        raise Invalid(f"session {session_id} is not a session of the chosen congress",
                      [{"field": "session", "message": "not a session of the chosen congress"}])
    return term.name


def report(session: so.Session, actor: Actor, congress: str | None = None, session_id: int | None = None,
           year: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The statistics the caller may see (one congress, or every congress they take part in).

    :raises Invalid: an unknown congress, a session of another congress, a year out of range (each names its
        parameter)
    :raises Forbidden: a congress the caller takes no part in
    """
    if year is not None and not 1900 <= year <= 2999:
        raise Invalid(f"year {year} is out of range", [{"field": "year", "message": "must be a year such as 2026"}])
    if congress:
        found = session.scalar(sa.select(Congress).where(Congress.key == congress))
        if found is None:
            raise Invalid(f"congress {congress} does not exist",
                          [{"field": "congress", "message": "no congress has this key"}])
        chosen = [found]
        if not _allowed(session, actor, found):
            raise Forbidden(f"you may not see the statistics of {found.name}")
    else:
        chosen = [c for c in session.scalars(sa.select(Congress).order_by(Congress.id)) if _allowed(session, actor, c)]
    session_name = _checked_session(session, chosen, session_id)
    formulas = effective(chosen[0])["rates"] if len(chosen) == 1 else DEFAULTS["rates"]
    rows = _rows(session, [c.id for c in chosen], session_id, year)
    counters = count(rows)
    by_status = Counter(p.status for p in rows)
    registered = [p for p in rows if p.outcome == "registered"]
    deadlines = _deadlines(session, registered, now or utcnow())
    signers = _cosigners(session, [p.id for p in rows])
    by_department = _breakdown(registered, "lead_department", formulas)
    groups = dict(session.execute(sa.select(Unit.key, Unit.group_key)).all())
    for d in by_department:
        group = groups.get(d["department"] or "", f"dept:{d['department']}")
        d.update(_on_time([t for t in deadlines if group in t[1]]))
    return {
        "congresses": [c.key for c in chosen], "session": session_id, "session_name": session_name, "year": year,
        **counters,
        **rates(counters, formulas), **_on_time(deadlines), "formulas": formulas,
        "by_department": by_department,
        "by_category": _breakdown(rows, "category", formulas),
        "by_status": [{"status": k, "count": v} for k, v in sorted(by_status.items())],
        "proposals": [handling_row(p, signers.get(p.id, [])) for p in rows],
        "names": display_names(session, sorted({u for p in rows for u in [p.proposer, *(p.co_proposers or []),
                                                                        *signers.get(p.id, [])]})),
        "units": unit_names(session),
        "title": "、".join(c.name for c in chosen),
    }


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def handling_row(p: Proposal, cosigners: list[str] | None = None) -> dict[str, Any]:
    """One proposal as the handling report lists it (codes and usernames; the file writers word them)."""
    reply = p.reply or {}
    return {"number": p.business_key, "title": p.title, "proposer": p.proposer,
            "co_proposers": list(p.co_proposers or []), "cosigners": list(cosigners or []), "category": p.category,
            "outcome": p.outcome,
            "status": p.status, "lead_department": p.lead_department, "co_departments": list(p.co_departments or []),
            "reply_type": reply.get("reply_type"), "reply": reply.get("reply"), "rating": p.rating,
            "rating_comment": p.rating_comment, "grade": p.grade, "grade_note": p.grade_note,
            "rehandled": p.rehandled, "published_at": _stamp(p.published_at),
            "registered_at": _stamp(p.registered_at), "closed_at": _stamp(p.closed_at)}
