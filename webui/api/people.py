"""Users and groups (administrators only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, jsonify

from engine.errors import Forbidden, Invalid
from engine.models import Group
from engine.users import create_group, create_user, group_members

from ..runtime import rt
from . import bp
from .errors import json_body


def _require_admin() -> None:
    if not g.actor.is_admin:
        raise Forbidden("only administrators may manage users and groups")


@bp.get("/groups")
def list_groups():  # type: ignore[no-untyped-def]
    _require_admin()
    with rt().reading() as session:
        groups = session.scalars(sa.select(Group).order_by(Group.key))
        return jsonify([{"key": gr.key, "name": gr.name} for gr in groups])


@bp.post("/groups")
def add_group():  # type: ignore[no-untyped-def]
    _require_admin()
    body = json_body()
    with rt().transaction() as session:
        group = create_group(session, str(body.get("key", "")), str(body.get("name", "")))
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
    with rt().transaction() as session:
        user = create_user(session, str(body.get("username", "")), str(body.get("password", "")),
                           body.get("display_name"), groups, body.get("email"))
        out = {"username": user.username, "display_name": user.display_name, "groups": groups}
    return jsonify(out), 201
