"""Users and groups (administrators only): list, search, create, change, deactivate, import."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.errors import Invalid
from engine.office.audit import require_admin
from engine.office.imports import import_users
from engine.office.staff import add_user, get_user, list_users, update_user, user_json
from engine.users import create_group, group_members, list_groups

from ..runtime import rt
from .blueprint import bp
from .errors import json_body
from .uploads import flag, uploaded_file


def _require_admin() -> None:
    require_admin(g.actor, "manage users and groups")


@bp.get("/groups")
def list_groups_route():  # type: ignore[no-untyped-def]
    _require_admin()
    with rt().reading() as session:
        return jsonify([{"key": gr.key, "name": gr.name} for gr in list_groups(session)])


@bp.post("/groups")
def add_group():  # type: ignore[no-untyped-def]
    _require_admin()
    body = json_body()
    with rt().transaction() as session:
        group = create_group(session, str(body.get("key", "")), str(body.get("name", "")), actor=g.actor)
        out = {"key": group.key, "name": group.name}
    return jsonify(out), 201


@bp.get("/groups/<key>/members")
def members(key: str):  # type: ignore[no-untyped-def]
    _require_admin()
    with rt().reading() as session:
        return jsonify([{"username": u.username, "display_name": u.display_name} for u in group_members(session, key)])


@bp.get("/users")
def users_index():  # type: ignore[no-untyped-def]
    active = request.args.get("active")
    with rt().reading() as session:
        rows = list_users(session, g.actor, q=request.args.get("q"), group=request.args.get("group"),
                          unit=request.args.get("unit"),
                          active=None if active in (None, "") else active.lower() in ("1", "true", "yes"))
        return jsonify([user_json(u) for u in rows])


@bp.post("/users")
def add_user_route():  # type: ignore[no-untyped-def]
    body = json_body()
    groups = body.get("groups", [])
    if not isinstance(groups, list) or not all(isinstance(x, str) for x in groups):
        raise Invalid("groups must be a list of group keys", [{"field": "groups", "message": "must be a list"}])
    with rt().transaction() as session:
        user = add_user(session, g.actor, str(body.get("username", "")), str(body.get("password", "")),
                        body.get("display_name"), groups, body.get("email"), body.get("unit"))
        out = user_json(user)
    return jsonify(out), 201


@bp.get("/users/<username>")
def user_get(username: str):  # type: ignore[no-untyped-def]
    _require_admin()
    with rt().reading() as session:
        return jsonify(user_json(get_user(session, username)))


@bp.patch("/users/<username>")
def user_patch(username: str):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        out = user_json(update_user(session, g.actor, username, body))
    return jsonify(out)


@bp.post("/users/import")
def users_import():  # type: ignore[no-untyped-def]
    _require_admin()
    name, data = uploaded_file()
    with rt().transaction() as session:
        result, _ = import_users(session, g.actor, name, data, dry_run=flag("dry_run"))
    return jsonify(result.as_dict())
