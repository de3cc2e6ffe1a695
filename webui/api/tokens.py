"""POST /api/v1/tokens: trade a username and password for a bearer token."""

from __future__ import annotations

from flask import jsonify

from engine.users import authenticate, issue_token

from ..runtime import rt
from ..security import client_address
from .blueprint import bp
from .errors import error_response, json_body


@bp.post("/tokens")
def create_token():  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        user = authenticate(session, str(body.get("username", "")), str(body.get("password", "")),
                            client_address())
        if user is None:
            return error_response(401, "unauthenticated", "wrong username or password")
        token, expires = issue_token(session, user)
    return jsonify({"token": token, "expires_at": expires.isoformat()}), 201
