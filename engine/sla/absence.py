"""Out of office: a user names a deputy for a range of days; new tasks and reminders go to the deputy."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden, Invalid
from engine.models import Event, User
from engine.workdays import LOCAL

from .models import Absence

if TYPE_CHECKING:
    from engine.runtime import Runtime


def today(now: datetime | None = None) -> date:
    """The local (Asia/Shanghai) date of ``now``."""
    return (now or utcnow()).astimezone(LOCAL).date()


def absence_json(row: Absence | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"username": row.username, "deputy": row.deputy, "starts_on": row.starts_on.isoformat(),
            "ends_on": row.ends_on.isoformat(), "note": row.note}


def current_absence(session: so.Session, username: str, on: date | None = None) -> Absence | None:
    """The user's absence covering ``on`` or starting later (the one they can still change)."""
    day = on or today()
    return session.scalars(sa.select(Absence).where(Absence.username == username, Absence.ends_on >= day)
                           .order_by(Absence.starts_on)).first()


def active_deputies(session: so.Session, on: date) -> dict[str, str]:
    """username -> deputy for every absence covering ``on`` (a small table: one indexed query)."""
    rows = session.execute(sa.select(Absence.username, Absence.deputy)
                           .where(Absence.ends_on >= on, Absence.starts_on <= on))
    return {username: deputy for username, deputy in rows}


_recent: weakref.WeakKeyDictionary[Any, tuple[date, float, dict[str, str]]] = weakref.WeakKeyDictionary()
_recent_lock = threading.Lock()
CACHE_SECONDS = 30.0


def deputies_cached(session: so.Session, on: date) -> dict[str, str]:
    """``active_deputies`` kept for up to 30 seconds per database, so creating a task costs no extra query;
    changes made in this process apply at once, those of other processes within 30 seconds."""
    bind = session.get_bind()
    with _recent_lock:
        hit = _recent.get(bind)
    if hit is not None and hit[0] == on and time.monotonic() - hit[1] < CACHE_SECONDS:
        return hit[2]
    found = active_deputies(session, on)
    with _recent_lock:
        _recent[bind] = (on, time.monotonic(), found)
    return found


def _forget() -> None:
    with _recent_lock:
        _recent.clear()


def resolve(username: str, deputies: dict[str, str]) -> str:
    """Follow the chain of deputies (A away -> B, B away -> C gives C); a cycle stops where it closes."""
    seen = {username}
    while username in deputies and deputies[username] not in seen:
        username = deputies[username]
        seen.add(username)
    return username


def substitute(usernames: Iterable[str], deputies: dict[str, str]) -> list[str]:
    """The recipients with every absent person replaced by their (final) deputy."""
    return sorted({resolve(u, deputies) for u in usernames if u})


def _chain_reaches(session: so.Session, start: str, target: str, starts_on: date, ends_on: date) -> list[str] | None:
    """The deputy chain from ``start`` over absences overlapping the dates, if it comes back to ``target``."""
    rows = session.execute(sa.select(Absence.username, Absence.deputy)
                           .where(Absence.ends_on >= starts_on, Absence.starts_on <= ends_on)).all()
    edges: dict[str, set[str]] = {}
    for user, deputy in rows:
        edges.setdefault(user, set()).add(deputy)
    path, todo, seen = {start: [target, start]}, [start], {start}
    while todo:
        user = todo.pop()
        for nxt in sorted(edges.get(user, ())):
            if nxt == target:
                return [*path[user], target]
            if nxt not in seen:
                seen.add(nxt)
                path[nxt] = [*path[user], nxt]
                todo.append(nxt)
    return None


def _parse_day(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(f"{name} must be a date such as 2026-10-08", [{"field": name, "message": "not a date"}],
                      reason="date_invalid") from None


def set_absence(rt: Runtime, actor: Actor, username: str, deputy: str, starts_on: Any, ends_on: Any,
                note: str | None = None) -> Absence:
    """Record (or replace) ``username``'s absence; the user or an administrator may. Cycles are refused."""
    if actor.username != username and not actor.is_admin:
        raise Forbidden("you may only set your own out-of-office deputy", reason="absence_own")
    start, end = _parse_day(starts_on, "starts_on"), _parse_day(ends_on, "ends_on")
    deputy = (deputy or "").strip()
    if end < start:
        raise Invalid("the last day is before the first day", [{"field": "ends_on", "message": "before starts_on"}],
                      reason="absence_order")
    if end < today():
        raise Invalid("the absence is already over", [{"field": "ends_on", "message": "in the past"}],
                      reason="absence_over")
    if not deputy:
        raise Invalid("a deputy is required", [{"field": "deputy", "message": "is required"}], reason="deputy_required")
    if deputy == username:
        raise Invalid("you cannot be your own deputy", [{"field": "deputy", "message": "same person"}],
                      reason="deputy_self")
    now = utcnow()
    with rt.transaction() as session:
        if session.scalar(sa.select(User.id).where(User.username == deputy, User.active.is_(True))) is None:
            raise Invalid(f"user '{deputy}' does not exist", [{"field": "deputy", "message": "unknown user"}],
                          reason="user_unknown", params={"person": deputy})
        session.execute(sa.delete(Absence).where(Absence.username == username, Absence.ends_on >= today(now)))
        cycle = _chain_reaches(session, deputy, username, start, end)
        if cycle:
            raise Invalid(f"{deputy} is away then too and their deputies lead back to you ({' → '.join(cycle)})",
                          [{"field": "deputy", "message": "cycle: " + " → ".join(cycle)}],
                          reason="deputy_cycle", params={"person": deputy})
        row = Absence(username=username, deputy=deputy, starts_on=start, ends_on=end,
                      note=(note or "").strip()[:256] or None, created_at=now)
        session.add(row)
        session.add(Event(actor=actor.username, kind="absence_set", at=now,
                          data={"username": username, **(absence_json(row) or {})}))
    _forget()
    return row


def clear_absence(rt: Runtime, actor: Actor, username: str) -> int:
    """End ``username``'s current and future absences; returns how many were removed."""
    if actor.username != username and not actor.is_admin:
        raise Forbidden("you may only change your own out-of-office deputy", reason="absence_own")
    now = utcnow()
    with rt.transaction() as session:
        count = session.execute(sa.delete(Absence).where(Absence.username == username,
                                                          Absence.ends_on >= today(now))).rowcount or 0
        if count:
            session.add(Event(actor=actor.username, kind="absence_cleared", at=now, data={"username": username}))
    _forget()
    return count
