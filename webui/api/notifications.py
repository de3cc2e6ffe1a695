"""The caller's notifications."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.notifications import list_for, notification_json, read_notifications, unread_count

from ..inputs import id_list
from ..runtime import rt
from .blueprint import bp
from .errors import json_body


@bp.get("/notifications")
def notifications_index():  # type: ignore[no-untyped-def]
    unread = request.args.get("unread") in ("1", "true")
    with rt().reading() as session:
        items = [notification_json(n) for n in list_for(session, g.actor.username, unread_only=unread)]
        return jsonify({"unread": unread_count(session, g.actor.username), "items": items})


@bp.post("/notifications/read")
def notifications_read():  # type: ignore[no-untyped-def]
    ids = id_list(json_body(), "ids")
    count = read_notifications(rt(), g.actor.username, ids)
    return jsonify({"marked": count})
