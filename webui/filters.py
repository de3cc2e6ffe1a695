"""Template helpers: local times and readable names of audit events."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from engine.workdays import DURATION, LOCAL

from .language import colon, list_separator

ISO_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
EVENTS = {
    "case_started": _l("started the case"), "task_completed": _l("completed"), "task_claimed": _l("claimed a task"),
    "task_released": _l("released a task"), "task_delegated": _l("delegated a task"),
    "case_cancelled": _l("cancelled the case"), "case_error": _l("hit an error"), "case_retried": _l("retried"),
    "timers_fired": _l("timers fired"), "case_migrated": _l("moved the case to another process version"),
    "task_overdue": _l("marked a task overdue"), "task_escalated": _l("escalated an overdue task"),
    "task_extended": _l("extended a deadline"), "task_paused": _l("paused a deadline"),
    "task_resumed": _l("resumed a deadline"), "task_deputized": _l("handed a task to a deputy"),
    "absence_set": _l("set an out-of-office deputy"), "absence_cleared": _l("ended an absence"),
    "dispute_routed": _l("routed the case to appeals"), "recusal_requested": _l("asked for a recusal"),
    "recusal_decided": _l("decided a recusal"), "extension_consent": _l("recorded consent to extend"),
    "due_recomputed": _l("recomputed a due date with the new calendar"),
    "message_received": _l("received a message"), "message_sent": _l("sent a message"),
    "signal_received": _l("received a signal"), "signal_sent": _l("sent a signal"),
    "case_copied": _l("copied people in"), "routed_to_appeal": _l("routed the case to appeals"),
    "task_recalled": _l("recalled a step"), "task_returned": _l("returned a task"), "task_urged": _l("urged a task"),
}


def localtime(value: str | datetime | None) -> str:
    if not value:
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def duration_words(value: str | None, workdays: bool = False) -> str:
    """An ISO 8601 duration in words: ``P3D`` with working days is "3 个工作日", ``PT1855216S`` "21 天 11 小时"."""
    if not value:
        return ""
    match = DURATION.match(str(value).strip())
    if not match:
        return str(value)
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    seconds = int(parts.pop("seconds", 0)) + int(parts.pop("minutes", 0)) * 60 + int(parts.pop("hours", 0)) * 3600
    if seconds:
        days, rest = divmod(seconds, 86400)
        parts["days"] = parts.get("days", 0) + days
        if rest >= 3600:
            parts["hours"] = rest // 3600
        elif rest and not days:
            parts["minutes"] = max(1, rest // 60)
    words = []
    for unit, n in (("years", parts.get("years")), ("months", parts.get("months")), ("weeks", parts.get("weeks")),
                    ("days", parts.get("days")), ("hours", parts.get("hours")), ("minutes", parts.get("minutes"))):
        if n:
            words.append(_unit(unit, int(n), workdays))
    return " ".join(words) or _unit("days", 0, workdays)


UNITS = {  # (one, many): the words of a duration's parts
    "years": (_l("%(num)s year"), _l("%(num)s years")), "months": (_l("%(num)s month"), _l("%(num)s months")),
    "weeks": (_l("%(num)s week"), _l("%(num)s weeks")), "days": (_l("%(num)s day"), _l("%(num)s days")),
    "workdays": (_l("%(num)s working day"), _l("%(num)s working days")),
    "hours": (_l("%(num)s hour"), _l("%(num)s hours")), "minutes": (_l("%(num)s minute"), _l("%(num)s minutes")),
}


def _unit(unit: str, n: int, workdays: bool) -> str:
    one, many = UNITS["workdays" if unit == "days" and workdays else unit]
    return str(one if n == 1 else many) % {"num": n}


def readable(value: Any) -> str:
    """A stored value as people read it: timestamps in local time, durations in words, lists joined."""
    if isinstance(value, bool):
        from flask_babel import gettext

        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return list_separator().join(readable(v) for v in value)
    if isinstance(value, str):
        if ISO_STAMP.match(value):
            return localtime(value)
        if value.startswith("P") and DURATION.match(value) and len(value) > 1:
            return duration_words(value)
    return "" if value is None else str(value)


def event_label(kind: str) -> str:
    return str(EVENTS.get(kind, kind))


NAV = [  # (endpoint, label, who sees it: None = everyone signed in, else a predicate on the actor)
    ("proposals.index", _l("Proposals"), None),
    ("archive.index", _l("Archive"), None),
    ("disputes.index", _l("Mediation & appeals"), None),
    ("supervision.board", _l("Supervision"), "is_supervisor"),
    ("designer.index", _l("Designer"), "is_designer"),
    ("admin.index", _l("Admin"), "is_admin"),
    ("failed.index", _l("Cases in error"), "is_supervisor"),
]


def nav_features() -> list[tuple[str, str]]:
    """The feature pages that exist in this build and that the signed-in user may open."""
    from flask import current_app
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [(e, str(label)) for e, label, who in NAV
            if e in endpoints and (who is None or getattr(current_user.actor, who))]


def problem_text(problem: object) -> str:
    """A checker problem in the page's language."""
    return problem.text(str(get_locale() or "zh_CN"))  # type: ignore[attr-defined]


def register(app: Flask) -> None:
    from .names import group_label, groups_label, person

    app.add_template_global(person, "person")
    app.add_template_global(group_label, "group_label")
    app.add_template_global(groups_label, "groups_label")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(duration_words, "duration_words")
    app.add_template_filter(readable, "readable")
    app.add_template_filter(problem_text, "problem_text")
    app.add_template_global(event_label, "event_label")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(colon, "colon")
    app.add_template_global(list_separator, "list_separator")
    app.add_template_global(nav_features, "nav_features")
