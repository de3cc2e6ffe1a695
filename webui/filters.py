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
}


def localtime(value: str | datetime | None) -> str:
    if not value:
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


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
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(problem_text, "problem_text")
    app.add_template_global(event_label, "event_label")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(nav_features, "nav_features")
