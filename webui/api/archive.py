"""GET /api/v1/archive: the registered proposals the caller may read, full-text searchable (API.md)."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.congress.archive import archive_json, search

from ..runtime import rt
from .blueprint import bp


@bp.get("/archive")
def archive_index():  # type: ignore[no-untyped-def]
    args = request.args
    with rt().reading() as session:
        found = search(session, g.actor, q=args.get("q", ""), congress=args.get("congress") or None,
                       session_id=args.get("session", type=int), category=args.get("category") or None,
                       department=args.get("department") or None, status=args.get("status") or None,
                       page=args.get("page", 1, type=int))
        return jsonify({"items": [archive_json(p) for p in found["items"]], "total": found["total"],
                        "page": found["page"], "pages": found["pages"]})
