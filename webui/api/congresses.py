"""Congresses, sessions and delegates (administrators and the proposal committee)."""

from __future__ import annotations

from flask import g, jsonify

from engine.congress.congresses import add_delegate as add_delegate_command
from engine.congress.congresses import (
    congress_json,
    create_congress_in_scope,
    create_session,
    get_congress,
    import_delegates,
    list_congresses,
    list_delegates,
    replace_delegate,
    require_admin,
    session_json,
    update_congress,
    update_session,
)
from engine.errors import Invalid

from ..runtime import rt
from .blueprint import bp
from .errors import json_body
from .uploads import flag, optional_flag, uploaded_file


def _text(body: dict, name: str, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"'{name}' is required", [{"field": name, "message": "is required"}])
    return value


@bp.get("/congresses")
def congresses_index():  # type: ignore[no-untyped-def]
    require_admin(g.actor)
    with rt().reading() as session:
        return jsonify([congress_json(session, c) for c in list_congresses(session)])


@bp.post("/congresses")
def congress_create():  # type: ignore[no-untyped-def]
    body = json_body()
    settings = body.get("settings") or {}
    if not isinstance(settings, dict):
        raise Invalid("settings must be an object", [{"field": "settings", "message": "must be an object"}])
    with rt().transaction() as session:
        row = create_congress_in_scope(session, g.actor, _text(body, "key"), _text(body, "name"),
                                       str(body.get("scope") or "school"), settings)
        out = congress_json(session, row)
    return jsonify(out), 201


@bp.get("/congresses/<key>")
def congress_get(key: str):  # type: ignore[no-untyped-def]
    require_admin(g.actor)
    with rt().reading() as session:
        return jsonify(congress_json(session, get_congress(session, key)))


@bp.patch("/congresses/<key>")
def congress_patch(key: str):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        out = congress_json(session, update_congress(session, g.actor, key, body))
    return jsonify(out)


@bp.post("/congresses/<key>/sessions")
def congress_session_create(key: str):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        congress = get_congress(session, key)
        row = create_session(session, g.actor, congress, _text(body, "name"), body.get("term"), body.get("number"),
                             body.get("opens_at"), body.get("closes_at"))
        out = session_json(row)
    return jsonify(out), 201


@bp.patch("/congresses/<key>/sessions/<int:session_id>")
def congress_session_patch(key: str, session_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        out = session_json(update_session(session, g.actor, get_congress(session, key), session_id, body))
    return jsonify(out)


@bp.post("/congresses/<key>/sessions/<int:session_id>/close")
def congress_session_close(key: str, session_id: int):  # type: ignore[no-untyped-def]
    with rt().transaction() as session:
        out = session_json(update_session(session, g.actor, get_congress(session, key), session_id, {"close": True}))
    return jsonify(out)


@bp.get("/congresses/<key>/delegates")
def delegates_index(key: str):  # type: ignore[no-untyped-def]
    require_admin(g.actor)
    with rt().reading() as session:
        return jsonify(list_delegates(session, get_congress(session, key), optional_flag("active")))


@bp.post("/congresses/<key>/delegates")
def delegate_add(key: str):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        congress = get_congress(session, key)
        add_delegate_command(session, g.actor, congress, _text(body, "username"),
                             _text(body, "delegation", required=False), body.get("unit") or None)
        username = body["username"]
    with rt().reading() as session:
        found = [d for d in list_delegates(session, get_congress(session, key)) if d["username"] == username]
    return jsonify(found[0]), 201


@bp.delete("/congresses/<key>/delegates/<username>")
def delegate_replace(key: str, username: str):  # type: ignore[no-untyped-def]
    with rt().transaction() as session:
        replace_delegate(session, g.actor, get_congress(session, key), username)
    with rt().reading() as session:
        found = [d for d in list_delegates(session, get_congress(session, key)) if d["username"] == username]
    return jsonify(found[0])


@bp.post("/congresses/<key>/delegates/import")
def delegates_import(key: str):  # type: ignore[no-untyped-def]
    name, data = uploaded_file()
    with rt().transaction() as session:
        result = import_delegates(session, g.actor, get_congress(session, key), name, data, flag("dry_run"))
        out = {**result.as_dict(), "delegates": result.delegates}
    return jsonify(out)
