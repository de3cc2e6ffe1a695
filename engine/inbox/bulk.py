"""Bulk actions on selected inbox tasks: each task in its own transaction, one outcome per task."""

from __future__ import annotations

from typing import Any

from engine.access import Actor
from engine.errors import DocketError, Forbidden, Invalid
from engine.runtime import Runtime
from engine.tasks import claim_task, delegate_task, release_task

ACTIONS = ("claim", "release", "reassign")
MAX_TASKS = 200


def bulk_action(rt: Runtime, actor: Actor, action: Any, task_ids: Any, user: Any = None) -> list[dict[str, Any]]:
    """Run ``action`` on every task; returns ``[{"id", "ok", "code"?, "message"?}]`` in the given order.

    ``reassign`` (supervisors only) gives each task to ``user``, who must be allowed to do it.
    A task that fails (taken meanwhile, not allowed) does not stop the others.
    """
    if action not in ACTIONS:
        raise Invalid(f"action '{action}' must be one of {', '.join(ACTIONS)}",
                      [{"field": "action", "message": "invalid"}])
    if not isinstance(task_ids, list) or not task_ids or not all(isinstance(t, str) and t for t in task_ids):
        raise Invalid("'tasks' must be a non-empty list of task ids", [{"field": "tasks", "message": "invalid"}])
    if len(task_ids) > MAX_TASKS:
        raise Invalid(f"at most {MAX_TASKS} tasks at once", [{"field": "tasks", "message": "too many"}])
    if action == "reassign":
        if not actor.is_supervisor:
            raise Forbidden("only supervisors may reassign tasks", reason="reassign_supervisors_only")
        if not isinstance(user, str) or not user:
            raise Invalid("reassign needs the 'user' to give the tasks to",
                          [{"field": "user", "message": "is required"}])
    results = []
    for task_id in dict.fromkeys(task_ids):
        try:
            if action == "claim":
                claim_task(rt, actor, task_id)
            elif action == "release":
                release_task(rt, actor, task_id)
            else:
                delegate_task(rt, actor, task_id, user)
            results.append({"id": task_id, "ok": True})
        except DocketError as exc:
            results.append({"id": task_id, "ok": False, "code": exc.code, "message": exc.message})
    return results
