"""SLA API: overdue tasks and counts for supervision; pause, resume and extend a task's clock; out of office."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.clock import utcnow
from engine.errors import Invalid
from engine.queries import visible_task
from engine.sla import board
from engine.sla.absence import absence_json, clear_absence, current_absence, set_absence
from engine.sla.clocks import clock_json, extend_task, pause_task, resume_task

from ..inputs import int_arg
from ..runtime import rt
from .blueprint import bp
from .errors import json_body


@bp.get("/sla/overdue")
def sla_overdue():  # type: ignore[no-untyped-def]
    """Open tasks past due, oldest first, with ``overdue_by`` seconds."""
    now = utcnow()
    with rt().reading() as session:
        items = board.overdue(session, g.actor, now, request.args.get("process") or None,
                              request.args.get("group") or None, limit=min(int_arg("limit", 500), 5000))
    return jsonify({"items": items, "total": len(items), "now": now.isoformat()})


@bp.get("/sla/summary")
def sla_summary():  # type: ignore[no-untyped-def]
    """Counts of open, due-soon and overdue tasks by process and by group (supervisors)."""
    with rt().reading() as session:
        return jsonify(board.summary(session, g.actor, utcnow(), int_arg("days", 3),
                                     request.args.get("process") or None, request.args.get("group") or None))


@bp.get("/sla/tasks/<task_id>")
def sla_task(task_id: str):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(clock_json(session, visible_task(session, g.actor, task_id)))


def _clock_after(task_id: str):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(clock_json(session, visible_task(session, g.actor, task_id)))


def _text(body: dict, name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise Invalid(f"'{name}' must be text", [{"field": name, "message": "must be a string"}])
    return value


@bp.post("/sla/tasks/<task_id>/pause")
def sla_pause(task_id: str):  # type: ignore[no-untyped-def]
    pause_task(rt(), g.actor, task_id, _text(json_body(), "reason"))
    return _clock_after(task_id)


@bp.post("/sla/tasks/<task_id>/resume")
def sla_resume(task_id: str):  # type: ignore[no-untyped-def]
    resume_task(rt(), g.actor, task_id)
    return _clock_after(task_id)


@bp.post("/sla/tasks/<task_id>/extend")
def sla_extend(task_id: str):  # type: ignore[no-untyped-def]
    body = json_body()
    extend_task(rt(), g.actor, task_id, _text(body, "duration"), _text(body, "reason"))
    return _clock_after(task_id)


@bp.get("/sla/away")
def sla_away_get():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify({"absence": absence_json(current_absence(session, g.actor.username))})


@bp.put("/sla/away")
def sla_away_put():  # type: ignore[no-untyped-def]
    body = json_body()
    row = set_absence(rt(), g.actor, g.actor.username, _text(body, "deputy"), body.get("starts_on"),
                      body.get("ends_on"), _text(body, "note") if body.get("note") is not None else None)
    return jsonify({"absence": absence_json(row)})


@bp.delete("/sla/away")
def sla_away_delete():  # type: ignore[no-untyped-def]
    return jsonify({"removed": clear_absence(rt(), g.actor, g.actor.username)})
