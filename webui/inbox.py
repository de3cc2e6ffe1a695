"""The inbox: tasks assigned to me and unassigned tasks in my groups, with counts per tab."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required

from engine.queries import latest_definitions, list_cases, list_tasks

from .runtime import current_actor, rt

bp = Blueprint("inbox", __name__)
TABS = ("all", "mine", "group")


@bp.route("/")
def root():  # type: ignore[no-untyped-def]
    return redirect(url_for("inbox.index"))


@bp.route("/inbox")
@login_required
def index():  # type: ignore[no-untyped-def]
    scope = request.args.get("scope", "all")
    scope = scope if scope in TABS else "all"
    sort = request.args.get("sort", "due_at")
    sort = sort if sort in ("due_at", "created", "-created") else "due_at"
    overdue = request.args.get("overdue") == "1"
    actor = current_actor()
    with rt().reading() as session:
        listing = list_tasks(session, actor, scope=scope, sort=sort, overdue=overdue or None,
                             page=request.args.get("page", 1, type=int))
        counts = {tab: list_tasks(session, actor, scope=tab)["total"] for tab in TABS}
        processes = {d.key: d.name for d in latest_definitions(session)}
        my_cases = list_cases(session, actor)["items"][:10]
    return render_template("inbox/index.html", listing=listing, counts=counts, scope=scope, sort=sort,
                           overdue=overdue, processes=processes, my_cases=my_cases)
