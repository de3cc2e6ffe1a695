"""Sign-in locks for administrators: list them, and lift those of a username or an address (audited)."""

from __future__ import annotations

from flask import g, jsonify

from engine.clock import utcnow
from engine.errors import Invalid
from engine.signin import current_locks, lock_json, unlock

from ..runtime import rt
from .blueprint import bp
from .errors import json_body


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"'{name}' must be a string", [{"field": name, "message": "must be a string"}])
    return (value or "").strip() or None


@bp.get("/signin-locks")
def signin_locks():  # type: ignore[no-untyped-def]
    """Usernames and addresses whose sign-in is paused right now (admin)."""
    with rt().reading() as session:
        return jsonify([lock_json(row) for row in current_locks(session, g.actor, utcnow())])


@bp.post("/signin-locks/unlock")
def signin_unlock():  # type: ignore[no-untyped-def]
    """Lift the sign-in locks of a username (at every address) and/or an address (admin)."""
    body = json_body()
    with rt().transaction() as session:
        lifted = unlock(session, g.actor, utcnow(), _text(body, "username"), _text(body, "address"))
    return jsonify({"unlocked": lifted})


@bp.post("/users/<username>/unlock")
def user_unlock(username: str):  # type: ignore[no-untyped-def]
    """Lift the sign-in locks of one user, wherever they were set (admin)."""
    with rt().transaction() as session:
        lifted = unlock(session, g.actor, utcnow(), username)
    return jsonify({"unlocked": lifted})
