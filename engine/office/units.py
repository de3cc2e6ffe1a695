"""Organisation units: the office adds, renames and retires them; forms offer them (see ``engine.forms``'s
``x-options``); each unit names the group whose members act for it (``dept:<key>`` unless said otherwise)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Conflict, Invalid, NotFound
from engine.forms import UnitChoice, unit_option_fields, with_unit_options
from engine.models import Group

from .audit import audit, require_admin
from .models import Unit

KINDS = ("department", "college", "committee")  # the kinds the shipped processes use; any other kind is allowed
KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KIND = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def unit_json(unit: Unit) -> dict[str, Any]:
    return {"key": unit.key, "name": unit.name, "kind": unit.kind, "group": unit.group_key, "active": unit.active}


def list_units(session: so.Session, kind: str | None = None, active: bool | None = None) -> list[Unit]:
    """Units by kind, then name; ``kind`` and ``active`` filter."""
    stmt = sa.select(Unit)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if active is not None:
        stmt = stmt.where(Unit.active.is_(active))
    return list(session.scalars(stmt.order_by(Unit.kind, Unit.name, Unit.key)))


def get_unit(session: so.Session, key: str) -> Unit:
    """:raises NotFound: when no unit has this key."""
    unit = session.scalar(sa.select(Unit).where(Unit.key == key))
    if unit is None:
        raise NotFound(f"unit '{key}' does not exist", reason="unit_missing", params={"unit": key})
    return unit


def unit_names(session: so.Session) -> dict[str, str]:
    """unit key -> name, inactive units included (cases that name them still show the name)."""
    return {k: n for k, n in session.execute(sa.select(Unit.key, Unit.name))}


def find_unit(session: so.Session, text: str) -> Unit | None:
    """The unit whose key or name is ``text`` (as people write it in a spreadsheet)."""
    text = text.strip()
    return session.scalar(sa.select(Unit).where(sa.or_(Unit.key == text, Unit.name == text)).limit(1))


def _ensure_group(session: so.Session, actor: Actor, key: str, name: str) -> None:
    if session.scalar(sa.select(Group.id).where(Group.key == key)) is None:
        session.add(Group(key=key, name=name))
        session.flush()
        audit(session, actor, "group_created", f"group:{key}", None, {"key": key, "name": name})


def _check_group(group: object) -> str:
    if not isinstance(group, str) or not GROUP.match(group.strip()):
        raise Invalid("the group key is invalid", [{"field": "group", "message": "letters, digits and . _ : - "
                                                    "(at most 64 characters)"}])
    return group.strip()


def create_unit(session: so.Session, actor: Actor, key: str, name: str, kind: str,
                group: str | None = None) -> Unit:
    """Add a unit; its group (``dept:<key>`` by default) is created when missing.

    :raises Forbidden: unless ``actor`` is an administrator.
    :raises Invalid: naming each bad field.
    :raises Conflict: when the key is taken.
    """
    require_admin(actor, "add units")
    problems = []
    key = key.strip() if isinstance(key, str) else ""
    name = name.strip() if isinstance(name, str) else ""
    kind = kind.strip() if isinstance(kind, str) else ""
    if not KEY.match(key):
        problems.append({"field": "key", "message": "is required: lower-case letters, digits and . _ - "
                         "(at most 64 characters)"})
    if not name or len(name) > 128:
        problems.append({"field": "name", "message": "is required (at most 128 characters)"})
    if not KIND.match(kind):
        problems.append({"field": "kind", "message": f"is required, e.g. {', '.join(KINDS)}"})
    if problems:
        raise Invalid("the unit is invalid", problems, reason="unit_invalid")
    group_key = _check_group(group) if group not in (None, "") else f"dept:{key}"
    if session.scalar(sa.select(Unit.id).where(Unit.key == key)) is not None:
        raise Conflict(f"unit '{key}' already exists", [{"field": "key", "message": "already used"}],
                       reason="unit_exists", params={"unit": key})
    now = utcnow()
    _ensure_group(session, actor, group_key, name)
    unit = Unit(key=key, name=name, kind=kind, group_key=group_key, active=True, created_at=now, updated_at=now)
    session.add(unit)
    session.flush()
    audit(session, actor, "unit_created", f"unit:{key}", None, unit_json(unit), now)
    return unit


def update_unit(session: so.Session, actor: Actor, key: str, changes: Mapping[str, Any]) -> Unit:
    """Rename a unit, hand it to another group, or (de)activate it; an inactive unit leaves the forms.

    :raises Forbidden: unless ``actor`` is an administrator.
    :raises NotFound: for an unknown key.
    :raises Invalid: naming each bad field.
    """
    require_admin(actor, "change units")
    unit = get_unit(session, key)
    unknown = sorted(set(changes) - {"name", "group", "active"})
    if unknown:
        raise Invalid("unknown fields", [{"field": f, "message": "cannot be changed"} for f in unknown])
    before = unit_json(unit)
    if "name" in changes:
        name = changes["name"].strip() if isinstance(changes["name"], str) else ""
        if not name or len(name) > 128:
            raise Invalid("the name is invalid", [{"field": "name", "message": "is required (at most 128 characters)"}])
        unit.name = name
    if "group" in changes:
        unit.group_key = _check_group(changes["group"])
        _ensure_group(session, actor, unit.group_key, unit.name)
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            raise Invalid("active must be true or false", [{"field": "active", "message": "must be true or false"}])
        unit.active = changes["active"]
    after = unit_json(unit)
    if after != before:
        unit.updated_at = utcnow()
        audit(session, actor, "unit_updated", f"unit:{key}", before, after, unit.updated_at)
    return unit


def served_form(session: so.Session, schema: Mapping[str, Any] | None, include_inactive: bool = False
                ) -> dict[str, Any] | None:
    """The form as it is served and checked now: its unit fields offer the current units (one query, and
    only for forms that have such fields)."""
    if schema is None:
        return None
    fields = unit_option_fields(schema)
    if not fields:
        return dict(schema)
    kinds = {k for wanted, _ in fields.values() for k in wanted}
    rows = session.execute(sa.select(Unit.key, Unit.name, Unit.kind, Unit.group_key, Unit.active)
                           .where(Unit.kind.in_(kinds)).order_by(Unit.name, Unit.key))
    return with_unit_options(schema, [UnitChoice(*r) for r in rows], include_inactive)


def served_forms(session: so.Session, forms: Mapping[str, Any], include_inactive: bool = True) -> dict[str, Any]:
    """Every form of a process with its unit options (for showing a case's data: inactive units keep names)."""
    return {key: served_form(session, schema, include_inactive) for key, schema in forms.items()}
