"""Template helpers: local times and readable names of audit events."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

LOCAL = ZoneInfo("Asia/Shanghai")
EVENTS = {
    "case_started": _l("started the case"), "task_completed": _l("completed"), "task_claimed": _l("claimed a task"),
    "task_released": _l("released a task"), "task_delegated": _l("delegated a task"),
    "case_cancelled": _l("cancelled the case"), "case_error": _l("hit an error"), "case_retried": _l("retried"),
    "timers_fired": _l("timers fired"),
}


def localtime(value: str | datetime | None) -> str:
    if not value:
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def event_label(kind: str) -> str:
    return str(EVENTS.get(kind, kind))


def register(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_global(event_label, "event_label")
    app.add_template_global(get_locale, "get_locale")
