"""The administrative history: every change to reference data, who made it, before and after."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.office.audit import admin_history

from ..runtime import rt
from .blueprint import bp


@bp.get("/admin/history")
def admin_history_index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(admin_history(session, g.actor, page=request.args.get("page", 1, type=int),
                                     kind=request.args.get("kind") or None,
                                     target=request.args.get("target") or None))
