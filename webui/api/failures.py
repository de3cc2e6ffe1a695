"""Cases in error: GET /cases/errors lists them with the message and the failing element (retry: POST
/cases/<id>/retry)."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.failures import failed_cases

from ..runtime import rt
from .blueprint import bp


@bp.get("/cases/errors")
def cases_in_error():  # type: ignore[no-untyped-def]
    """Cases in error with the message and the element that failed (supervisors)"""
    return jsonify(failed_cases(rt(), g.actor, process=request.args.get("process") or None,
                                page=request.args.get("page", 1, type=int)))
