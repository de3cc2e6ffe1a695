"""Messages and signals: POST /messages delivers a BPMN message, POST /signals broadcasts a signal."""

from __future__ import annotations

from flask import g, jsonify

from engine.messages import send_message, send_signal

from ..runtime import rt
from .blueprint import bp
from .errors import json_body


@bp.post("/messages")
def post_message():  # type: ignore[no-untyped-def]
    """Deliver a message to the waiting cases it correlates with and start the processes it starts"""
    body = json_body()
    done = send_message(rt(), g.actor, body.get("name"), body.get("correlation"), body.get("data"))
    return jsonify(done.as_dict())


@bp.post("/signals")
def post_signal():  # type: ignore[no-untyped-def]
    """Broadcast a signal to every case waiting for it and start the processes it starts"""
    body = json_body()
    done = send_signal(rt(), g.actor, body.get("name"), body.get("data"))
    return jsonify(done.as_dict())
