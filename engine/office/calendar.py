"""The working-day calendar the office maintains: read and enter a year, see which years are unknown, and
recompute the due dates of open tasks that were counted over an unknown year (dry run first).

Due dates already computed never change by themselves: only ``recompute_due_dates`` moves them, task by task,
with an audit event on the case and one administrative event for the whole run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Invalid
from engine.models import Case, Event, Task, task_is_open
from engine.sla.clocks import schedule
from engine.sla.models import TaskClock
from engine.sla.rules import process_meta, rules_for
from engine.workdays import LOCAL, counted_over_unknown, due_after, refresh_calendar, year_days

from .audit import audit, require_admin
from .models import CalendarYear

if TYPE_CHECKING:
    from engine.runtime import Runtime

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _iso(days: Iterable[date]) -> list[str]:
    return sorted(d.isoformat() for d in days)


def calendar_json(session: so.Session, year: int) -> dict[str, Any]:
    """``{"year", "source", "holidays", "workdays"}`` as the calendar knows the year now."""
    _check_year(year)
    refresh_calendar(session)
    found = year_days(year)
    return {"year": year, "source": found.source, "holidays": _iso(found.holidays), "workdays": _iso(found.workdays)}


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}",
                      [{"field": "year", "message": f"{year} is out of range"}],
                      reason="year_range", params={"first": FIRST_YEAR, "last": LAST_YEAR})


def _dates(year: int, field: str, values: object) -> tuple[set[date], list[dict[str, str]]]:
    problems: list[dict[str, str]] = []
    if not isinstance(values, list):
        return set(), [{"field": field, "message": "must be a list of dates (YYYY-MM-DD)"}]
    found: set[date] = set()
    for i, value in enumerate(values):
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None:
            problems.append({"field": f"{field}.{i}", "message": f"{value!r} is not a date (YYYY-MM-DD)"})
        elif day.year != year:
            problems.append({"field": f"{field}.{i}", "message": f"{value} is not in {year}"})
        elif field == "workdays" and day.weekday() < 5:
            problems.append({"field": f"{field}.{i}", "message": f"{value} is a weekday; list only the Saturdays "
                             "and Sundays that are working days"})
        else:
            found.add(day)
    return found, problems


def put_year(session: so.Session, actor: Actor, year: int, holidays: object, workdays: object) -> dict[str, Any]:
    """Enter ``year`` by hand (source ``office``): due dates computed from now on use it.

    :raises Forbidden: unless ``actor`` is an administrator.
    :raises Invalid: naming each date outside the year, not a date, or both a holiday and a working day.
    """
    require_admin(actor, "enter the working-day calendar")
    _check_year(year)
    days_off, problems = _dates(year, "holidays", holidays)
    days_on, more = _dates(year, "workdays", workdays)
    problems += more
    problems += [{"field": "workdays", "message": f"{d.isoformat()} is both a holiday and a working day"}
                 for d in sorted(days_off & days_on)]
    if problems:
        raise Invalid(f"the calendar of {year} has errors: " + "; ".join(p["message"] for p in problems[:3]),
                      problems, reason="calendar_invalid", params={"year": year, "count": len(problems)})
    before = calendar_json(session, year)
    now = utcnow()
    row = session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.holidays, row.workdays = _iso(days_off), _iso(days_on)
    row.stamp, row.updated_by, row.updated_at = uuid.uuid4().hex, actor.username, now
    session.flush()
    refresh_calendar(session, force=True)
    after = {"year": year, "source": "office", "holidays": row.holidays, "workdays": row.workdays}
    audit(session, actor, "calendar_updated", f"calendar:{year}", before, after, now)
    return after


def unknown_soon(session: so.Session, now: datetime | None = None) -> list[int]:
    """This year and next year, those of them whose working days are unknown (for the banner)."""
    refresh_calendar(session)
    this = (now or utcnow()).astimezone(LOCAL).year
    return [y for y in (this, this + 1) if year_days(y).source == "unknown"]


def _clock_start(task: Task, case: Case, due_from: str | None) -> datetime:
    if due_from:
        value: Any = case.data or {}
        for part in due_from.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value:
            parsed = datetime.fromisoformat(value) if "T" in value else datetime.combine(
                date.fromisoformat(value[:10]), time(0), LOCAL)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL)
    return task.created_at


def _plan(session: so.Session, now: datetime) -> list[dict[str, Any]]:
    """Each open task flagged for an unknown year, with the due date the calendar gives it now."""
    refresh_calendar(session)
    rows = session.execute(sa.select(Task, Case).join(Case, Case.id == Task.case_id)
                           .where(task_is_open(), Task.calendar_warning.is_(True)).order_by(Task.due_at)).all()
    plans = []
    for task, case in rows:
        meta = process_meta(session, case.definition_id).tasks.get(task.name)
        clock_row = session.get(TaskClock, task.id)
        item: dict[str, Any] = {"task": task, "case": case, "clock": clock_row, "task_id": task.id,
                                "business_key": case.business_key, "title": task.title, "due_at": task.due_at,
                                "new_due_at": None, "still_unknown": True, "note": None}
        if meta is None or not meta.due_in or meta.calendar != "workdays":
            item["note"] = "no working-day deadline"
        elif task.due_at is None:
            item["note"] = "paused"
        else:
            start = _clock_start(task, case, meta.due_from)
            base = due_after(start, meta.due_in, "workdays")
            old_base = (clock_row.original_due_at if clock_row and clock_row.original_due_at else task.due_at)
            item["new_due_at"] = task.due_at + (base - old_base)
            item["base"], item["shift"] = base, base - old_base
            item["still_unknown"] = counted_over_unknown(start, base)
        plans.append(item)
    return plans


def recompute_due_dates(rt: Runtime, actor: Actor, dry_run: bool = True) -> list[dict[str, Any]]:
    """The open tasks whose working-day due date was counted over an unknown year, each with its due date as the
    calendar counts it now; unless ``dry_run``, move them (one transaction, audited per case and as a whole).

    :raises Forbidden: unless ``actor`` is an administrator.
    """
    require_admin(actor, "recompute due dates")
    now = utcnow()
    with (rt.reading() if dry_run else rt.transaction()) as session:
        plans = _plan(session, now)
        if not dry_run:
            changed = [_apply(session, actor, p, now) for p in plans]
            audit(session, actor, "due_dates_recomputed", "calendar", None,
                  [c for c in changed if c is not None], now)
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in p.items()
             if k in ("task_id", "business_key", "title", "due_at", "new_due_at", "still_unknown", "note")}
            for p in plans]


def _apply(session: so.Session, actor: Actor, plan: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    task: Task = plan["task"]
    if plan["new_due_at"] is None:
        return None
    before, shift = task.due_at, plan["shift"]
    task.due_at = plan["new_due_at"]
    task.calendar_warning = plan["still_unknown"]
    clock_row: TaskClock | None = plan["clock"]
    if clock_row is not None:
        clock_row.original_due_at = plan["base"]
        if task.due_at > now:
            clock_row.overdue_at = None
        schedule(clock_row, task, rules_for(session, plan["case"].definition_id, task.name), set(), now)
    if shift != timedelta(0):
        session.add(Event(case_id=task.case_id, task_id=task.id, actor=actor.username, kind="due_recomputed",
                          at=now, data={"task": task.name, "title": task.title, "from": before.isoformat(),
                                        "to": task.due_at.isoformat()}))
    return {"task": task.id, "case": plan["business_key"], "from": before.isoformat(),
            "to": task.due_at.isoformat()}
