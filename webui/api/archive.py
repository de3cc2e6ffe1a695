"""GET /api/v1/archive: the registered proposals the caller may read, full-text searchable (API.md)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from engine.congress.archive import search
from engine.congress.models import Proposal

from ..runtime import rt
from . import bp


def archive_json(p: Proposal) -> dict[str, Any]:
    reply = p.reply or {}
    return {"id": p.id, "number": p.business_key, "title": p.title, "proposers": [p.proposer, *(p.co_proposers or [])],
            "category": p.category, "departments": [d for d in [p.lead_department, *(p.co_departments or [])] if d],
            "reply": {"type": reply.get("reply_type"), "text": reply.get("reply"), "measures": reply.get("measures"),
                      "completion_date": reply.get("completion_date")} if reply else None,
            "rating": p.rating, "grade": p.grade, "status": p.status, "cause": p.cause, "suggestion": p.suggestion,
            "registered_at": p.registered_at.isoformat() if p.registered_at else None}


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
