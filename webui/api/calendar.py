"""The working-day calendar: read a year; administrators enter one and recompute flagged due dates."""

from __future__ import annotations

from flask import g, jsonify

from engine.errors import Forbidden
from engine.office.calendar import calendar_json, put_year, recompute_due_dates

from ..runtime import rt
from .blueprint import bp
from .errors import json_body
from .uploads import optional_flag


@bp.get("/calendar/<int:year>")
def calendar_get(year: int):  # type: ignore[no-untyped-def]
    if not g.actor.is_supervisor:
        raise Forbidden("only administrators and supervisors may read the calendar settings")
    with rt().reading() as session:
        return jsonify(calendar_json(session, year))


@bp.put("/calendar/<int:year>")
def calendar_put(year: int):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        out = put_year(session, g.actor, year, body.get("holidays", []), body.get("workdays", []))
    return jsonify(out)


@bp.post("/calendar/recompute")
def calendar_recompute():  # type: ignore[no-untyped-def]
    """The open tasks counted over an unknown year, with their due dates as the calendar counts them now;
    ``?dry_run=false`` moves them."""
    dry_run = optional_flag("dry_run") is not False
    return jsonify({"dry_run": dry_run, "tasks": recompute_due_dates(rt(), g.actor, dry_run)})
