"""Date helpers for conditions, scripts, timer expressions and connector parameters, on the engine clock.

Times are China Standard Time (Asia/Shanghai), written as ISO text so they sort and store as case data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from engine.behaviours import Param, behaviours
from engine.clock import utcnow
from engine.workdays import LOCAL


@behaviours.helper(
    "now", zh="当前日期时间（引擎时钟，北京时间）的 ISO 文本，可按先后排序。",
    doc="The current date and time on the engine clock, as ISO text in China Standard Time "
               "(2026-05-01T09:30:00.250000+08:00). Texts from now() sort in time order, so a script can record "
               "when something happened: signed_up_at = now().",
    example="signed_up_at = now()")
def now() -> str:
    """The current time (engine clock, Asia/Shanghai) as ISO text."""
    return utcnow().astimezone(LOCAL).isoformat()


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(LOCAL) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if len(text) >= 10:
        try:
            return _as_date(datetime.fromisoformat(text)) if len(text) > 10 else date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"add_days: {value!r} is not a date (YYYY-MM-DD or an ISO date-time)")


@behaviours.helper(
    "add_days", zh="某日期之后（负数为之前）若干自然日的日期（YYYY-MM-DD）。",
    doc="The date the given number of calendar days after a date (negative: before), as YYYY-MM-DD "
                    "text. For a timer the day before an event at 09:00: add_days(event_date, -1) + "
                    "'T09:00:00+08:00'. Working days: use dueIn with calendar workdays on a task instead.",
    params=[Param("value", "a date: YYYY-MM-DD text, an ISO date-time, or a date", required=True),
            Param("days", "whole days to add (negative to go back)", required=True)],
    errors="value is not a date; days is not a whole number",
    example="add_days(activity_date, -1) + 'T09:00:00+08:00'")
def add_days(value: Any, days: int) -> str:
    """``value`` moved by ``days`` calendar days, as ISO date text."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError(f"add_days: days must be a whole number, not {days!r}")
    return (_as_date(value) + timedelta(days=days)).isoformat()
