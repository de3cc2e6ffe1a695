"""Tasks: the caller's list, one task with its form, claim / release / delegate / complete."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.errors import Invalid
from engine.queries import case_json, list_tasks, task_detail, task_json, visible_task
from engine.tasks import claim_task, complete_task, delegate_task, release_task

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


@bp.get("/tasks/<task_id>")
def task_get(task_id: str):  # type: ignore[no-untyped-def]
    runtime = rt()
    with runtime.reading() as session:
        task = visible_task(session, g.actor, task_id)
        forms = runtime.case_definition(session, task.case_id).forms
        return jsonify(task_detail(session, g.actor, task_id, forms))


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
