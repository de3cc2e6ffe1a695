"""Users and groups (administrators only)."""

from __future__ import annotations

from flask import g, jsonify

from engine import users
from engine.errors import Forbidden, Invalid
from engine.queries import group_names
from engine.users import group_members

from ..runtime import rt
from .blueprint import bp
from .errors import json_body


def _require_admin() -> None:
    if not g.actor.is_admin:
        raise Forbidden("only administrators may manage users and groups")


@bp.get("/groups")
def list_groups():  # type: ignore[no-untyped-def]
    _require_admin()
    with rt().reading() as session:
        return jsonify([{"key": key, "name": name} for key, name in sorted(group_names(session).items())])


@bp.post("/groups")
def add_group():  # type: ignore[no-untyped-def]
    _require_admin()
    body = json_body()
    group = users.add_group(rt(), str(body.get("key", "")), str(body.get("name", "")))
    out = {"key": group.key, "name": group.name}
    return jsonify(out), 201


@bp.get("/groups/<key>/members")
def members(key: str):  # type: ignore[no-untyped-def]
    _require_admin()
    with rt().reading() as session:
        return jsonify([{"username": u.username, "display_name": u.display_name} for u in group_members(session, key)])


@bp.post("/users")
def add_user():  # type: ignore[no-untyped-def]
    _require_admin()
    body = json_body()
    groups = body.get("groups", [])
    if not isinstance(groups, list) or not all(isinstance(x, str) for x in groups):
        raise Invalid("groups must be a list of group keys", [{"field": "groups", "message": "must be a list"}])
    user = users.add_user(rt(), str(body.get("username", "")), str(body.get("password", "")), body.get("display_name"),
                    groups, body.get("email"))
    out = {"username": user.username, "display_name": user.display_name, "groups": groups}
    return jsonify(out), 201
