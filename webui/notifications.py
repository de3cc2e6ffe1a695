"""The bell: the signed-in user's notifications, unread count on every page, mark as read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.notifications import (
    grouped_by_case,
    read_case_notifications,
    read_notifications,
    task_titles,
    unread_count,
)

from .notification_text import shown
from .runtime import rt
from .security import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell() -> dict:
    """``unread_notifications`` for the top bar (one COUNT on an indexed column)."""
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    with rt().reading() as session:
        return {"unread_notifications": unread_count(session, current_user.username)}


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        groups = grouped_by_case(session, current_user.username, limit=100)
        tasks = task_titles(session, [n.task_id for g in groups for n in g["items"]])
    for group in groups:
        group["shown"] = [shown(n, tasks) for n in group["items"]]
    return render_template("notifications/index.html", groups=groups)


def seen_case(case_id: int) -> None:
    """The signed-in user opened this case (its page or one of its tasks): its notifications are read."""
    read_case_notifications(rt(), current_user.username, case_id)


@bp.route("/read", methods=["POST"])
@login_required
def read():  # type: ignore[no-untyped-def]
    ids = request.form.getlist("id", type=int)
    read_notifications(rt(), current_user.username, ids or None)
    return redirect(safe_next(request.form.get("next"), url_for(".index")))
