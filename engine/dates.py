"""Date helpers for scripts, conditions and timer expressions, on the engine's clock.

Scripts use them without importing anything: ``datetime``, ``date`` and ``timedelta`` behave like Python's
(``datetime(2026, 3, 1)``, ``date.fromisoformat(text)``, ``timedelta(days=3)``), except that ``datetime.now()``
and ``date.today()`` read the engine's clock and ``datetime.now()`` is timezone-aware in China Standard Time
(Asia/Shanghai), so ``(datetime.now() + timedelta(days=3)).isoformat()`` is a timer date that means the same
on every server. ``timezone`` gives ``timezone.utc`` and fixed offsets. ``add_workdays``,
``subtract_workdays`` and ``is_workday`` count China's official working days (``engine.workdays``); they take
a date, a datetime or an ISO date text and answer with a date.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .behaviours import Param, behaviours
from .clock import clock
from .workdays import LOCAL
from .workdays import add_workdays as _add_workdays
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
    """A date from a date, a datetime (its day in China) or an ISO date/date-time text."""
    if isinstance(value, str):
        text = value.strip()
        value = _dt.datetime.fromisoformat(text) if "T" in text or " " in text else _dt.date.fromisoformat(text)
    if isinstance(value, _dt.datetime):
        return (value.astimezone(LOCAL) if value.tzinfo else value).date()
    if isinstance(value, _dt.date):
        return value
    raise TypeError(f"expected a date, a datetime or an ISO date text, not {type(value).__name__}")


behaviours.helper("datetime", doc="Python's datetime class; datetime.now() is the engine clock's time in China "
                  "(timezone-aware).")(ClockDatetime)
behaviours.helper("date", doc="Python's date class; date.today() is the engine clock's day in China.")(ClockDate)
behaviours.helper("timedelta", doc="Python's timedelta: a duration, e.g. timedelta(days=3).")(_dt.timedelta)
behaviours.helper("timezone", doc="Python's timezone: timezone.utc, timezone(timedelta(hours=8)).")(_dt.timezone)


@behaviours.helper("add_workdays", doc="The date a number of China's working days after a day (the day itself not "
                   "counted).", params=[Param("day", "a date, datetime or ISO date text", required=True),
                                        Param("count", "how many working days", required=True)],
                   errors="TypeError when the day is not a date")
def add_workdays(day: Any, count: int) -> _dt.date:
    return _add_workdays(as_date(day), int(count))


@behaviours.helper("subtract_workdays", doc="The date a number of China's working days before a day.",
                   params=[Param("day", "a date, datetime or ISO date text", required=True),
                           Param("count", "how many working days", required=True)],
                   errors="TypeError when the day is not a date")
def subtract_workdays(day: Any, count: int) -> _dt.date:
    return _subtract_workdays(as_date(day), int(count))


@behaviours.helper("is_workday", doc="Whether a day is a working day on China's official calendar.",
                   params=[Param("day", "a date, datetime or ISO date text", required=True)],
                   errors="TypeError when the day is not a date")
def is_workday(day: Any) -> bool:
    return _is_workday(as_date(day))
