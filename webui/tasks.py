"""The task page: the form rendered on the server (works without JavaScript) beside the case it is about, with
field errors, drafts, and the approval actions 退回 / 撤回 / 催办 / 抄送."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from engine.approval.cc import cc_task
from engine.approval.drafts import save_task_draft
from engine.approval.recall import recall_task
from engine.approval.returns import return_task
from engine.approval.urge import urge_task
from engine.conditions import applicable
from engine.errors import Conflict, DocketError, Invalid
from engine.forms import FieldError, coerce_form_input, field_views, form_title
from engine.tasks import claim_task, complete_task, release_task
from engine.taskview import next_task_for, task_view

from .catalog import error_text
from .display import shown, translate_error, translate_errors
from .language import list_separator
from .notifications import seen_case
from .runtime import current_actor, rt
from .security import safe_next

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
EMPTY = {"type": "object", "properties": {}}


def locale() -> str:
    return str(get_locale() or "zh_CN")


def _load(task_id: str) -> dict[str, Any]:
    runtime = rt()
    with runtime.reading() as session:
        return task_view(runtime, session, current_actor(), task_id, locale())


def _render(detail: dict[str, Any], values: Any = None, errors: list[FieldError] | None = None,
            status: int = 200, problem: str | None = None):  # type: ignore[no-untyped-def]
    schema = detail.get("schema") or EMPTY
    errors = translate_errors(errors or [])
    fields = field_views(schema, locale(), values if values is not None else detail.get("data"), errors)
    return render_template("tasks/task.html", task=detail, fields=fields, errors=errors, problem=problem,
                           form_title=form_title(schema, locale())), status


def _field_errors(exc: Invalid) -> list[FieldError]:
    return [FieldError(str(d.get("field", "")), str(d.get("message", "")), str(d.get("code", "invalid")),
                       str(d.get("limit", ""))) for d in exc.details]


@bp.route("/<task_id>", methods=["GET"])
@login_required
def show(task_id: str):  # type: ignore[no-untyped-def]
    detail = _load(task_id)
    seen_case(detail["case_id"])
    return _render(detail)


@bp.route("/<task_id>", methods=["POST"])
@login_required
def submit(task_id: str):  # type: ignore[no-untyped-def]
    detail = _load(task_id)
    schema = detail.get("schema") or EMPTY
    data, errors = coerce_form_input(schema, request.form)
    if request.form.get("action") == "draft":
        save_task_draft(rt(), current_actor(), task_id, applicable(schema, data))
        flash(_("Draft saved. It is kept for you only; nothing has been submitted."), "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    if errors:
        return _render(detail, request.form, errors, 422)
    try:
        case = complete_task(rt(), current_actor(), task_id, applicable(schema, data))
    except Invalid as exc:
        return _render(detail, request.form, _field_errors(exc), 422, error_text(exc))
    return _after_completing(detail, case.id, case.business_key)


def _after_completing(detail: dict[str, Any], case_id: int, business_key: str):  # type: ignore[no-untyped-def]
    """My next task in the same case, else my inbox, with a message saying what happened and how to undo it."""
    with rt().reading() as session:
        following = next_task_for(session, current_actor(), case_id)
    recall = url_for("tasks.show", task_id=detail["id"])
    done = _("Done: “%(title)s” of %(key)s.", title=detail["title"], key=business_key)
    undo = _("You can recall it until the next handler starts.")
    flash(Markup('{} <a href="{}">{}</a>').format(done, recall, undo), "success")
    if following:
        flash(_("Your next step in this case is below."), "info")
        return redirect(url_for("tasks.show", task_id=following))
    return redirect(url_for("inbox.index"))


def _back(task_id: str, fragment: str = ""):  # type: ignore[no-untyped-def]
    return redirect(url_for("tasks.show", task_id=task_id) + fragment)


@bp.route("/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str):  # type: ignore[no-untyped-def]
    claim_task(rt(), current_actor(), task_id)
    flash(_("You have claimed this task."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id)))


@bp.route("/<task_id>/release", methods=["POST"])
@login_required
def release(task_id: str):  # type: ignore[no-untyped-def]
    release_task(rt(), current_actor(), task_id)
    flash(_("The task is back in its group's queue."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<task_id>/return", methods=["POST"])
@login_required
def send_back(task_id: str):  # type: ignore[no-untyped-def]
    """退回: back to an earlier step with a reason; a refusal keeps the reason typed."""
    try:
        case = return_task(rt(), current_actor(), task_id, request.form.get("to", ""), request.form.get("reason", ""))
    except Invalid as exc:
        detail = _load(task_id)
        detail["return_error"] = {e.field: translate_error(e) for e in _field_errors(exc)}
        detail["return_draft"] = {"to": request.form.get("to", ""), "reason": request.form.get("reason", "")}
        return _render(detail, status=422)
    flash(_("Returned: %(key)s went back to an earlier step, with your reason.", key=case.business_key), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<task_id>/recall", methods=["POST"])
@login_required
def recall(task_id: str):  # type: ignore[no-untyped-def]
    """撤回: take back a step one completed while the next handler has not started."""
    try:
        recall_task(rt(), current_actor(), task_id)
    except Conflict as exc:
        flash(error_text(exc) if exc.reason else
              _("It cannot be recalled any more: the next handler has started on it, or the case has moved on."),
              "error")
        return _back(task_id)
    flash(_("Recalled: the step is yours again; the steps after it were withdrawn."), "success")
    return _back(task_id)


@bp.route("/<task_id>/urge", methods=["POST"])
@login_required
def urge(task_id: str):  # type: ignore[no-untyped-def]
    """催办: tell the handlers to get on with it (once a day)."""
    try:
        result = urge_task(rt(), current_actor(), task_id, request.form.get("message", ""))
    except DocketError as exc:
        reasons = {"too_many_requests": _("Not urged: you urged this task less than a day ago."),
                   "conflict": _("Not urged: the task is no longer open."),
                   "invalid": _("Not urged: the message may have at most 500 characters.")}
        if exc.code not in reasons:
            raise
        flash(error_text(exc) if exc.reason else reasons[exc.code], "error")
        return _back(task_id, "#urge")
    flash(_("Urged: %(n)s people were notified.", n=len(result["notified"])), "success")
    return _back(task_id)


@bp.route("/<task_id>/cc", methods=["POST"])
@login_required
def cc(task_id: str):  # type: ignore[no-untyped-def]
    """抄送: copy colleagues in; they may read the case."""
    users = [u for u in request.form.getlist("users") if u] or request.form.get("user_list", "")
    try:
        result = cc_task(rt(), current_actor(), task_id, users, request.form.get("message", ""))
    except Invalid as exc:
        unknown = [str(d.get("message", "")).split("'")[1] for d in exc.details
                   if str(d.get("message", "")).startswith("unknown user '")]
        flash(_("Not copied in: %(reason)s", reason=error_text(exc)) if exc.reason else
              _("Not copied in: there is no user %(names)s.", names=list_separator().join(unknown)) if unknown else
              _("Not copied in: name at least one colleague (at most 50)."), "error")
        return _back(task_id, "#cc")
    names = list_separator().join(result["users"])
    flash(_("Copied in: %(names)s. They may read this case now.", names=names), "success")
    return _back(task_id)


@bp.app_template_global()
def shown_field(view: Any) -> str:
    """A submitted field's value as people read it (option names, yes/no)."""
    return shown(view)


@bp.app_template_global()
def field_note(view: Any) -> str:
    """When a conditional field applies or is required, in the page's language ("" for other fields)."""
    notes = []
    for note in view.conditions:
        tests = []
        for label, values, negate in note["tests"]:
            shown = _(" or ").join(_("“%(value)s”", value=v) for v in values)
            if not values:
                tests.append(_("%(field)s is filled in", field=label))
            elif negate:
                tests.append(_("%(field)s is not %(values)s", field=label, values=shown))
            else:
                tests.append(_("%(field)s is %(values)s", field=label, values=shown))
        condition = _(" and ").join(tests)
        if note["otherwise"]:
            condition = _("not (%(condition)s)", condition=condition)
        if note["kind"] == "require":
            notes.append(_("Required when %(condition)s.", condition=condition))
        elif note["required"]:
            notes.append(_("Fill in only when %(condition)s; required then.", condition=condition))
        else:
            notes.append(_("Fill in only when %(condition)s.", condition=condition))
    return " ".join(dict.fromkeys(notes))
