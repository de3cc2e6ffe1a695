"""Cases: start, list, read, cancel."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.errors import Invalid
from engine.instances import cancel_case, retry_case
from engine.queries import case_json, list_cases, visible_case
from engine.startforms import submit_start_form

from ..runtime import rt
from .blueprint import bp
from .errors import json_body


def _case_body(case_id: int, history: bool = False) -> dict:
    with rt().reading() as session:
        return case_json(session, visible_case(session, g.actor, case_id), history=history)


@bp.post("/cases")
def create_case():  # type: ignore[no-untyped-def]
    body = json_body()
    process = body.get("process")
    if not isinstance(process, str) or not process:
        raise Invalid("'process' (the process key) is required", [{"field": "process", "message": "is required"}])
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise Invalid("'data' must be an object", [{"field": "data", "message": "must be an object"}])
    case = submit_start_form(rt(), g.actor, process, data)  # a start form is validated before any case exists
    with rt().reading() as session:  # the starter may read the case
        return jsonify(case_json(session, case)), 201


@bp.get("/cases")
def cases_index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(list_cases(session, g.actor, process=request.args.get("process"),
                                  status=request.args.get("status"), q=request.args.get("q"),
                                  page=request.args.get("page", 1, type=int),
                                  sort=request.args.get("sort") or "-started"))


@bp.get("/cases/<int:case_id>")
def case_detail(case_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_case_body(case_id, history=True))


@bp.post("/cases/<int:case_id>/cancel")
def case_cancel(case_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().reading() as session:
        visible_case(session, g.actor, case_id)
    cancel_case(rt(), g.actor, case_id, str(body.get("reason", "")))
    return jsonify(_case_body(case_id))


@bp.post("/cases/<int:case_id>/retry")
def case_retry(case_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        visible_case(session, g.actor, case_id)
    fixes = json_body().get("data") or {}
    if not isinstance(fixes, dict):
        raise Invalid("'data' must be an object", [{"field": "data", "message": "must be an object"}])
    retry_case(rt(), g.actor, case_id, fixes)
    return jsonify(_case_body(case_id))
