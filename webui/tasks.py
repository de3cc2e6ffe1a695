"""The task page: the form rendered on the server (works without JavaScript), with field errors."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Invalid
from engine.forms import FieldError, coerce_form_input, field_views, form_title
from engine.queries import task_detail, visible_task
from engine.tasks import claim_task, complete_task, release_task

from .display import translate_errors
from .runtime import current_actor, rt
from .security import safe_next

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _load(task_id: str) -> dict:
    runtime = rt()
    with runtime.reading() as session:
        task = visible_task(session, current_actor(), task_id)
        parsed = runtime.case_definition(session, task.case_id)
        return task_detail(session, current_actor(), task_id, parsed.forms)


def _render(detail: dict, values: dict | None = None, errors: list[FieldError] | None = None, status: int = 200):
    schema = detail.get("schema") or {"type": "object", "properties": {}}
    locale = str(get_locale() or "zh_CN")
    errors = translate_errors(errors or [])
    fields = field_views(schema, locale, values if values is not None else detail.get("data"), errors)
    return render_template("tasks/task.html", task=detail, fields=fields, errors=errors or [],
                           form_title=form_title(schema, locale)), status


@bp.route("/<task_id>", methods=["GET"])
@login_required
def show(task_id: str):  # type: ignore[no-untyped-def]
    return _render(_load(task_id))


@bp.route("/<task_id>", methods=["POST"])
@login_required
def submit(task_id: str):  # type: ignore[no-untyped-def]
    detail = _load(task_id)
    schema = detail.get("schema") or {"type": "object", "properties": {}}
    data, errors = coerce_form_input(schema, request.form)
    if errors:
        return _render(detail, request.form, errors, 422)
    try:
        case = complete_task(rt(), current_actor(), task_id, data)
    except Invalid as exc:
        field_errors = [FieldError(d.get("field", ""), d.get("message", ""), d.get("code", "invalid"),
                                   d.get("limit", "")) for d in exc.details]
        return _render(detail, request.form, field_errors, 422)
    flash(_("Task completed: %(title)s", title=detail["title"]), "success")
    return redirect(url_for("cases.show", case_id=case.id))


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
