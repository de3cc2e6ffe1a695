"""Date helpers for scripts, conditions and timer expressions, on the engine's clock.

Scripts use them without importing anything: ``datetime``, ``date`` and ``timedelta`` behave like Python's
(``datetime(2026, 3, 1)``, ``date.fromisoformat(text)``, ``timedelta(days=3)``), except that ``datetime.now()``
and ``date.today()`` read the engine's clock and ``datetime.now()`` is timezone-aware in China Standard Time
(Asia/Shanghai), so ``(datetime.now() + timedelta(days=3)).isoformat()`` is a timer date that means the same
on every server. ``timezone`` gives ``timezone.utc`` and fixed offsets. ``add_workdays``,
``subtract_workdays`` and ``is_workday`` count China's official working days (``engine.workdays``); they take
a date, a datetime or an ISO date text and answer with a date.

Helpers that answer with ISO text, for case data and timer values:

    rate_due = due_after(rating_workdays, "workdays")      # 23:59:59 of the 15th working day from now
    deadline = end_of_day(days_after(received_on, 15))     # a timeDate value
    today() > workdays_after(received_on, 3)               # a condition
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .behaviours import Param, behaviours
from .clock import clock
from .workdays import LOCAL
from .workdays import add_workdays as _add_workdays
from .workdays import due_after as _due_after
from .workdays import is_workday as _is_workday
from .workdays import subtract_workdays as _subtract_workdays


class ClockDatetime(_dt.datetime):
    """``datetime`` for scripts: builds plain datetimes; ``now``/``today``/``utcnow`` read the engine clock."""

    def __new__(cls, *args: Any, **kwargs: Any) -> _dt.datetime:  # type: ignore[misc]
        return _dt.datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        return clock.now().astimezone(tz or LOCAL)

    @classmethod
    def today(cls) -> _dt.datetime:  # type: ignore[override]
        return clock.now().astimezone(LOCAL).replace(tzinfo=None)

    @classmethod
    def utcnow(cls) -> _dt.datetime:  # type: ignore[override]
        return clock.now().astimezone(_dt.UTC).replace(tzinfo=None)


class ClockDate(_dt.date):
    """``date`` for scripts: builds plain dates; ``today`` is the engine clock's day in China."""

    def __new__(cls, *args: Any, **kwargs: Any) -> _dt.date:  # type: ignore[misc]
        return _dt.date(*args, **kwargs)

    @classmethod
    def today(cls) -> _dt.date:  # type: ignore[override]
        return clock.now().astimezone(LOCAL).date()


def as_date(value: Any) -> _dt.date:
    """A day on the Chinese calendar from a date, a datetime (naive means China time) or ISO date/date-time text.

    :raises ValueError: the value is not a date.
    """
    if isinstance(value, _dt.datetime):
        return (value.astimezone(LOCAL) if value.tzinfo else value).date()
    if isinstance(value, _dt.date):
        return value
    text = str(value or "").strip()
    try:
        if "T" in text or " " in text:
            return as_date(_dt.datetime.fromisoformat(text))
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


behaviours.helper("datetime", doc="Python's datetime class; datetime.now() is the engine clock's time in China "
                  "(timezone-aware).")(ClockDatetime)
behaviours.helper("date", doc="Python's date class; date.today() is the engine clock's day in China.")(ClockDate)
behaviours.helper("timedelta", doc="Python's timedelta: a duration, e.g. timedelta(days=3).")(_dt.timedelta)
behaviours.helper("timezone", doc="Python's timezone: timezone.utc, timezone(timedelta(hours=8)).")(_dt.timezone)


@behaviours.helper("add_workdays", doc="The date a number of China's working days after a day (the day itself not "
                   "counted).", params=[Param("day", "a date, datetime or ISO date text", required=True),
                                        Param("count", "how many working days", required=True)],
                   errors="ValueError when the day is not a date")
def add_workdays(day: Any, count: int) -> _dt.date:
    return _add_workdays(as_date(day), int(count))


@behaviours.helper("subtract_workdays", doc="The date a number of China's working days before a day.",
                   params=[Param("day", "a date, datetime or ISO date text", required=True),
                           Param("count", "how many working days", required=True)],
                   errors="ValueError when the day is not a date")
def subtract_workdays(day: Any, count: int) -> _dt.date:
    return _subtract_workdays(as_date(day), int(count))


@behaviours.helper("is_workday", doc="Whether a day is a working day on China's official calendar.",
                   params=[Param("day", "a date, datetime or ISO date text", required=True)],
                   errors="ValueError when the day is not a date")
def is_workday(day: Any) -> bool:
    return _is_workday(as_date(day))


_DAY = Param("day", "a date: YYYY-MM-DD, an ISO datetime or a date", required=True)
_COUNT = Param("n", "how many days", required=True)


@behaviours.helper("today", doc="Today on the Chinese calendar, as YYYY-MM-DD.")
def today() -> str:
    return clock.now().astimezone(LOCAL).date().isoformat()


@behaviours.helper("now", doc="The current moment, as an ISO datetime (UTC).")
def now() -> str:
    return clock.now().isoformat()


@behaviours.helper("days_after", doc="The day `n` calendar days after `day`, as YYYY-MM-DD.", params=[_DAY, _COUNT],
                   errors="ValueError when `day` is not a date.")
def days_after(day: Any, n: int) -> str:
    return (as_date(day) + _dt.timedelta(days=int(n))).isoformat()


@behaviours.helper("workdays_after", doc="The day `n` working days after `day` on China's official calendar (the day "
                   "itself not counted), as YYYY-MM-DD.", params=[_DAY, _COUNT],
                   errors="ValueError when `day` is not a date.")
def workdays_after(day: Any, n: int) -> str:
    return _add_workdays(as_date(day), int(n)).isoformat()


@behaviours.helper("end_of_day", doc="The last second of `day` in China, as an ISO datetime: a BPMN timeDate or "
                   "dueDate value.", params=[_DAY], errors="ValueError when `day` is not a date.")
def end_of_day(day: Any) -> str:
    return _dt.datetime.combine(as_date(day), _dt.time(23, 59, 59), LOCAL).isoformat()


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


def _start(value: Any) -> _dt.datetime:
    """Now, a moment (datetime or ISO datetime text; naive means China time) or the start of a day."""
    if value is None:
        return clock.now()
    if isinstance(value, _dt.datetime) or "T" in str(value):
        moment = value if isinstance(value, _dt.datetime) else _dt.datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)
    return _dt.datetime.combine(as_date(value), _dt.time(0, 0), LOCAL)
