"""The inbox: tasks assigned to me and unassigned tasks in my groups, with filters, saved filters,
bulk actions, delegation, comments and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask import session as web_session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.clock import utcnow
from engine.errors import DocketError
from engine.inbox.attachments import ALLOWED, MAX_BYTES, open_attachment, store_attachment
from engine.inbox.bulk import bulk_action
from engine.inbox.comments import add_comment, case_discussion
from engine.inbox.filters import delete_filter, filter_json, get_filter, list_filters, save_filter
from engine.inbox.people import delegation_choices
from engine.queries import SORTS, group_names, inbox_counts, inbox_page, latest_definitions, list_cases, task_labels
from engine.tasks import delegate_task
from engine.users import people as active_people

from .api.inbox import inbox_filters
from .catalog import error_text
from .runtime import current_actor, rt, upload_directory
from .security import safe_next

bp = Blueprint("inbox", __name__)
TABS = ("all", "mine", "group")
VIEWS = ("overdue", "today")
FILTER_KEYS = ("scope", "view", "sort", "process", "group", "overdue", "due", "q")


@bp.route("/")
def root():  # type: ignore[no-untyped-def]
    return redirect(url_for("inbox.index"))


def _args() -> dict[str, str]:
    """The page's filter arguments: a saved filter's parameters (``?filter=id``), then explicit ones."""
    args: dict[str, str] = {}
    saved = request.args.get("filter", type=int)
    if saved:
        with rt().reading() as session:
            params = get_filter(session, current_actor(), saved).params or {}
        args.update({k: ("1" if v is True else str(v)) for k, v in params.items()})
    args.update({k: v for k, v in request.args.items() if k in FILTER_KEYS and v})
    if args.get("scope") not in TABS:
        args.pop("scope", None)
    if args.get("view") not in VIEWS:
        args.pop("view", None)
    if args.get("sort") not in SORTS:
        args.pop("sort", None)
    if args.get("due") not in ("today", "week"):
        args.pop("due", None)
    return args


@bp.route("/inbox")
@login_required
def index():  # type: ignore[no-untyped-def]
    args = _args()
    actor = current_actor()
    with rt().reading() as session:
        listing = inbox_page(session, actor, page=request.args.get("page", 1, type=int), **inbox_filters(args))
        counts = inbox_counts(session, actor, **inbox_filters({k: v for k, v in args.items() if k != "view"}))
        processes = {d.key: d.name for d in latest_definitions(session)}
        groups = group_names(session)
        saved = [filter_json(f, actor) for f in list_filters(session, actor)]
        people = active_people(session) if actor.is_supervisor else []
        my_cases = list_cases(session, actor)["items"][:10]
    my_groups = sorted((g for g in actor.groups if g in groups), key=lambda g: groups[g])
    filter_groups = sorted(groups, key=lambda g: groups[g]) if actor.is_admin else my_groups
    return render_template("inbox/index.html", listing=listing, counts=counts, args=args, processes=processes,
                           groups=groups, my_groups=my_groups, filter_groups=filter_groups, saved=saved,
                           people=people, my_cases=my_cases, active_filter=request.args.get("filter", type=int),
                           now=utcnow())


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.route("/inbox/bulk", methods=["POST"])
@login_required
def bulk():  # type: ignore[no-untyped-def]
    ids = request.form.getlist("task")
    if not ids:
        flash(_("Select at least one task first."), "error")
        return redirect(_back(url_for("inbox.index")))
    action = request.form.get("action", "")
    try:
        results = bulk_action(rt(), current_actor(), action, ids, request.form.get("user") or None)
    except DocketError as exc:
        flash(_("Nothing was done: %(reason)s", reason=error_text(exc)), "error")
        return redirect(_back(url_for("inbox.index")))
    with rt().reading() as session:
        labels = task_labels(session, ids)
    done = sum(r["ok"] for r in results)
    verb = {"claim": _("claimed"), "release": _("released"), "reassign": _("reassigned")}.get(action, action)
    flash(_("%(done)s of %(total)s tasks %(verb)s.", done=done, total=len(results), verb=verb),
          "success" if done == len(results) else "error")
    for r in results:
        if not r["ok"]:
            flash(_("Not done: %(task)s — %(reason)s", task=labels.get(r["id"], r["id"]), reason=r["message"]),
                  "error")
    return redirect(_back(url_for("inbox.index")))


@bp.route("/inbox/filters", methods=["POST"])
@login_required
def filters_save():  # type: ignore[no-untyped-def]
    params = {k: request.form.get(k) for k in ("scope", "sort", "process", "group", "due", "q")}
    view = request.form.get("view")
    if view == "overdue" or request.form.get("overdue") == "1":
        params["overdue"] = True
    if view == "today":
        params["due"] = "today"
    try:
        row = save_filter(rt(), current_actor(), request.form.get("name"), params,
                          request.form.get("shared_group") or None)
    except DocketError as exc:
        flash(_("The filter was not saved: %(reason)s", reason=error_text(exc)), "error")
        return redirect(_back(url_for("inbox.index")))
    flash(_("Filter “%(name)s” saved.", name=row.name), "success")
    return redirect(url_for("inbox.index", filter=row.id))


@bp.route("/inbox/filters/<int:filter_id>/delete", methods=["POST"])
@login_required
def filters_delete(filter_id: int):  # type: ignore[no-untyped-def]
    delete_filter(rt(), current_actor(), filter_id)
    flash(_("Filter deleted."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/inbox/tasks/<task_id>/delegate", methods=["POST"])
@login_required
def delegate(task_id: str):  # type: ignore[no-untyped-def]
    user = request.form.get("user", "")
    if not user:
        flash(_("Choose the person to hand the task to."), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    task = delegate_task(rt(), current_actor(), task_id, user)
    flash(_("Task handed to %(user)s.", user=user), "success")
    if task.assignee == current_user.username:
        return redirect(url_for("tasks.show", task_id=task_id))
    return redirect(_back(url_for("inbox.index")))


@bp.route("/inbox/cases/<int:case_id>/comments", methods=["POST"])
@login_required
def comment(case_id: int):  # type: ignore[no-untyped-def]
    task_id = request.form.get("task_id") or None
    back = _back(url_for("cases.show", case_id=case_id))
    actor = current_actor()
    ids = []
    try:
        for upload in request.files.getlist("file"):
            if upload and upload.filename:
                ids.append(store_attachment(rt(), actor, upload_directory(), case_id, upload.filename,
                                            upload.read(), task_id).id)
        result = add_comment(rt(), actor, case_id, request.form.get("body", ""), task_id, ids)
    except DocketError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        reason = error_text(exc)
        flash(_("The comment was not posted: %(reason)s", reason=reason), "error")
        web_session["inbox_draft"] = {"case": case_id, "task": task_id, "body": request.form.get("body", "")[:5000]}
        return redirect(back + "#comments")
    flash(_("Comment posted."), "success")
    if result["notified"]:
        flash(_("Notified: %(names)s", names=", ".join(result["notified"])), "info")
    if result["not_notified"]:
        flash(_("Not notified (unknown or without access to this case): %(names)s",
                names=", ".join(result["not_notified"])), "error")
    return redirect(back + "#comments")


@bp.route("/inbox/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        row, path = open_attachment(session, current_actor(), upload_directory(), attachment_id)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def lateness(task: dict[str, Any], now: datetime | None = None) -> tuple[str, str]:
    """(text, css class) saying how late a task is, or how long is left."""
    if not task.get("due_at"):
        return "—", "late-none"
    due = datetime.fromisoformat(task["due_at"])
    seconds = int(((now or utcnow()) - due).total_seconds())
    hours, days = abs(seconds) // 3600, abs(seconds) // 86400
    if seconds > 0:
        text = _("%(n)s d overdue", n=days) if days else _("%(n)s h overdue", n=max(hours, 1))
        return text, "late-overdue"
    text = _("due in %(n)s d", n=days) if days else _("due in %(n)s h", n=max(hours, 1))
    return text, "late-soon" if days < 2 else "late-ok"


def _discussion(case_id: int, task_id: str | None = None) -> dict[str, Any]:
    """The case's (or task's) comments and files, plus the draft of a comment that was just refused."""
    with rt().reading() as session:
        out = case_discussion(session, current_actor(), case_id, task_id)
    draft = web_session.get("inbox_draft")
    if draft and draft.get("case") == case_id and draft.get("task") == task_id:
        out["draft"] = web_session.pop("inbox_draft")["body"]
    return out


def _choices(task_id: str) -> list[dict[str, str]]:
    """The task page's hand-over picker: the people allowed to do it, besides oneself (that is claiming)."""
    with rt().reading() as session:
        return [u for u in delegation_choices(session, current_actor(), task_id)
                if u["username"] != current_actor().username]


@bp.app_context_processor
def inbox_helpers() -> dict[str, Any]:
    return {"inbox_lateness": lateness, "inbox_discussion": _discussion,
            "inbox_choices": _choices, "inbox_upload_types": ALLOWED,
            "inbox_upload_max_mb": MAX_BYTES // (1024 * 1024)}
