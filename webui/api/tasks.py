"""Tasks: the caller's list, one task with its form and the case beside it, claim / release / delegate /
complete, drafts, and 退回 / 撤回 / 催办 / 抄送."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import get_locale

from engine.approval.cc import cc_task
from engine.approval.drafts import save_task_draft
from engine.approval.recall import recall_task
from engine.approval.returns import return_task
from engine.approval.urge import urge_task
from engine.errors import Invalid
from engine.queries import case_json, list_tasks, task_json
from engine.tasks import claim_task, complete_task, delegate_task, release_task
from engine.taskview import task_view

from ..runtime import rt
from .blueprint import bp
from .errors import json_body


def _flag(name: str) -> bool | None:
    value = request.args.get(name)
    return None if value is None else value.lower() in ("1", "true", "yes")


@bp.get("/tasks")
def tasks_index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(list_tasks(
            session, g.actor, page=request.args.get("page", 1, type=int),
            scope=request.args.get("scope", "all"), state=request.args.get("state", "open"),
            overdue=_flag("overdue"), process=request.args.get("process") or None,
            sort=request.args.get("sort", "due_at"),
        ))


def _locale() -> str:
    """The caller's language: ``?lang=en`` or the ``Accept-Language`` header, else the default."""
    chosen = request.args.get("lang") or request.accept_languages.best_match(["zh_CN", "zh", "en"]) or ""
    return "en" if chosen.startswith("en") else str(get_locale() or "zh_CN")


@bp.get("/tasks/<task_id>")
def task_get(task_id: str):  # type: ignore[no-untyped-def]
    """A task with its form schema and data, the case summary, opinions and where it may be returned to."""
    runtime = rt()
    with runtime.reading() as session:
        return jsonify(task_view(runtime, session, g.actor, task_id, _locale()))


@bp.post("/tasks/<task_id>/claim")
def task_claim(task_id: str):  # type: ignore[no-untyped-def]
    return jsonify(task_json(claim_task(rt(), g.actor, task_id)))


@bp.post("/tasks/<task_id>/release")
def task_release(task_id: str):  # type: ignore[no-untyped-def]
    return jsonify(task_json(release_task(rt(), g.actor, task_id)))


@bp.post("/tasks/<task_id>/delegate")
def task_delegate(task_id: str):  # type: ignore[no-untyped-def]
    user = json_body().get("user")
    if not isinstance(user, str) or not user:
        raise Invalid("'user' is required", [{"field": "user", "message": "is required"}])
    return jsonify(task_json(delegate_task(rt(), g.actor, task_id, user)))


@bp.post("/tasks/<task_id>/complete")
def task_complete(task_id: str):  # type: ignore[no-untyped-def]
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise Invalid("'data' must be an object", [{"field": "data", "message": "must be an object"}])
    revision = body.get("revision")
    case = complete_task(rt(), g.actor, task_id, data, revision if isinstance(revision, int) else None)
    with rt().reading() as session:  # the completer may read the case: no second access check needed
        return jsonify({"case": case_json(session, case)})


@bp.put("/tasks/<task_id>/draft")
def task_draft(task_id: str):  # type: ignore[no-untyped-def]
    """Save the caller's draft of the task's form (not validated; 403, 409, 422)."""
    body = json_body()
    return jsonify(save_task_draft(rt(), g.actor, task_id, body.get("data", {})))


def _case_answer(case):  # type: ignore[no-untyped-def]
    """``{"case": ...}`` for a command that moved the case."""
    with rt().reading() as session:  # the actor may read the case they just acted on
        return jsonify({"case": case_json(session, case)})


@bp.post("/tasks/<task_id>/return")
def task_return(task_id: str):  # type: ignore[no-untyped-def]
    """退回: send the case back to an earlier step (to, reason) (403, 409, 422)."""
    body = json_body()
    return _case_answer(return_task(rt(), g.actor, task_id, body.get("to"), body.get("reason")))


@bp.post("/tasks/<task_id>/recall")
def task_recall(task_id: str):  # type: ignore[no-untyped-def]
    """撤回: take back a step one completed while what followed is untouched (403, 409)."""
    return _case_answer(recall_task(rt(), g.actor, task_id))


@bp.post("/tasks/<task_id>/urge")
def task_urge(task_id: str):  # type: ignore[no-untyped-def]
    """催办: notify the handlers of an open task, once a day per caller (403, 409, 429)."""
    return jsonify(urge_task(rt(), g.actor, task_id, json_body().get("message")))


@bp.post("/tasks/<task_id>/cc")
def task_cc(task_id: str):  # type: ignore[no-untyped-def]
    """抄送: let the named users read the case and notify them (403, 422)."""
    body = json_body()
    return jsonify(cc_task(rt(), g.actor, task_id, body.get("users"), body.get("message")))
