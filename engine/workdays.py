"""Due dates: ISO 8601 durations on the calendar or on China's official working days."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Asia/Shanghai")
DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_warned_years: set[int] = set()


def parse_duration(text: str) -> dict[str, float]:
    """``P1M2DT3H`` -> {'months': 1, 'days': 2, 'hours': 3}; raises ValueError naming the text."""
    match = DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        raise ValueError(f"'{text}' is not an ISO 8601 duration such as P10D or PT4H")
    return {k: float(v) for k, v in match.groupdict().items() if v}


def is_workday(day: date) -> bool:
    """A working day on China's official calendar (swapped weekends included); Mon-Fri beyond it."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (NotImplementedError, ImportError):
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
