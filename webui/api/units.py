"""Organisation units: any signed-in user reads them; administrators add and change them."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.office.units import create_unit, list_units, unit_json, update_unit

from ..runtime import rt
from .blueprint import bp
from .errors import json_body
from .uploads import optional_flag


@bp.get("/units")
def units_index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        rows = list_units(session, kind=request.args.get("kind") or None, active=optional_flag("active"))
        return jsonify([unit_json(u) for u in rows])


@bp.post("/units")
def unit_create():  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        unit = create_unit(session, g.actor, body.get("key", ""), body.get("name", ""), body.get("kind", ""),
                           body.get("group"))
        out = unit_json(unit)
    return jsonify(out), 201


@bp.patch("/units/<key>")
def unit_patch(key: str):  # type: ignore[no-untyped-def]
    body = json_body()
    with rt().transaction() as session:
        out = unit_json(update_unit(session, g.actor, key, body))
    return jsonify(out)
