"""Due dates: ISO 8601 durations on the calendar or on China's official working days.

Working days follow, for each year: the days the office entered (table ``calendar_year``, source ``office``),
else the ``chinese-calendar`` library for the years it knows (source ``library``), else nothing is known
(source ``unknown``): Monday to Friday count, and tasks whose due date was counted over such a year are flagged.

The office's years are cached per process, keyed by their write stamps: the first working-day computation of
each transaction reads the stamps (one small query) and reloads when another worker changed a year. Outside
any transaction the cache is used as it is.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import weakref
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from .office.models import CalendarYear

log = logging.getLogger(__name__)
LOCAL = ZoneInfo(os.environ.get("DOCKET_TIME_ZONE") or "Asia/Shanghai")  # the instance's time zone (a setting)
DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_warned_years: set[int] = set()


@dataclass(frozen=True)
class YearDays:
    """One year of the working-day calendar: its holidays and its weekend days that are working days."""

    year: int
    source: str  # office, library, unknown
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


def _library_years() -> dict[int, YearDays]:
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    years: dict[int, YearDays] = {}
    for year in sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays}):
        years[year] = YearDays(year, "library", frozenset(d for d in constants.holidays if d.year == year),
                               frozenset(d for d in constants.workdays if d.year == year))
    return years


LIBRARY = _library_years()


class _OfficeYears:
    """The office's years as last read, with the stamps they were read at."""

    def __init__(self) -> None:
        self.stamps: tuple[tuple[int, str], ...] = ()
        self.years: dict[int, YearDays] = {}
        self.lock = threading.Lock()

    def load(self, rows: list[Any]) -> None:
        stamps = tuple(sorted((r.year, r.stamp) for r in rows))
        if stamps == self.stamps:
            return
        years = {r.year: YearDays(r.year, "office", frozenset(date.fromisoformat(d) for d in r.holidays or ()),
                                  frozenset(date.fromisoformat(d) for d in r.workdays or ())) for r in rows}
        with self.lock:
            self.stamps, self.years = stamps, years


_office = _OfficeYears()
_session: ContextVar[weakref.ReferenceType[so.Session] | None] = ContextVar("calendar_session", default=None)
_CHECKED = "workdays_calendar_checked"


@sa.event.listens_for(so.Session, "after_begin")
def _remember_session(session: so.Session, transaction: Any, connection: Any) -> None:
    """The transaction a working-day computation in this thread would read the calendar in."""
    _session.set(weakref.ref(session))


def refresh_calendar(session: so.Session, force: bool = False) -> None:
    """Reload the office's years if another process changed them (once per transaction, unless ``force``: after
    this transaction wrote a year; a rollback is noticed by the next transaction's stamps)."""
    transaction = session.get_transaction()
    if not force and transaction is not None and session.info.get(_CHECKED) is transaction:
        return
    rows = session.execute(sa.select(CalendarYear.year, CalendarYear.stamp, CalendarYear.holidays,
                                     CalendarYear.workdays)).all()
    _office.load(list(rows))
    session.info[_CHECKED] = session.get_transaction()


def _fresh() -> None:
    ref = _session.get()
    session = ref() if ref is not None else None
    if session is not None and session.in_transaction():
        refresh_calendar(session)


def year_days(year: int) -> YearDays:
    """The calendar of ``year``: the office's, else the library's, else an unknown (empty) year."""
    _fresh()
    found = _office.years.get(year) or LIBRARY.get(year)
    return found if found is not None else YearDays(year, "unknown", frozenset(), frozenset())


def unknown_years(start: date, end: date) -> list[int]:
    """The years from ``start`` to ``end`` (inclusive) whose working days nobody knows."""
    low, high = sorted((start.year, end.year))
    return [y for y in range(low, high + 1) if year_days(y).source == "unknown"]


def counted_over_unknown(start: datetime, due: datetime | None) -> bool:
    """Was a working-day due date from ``start`` to ``due`` counted over a year nobody knows?"""
    return due is not None and bool(unknown_years(start.astimezone(LOCAL).date(), due.astimezone(LOCAL).date()))


def parse_duration(text: str) -> dict[str, float]:
    """``P1M2DT3H`` -> {'months': 1, 'days': 2, 'hours': 3}; raises ValueError naming the text."""
    match = DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        raise ValueError(f"'{text}' is not an ISO 8601 duration such as P10D or PT4H")
    return {k: float(v) for k, v in match.groupdict().items() if v}


def is_workday(day: date) -> bool:
    """A working day on China's official calendar (swapped weekends included); Monday to Friday in a year
    nobody knows (logged once per year and process)."""
    _fresh()
    found = _office.years.get(day.year) or LIBRARY.get(day.year)
    if found is not None:
        return found.is_workday(day)
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("no official holiday calendar for %s: counting Monday to Friday as working days", day.year)
    return day.weekday() < 5


def add_workdays(start: date, count: int) -> date:
    """The date ``count`` working days after ``start`` (the start day itself is not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def subtract_workdays(start: date, count: int) -> date:
    """The date ``count`` working days before ``start`` (the start day itself is not counted)."""
    day = start
    while count > 0:
        day -= timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for dom in range(day.day, 0, -1):
        try:
            return day.replace(year=year, month=month, day=dom)
        except ValueError:
            continue
    raise ValueError("unreachable")


def due_after(start: datetime, duration: str, calendar: str = "calendar") -> datetime:
    """When a task started at ``start`` with ``dueIn=duration`` falls due.

    Durations with a day part (days, weeks, months, years) end at 23:59:59 local time (Asia/Shanghai)
    of the last day; pure time durations (PT4H) are exact. ``calendar="workdays"`` counts days and
    weeks (5 days each) as working days.
    """
    parts = parse_duration(duration)
    local = start.astimezone(LOCAL)
    day = local.date()
    months = int(parts.get("years", 0) * 12 + parts.get("months", 0))
    if months:
        day = _add_months(day, months)
    days = int(parts.get("days", 0))
    weeks = int(parts.get("weeks", 0))
    if calendar == "workdays":
        day = add_workdays(day, days + weeks * 5)
    else:
        day += timedelta(days=days + weeks * 7)
    clock = timedelta(hours=parts.get("hours", 0), minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
    if months or days or weeks:
        end = datetime.combine(day, time(23, 59, 59), LOCAL) + clock
        return end.astimezone(start.tzinfo)
    return start + clock


def as_due(value: object) -> datetime | None:
    """A due date from an expression's result: a datetime, a date (end of that day) or an ISO string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), LOCAL)
    raise ValueError(f"a due date must be a date, a datetime or an ISO string, not {type(value).__name__}")
