"""Inbox API: the inbox with counts, saved filters, bulk actions, delegation choices, comments, attachments."""

from __future__ import annotations

from flask import g, jsonify, request, send_file

from engine.errors import Invalid
from engine.inbox.attachments import attachment_json, open_attachment, store_attachment
from engine.inbox.bulk import bulk_action
from engine.inbox.comments import add_comment, case_discussion
from engine.inbox.filters import delete_filter, filter_json, list_filters, save_filter
from engine.inbox.people import delegation_choices
from engine.queries import inbox_counts, inbox_page

from ..inputs import id_list
from ..runtime import rt, upload_directory
from .blueprint import bp
from .errors import json_body


def inbox_filters(args) -> dict:  # type: ignore[no-untyped-def]
    """The inbox filters from query parameters (shared by the page and the API)."""
    view = args.get("view") or ""
    return {"scope": args.get("scope") or "all", "sort": args.get("sort") or "due_at",
            "process": args.get("process") or None, "group": args.get("group") or None,
            "overdue": True if view == "overdue" or args.get("overdue") in ("1", "true") else None,
            "due": "today" if view == "today" else (args.get("due") or None), "q": args.get("q") or None}


@bp.get("/inbox")
def inbox_index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        listing = inbox_page(session, g.actor, page=request.args.get("page", 1, type=int),
                             **inbox_filters(request.args))
        filters = inbox_filters({k: v for k, v in request.args.items() if k != "view"})
        listing["counts"] = inbox_counts(session, g.actor, **filters)
    return jsonify(listing)


@bp.post("/inbox/bulk")
def inbox_bulk():  # type: ignore[no-untyped-def]
    body = json_body()
    results = bulk_action(rt(), g.actor, body.get("action"), body.get("tasks"), body.get("user"))
    return jsonify({"results": results, "ok": sum(r["ok"] for r in results),
                    "failed": sum(not r["ok"] for r in results)})


@bp.get("/inbox/filters")
def filters_index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify([filter_json(f, g.actor) for f in list_filters(session, g.actor)])


@bp.post("/inbox/filters")
def filters_create():  # type: ignore[no-untyped-def]
    body = json_body()
    row = save_filter(rt(), g.actor, body.get("name"), body.get("params", {}), body.get("shared_group"))
    return jsonify(filter_json(row, g.actor)), 201


@bp.delete("/inbox/filters/<int:filter_id>")
def filters_delete(filter_id: int):  # type: ignore[no-untyped-def]
    delete_filter(rt(), g.actor, filter_id)
    return "", 204


@bp.get("/tasks/<task_id>/candidates")
def task_candidates(task_id: str):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(delegation_choices(session, g.actor, task_id))


@bp.get("/cases/<int:case_id>/comments")
def comments_index(case_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify(case_discussion(session, g.actor, case_id, request.args.get("task") or None))


@bp.post("/cases/<int:case_id>/comments")
def comments_create(case_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    ids = id_list(body, "attachments") or []
    return jsonify(add_comment(rt(), g.actor, case_id, body.get("body"), body.get("task_id") or None, ids)), 201


@bp.post("/cases/<int:case_id>/attachments")
def attachments_create(case_id: int):  # type: ignore[no-untyped-def]
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the file as multipart field 'file'", [{"field": "file", "message": "is required"}])
    row = store_attachment(rt(), g.actor, upload_directory(), case_id, upload.filename or "", upload.read(),
                           request.form.get("task_id") or None)
    return jsonify(attachment_json(row)), 201


@bp.get("/attachments/<int:attachment_id>")
def attachments_get(attachment_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        row, path = open_attachment(session, g.actor, upload_directory(), attachment_id)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
