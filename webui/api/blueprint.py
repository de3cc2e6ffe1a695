"""The API blueprint: bearer-token sign-in before every call (but a few public ones), engine errors as JSON."""

from __future__ import annotations

from flask import Blueprint, g, request

from engine.errors import DocketError
from engine.users import actor_for_token

from ..runtime import rt
from .errors import api_error, error_response

bp = Blueprint("api", __name__)
PUBLIC = {"api.create_token", "api.openapi"}


@bp.before_request
def authenticate():  # type: ignore[no-untyped-def]
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return error_response(401, "unauthenticated", "send Authorization: Bearer <token> (POST /api/v1/tokens)")
    with rt().connection() as connection:
        actor = actor_for_token(connection, header.removeprefix("Bearer ").strip())
    if actor is None:
        return error_response(401, "unauthenticated", "the token is unknown or expired")
    g.actor = actor
    return None


@bp.errorhandler(DocketError)
def docket_error(exc: DocketError):  # type: ignore[no-untyped-def]
    return api_error(exc)
