"""Date and working-day helpers that scripts, conditions, timer expressions and expression-valued properties call
by name (registered as sandbox helpers when this module is imported; the runtime imports it).

Dates in case data are ISO text: a day is ``YYYY-MM-DD`` on the Chinese calendar (Asia/Shanghai), a moment is
an ISO datetime with its offset, which is what a BPMN ``timeDate`` timer and a ``dueDate`` property take::

    rate_due = due_after(rating_workdays, "workdays")      # 23:59:59 of the 15th working day from now
    deadline = end_of_day(days_after(received_on, 15))     # a timeDate value
    today() > workdays_after(received_on, 3)               # a condition
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from .behaviours import Param, behaviours
from .clock import utcnow
from .workdays import LOCAL, add_workdays
from .workdays import due_after as _due_after

_DAY = Param("day", "a date: YYYY-MM-DD, an ISO datetime or a date", required=True)
_COUNT = Param("n", "how many days", required=True)


def as_day(value: Any) -> date:
    """A day on the Chinese calendar from a date, a datetime or ISO text.

    :raises ValueError: the value is not a date.
    """
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=LOCAL)).astimezone(LOCAL).date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        return as_day(datetime.fromisoformat(text)) if "T" in text else date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


@behaviours.helper("today", doc="Today on the Chinese calendar, as YYYY-MM-DD.")
def today() -> str:
    return utcnow().astimezone(LOCAL).date().isoformat()


@behaviours.helper("now", doc="The current moment, as an ISO datetime (UTC).")
def now() -> str:
    return utcnow().isoformat()


@behaviours.helper("days_after", doc="The day `n` calendar days after `day`, as YYYY-MM-DD.", params=[_DAY, _COUNT],
                   errors="ValueError when `day` is not a date.")
def days_after(day: Any, n: int) -> str:
    return (as_day(day) + timedelta(days=int(n))).isoformat()


@behaviours.helper("workdays_after", doc="The day `n` working days after `day` on China's official calendar (the day "
                   "itself not counted), as YYYY-MM-DD.", params=[_DAY, _COUNT],
                   errors="ValueError when `day` is not a date.")
def workdays_after(day: Any, n: int) -> str:
    return add_workdays(as_day(day), int(n)).isoformat()


@behaviours.helper("end_of_day", doc="The last second of `day` in China, as an ISO datetime: a BPMN timeDate or "
                   "dueDate value.", params=[_DAY], errors="ValueError when `day` is not a date.")
def end_of_day(day: Any) -> str:
    return datetime.combine(as_day(day), time(23, 59, 59), LOCAL).isoformat()


@behaviours.helper("due_after", doc="When a clock started at `start` (default: now) with the given duration falls "
                   "due, as an ISO datetime: like a task's dueIn, days end at 23:59:59 China time; `calendar` is "
                   "'calendar' or 'workdays'.",
                   params=[Param("duration", "an ISO 8601 duration (P15D, P1M) or a number of days", required=True),
                           Param("calendar", "'calendar' (default) or 'workdays'"),
                           Param("start", "where the clock starts (default: now)")],
                   errors="ValueError for a bad duration, calendar or start.")
def due_after(duration: Any, calendar: str = "calendar", start: Any = None) -> str:
    if calendar not in ("calendar", "workdays"):
        raise ValueError(f"calendar must be 'calendar' or 'workdays', not {calendar!r}")
    text = f"P{int(duration)}D" if isinstance(duration, int | float) and not isinstance(duration, bool) \
        else str(duration)
    return _due_after(_start(start), text, calendar).isoformat()


def _start(value: Any) -> datetime:
    """Now, a moment (datetime or ISO datetime text; naive means China time) or the start of a day."""
    if value is None:
        return utcnow()
    if isinstance(value, datetime) or "T" in str(value):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)
    return datetime.combine(as_day(value), time(0, 0), LOCAL)
