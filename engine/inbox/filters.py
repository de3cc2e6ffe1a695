"""Saved inbox filters: private to their owner, or shared with one of the owner's groups."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.queries import DUE_WINDOWS, SORTS, iso
from engine.runtime import Runtime

from .models import SavedFilter

SCOPES = ("all", "mine", "group")
TEXT_PARAMS = {"process": 128, "group": 64, "q": 200}


def clean_params(raw: Any) -> dict[str, Any]:
    """The filter parameters the inbox understands, checked; unknown keys are an error naming the field."""
    if not isinstance(raw, dict):
        raise Invalid("'params' must be an object", [{"field": "params", "message": "must be an object"}])
    out: dict[str, Any] = {}
    problems = []
    for key, value in raw.items():
        if value in (None, "", False):
            continue
        if key == "scope" and value in SCOPES:
            out[key] = value
        elif key == "sort" and value in SORTS:
            out[key] = value
        elif key == "due" and value in DUE_WINDOWS:
            out[key] = value
        elif key == "overdue" and value in (True, "1", "true", 1):
            out[key] = True
        elif key in TEXT_PARAMS and isinstance(value, str) and len(value.strip()) <= TEXT_PARAMS[key]:
            out[key] = value.strip()
        else:
            problems.append({"field": f"params.{key}", "message": "unknown filter or invalid value"})
    if problems:
        raise Invalid("the filter has invalid parameters", problems)
    return out


def filter_json(f: SavedFilter, actor: Actor | None = None) -> dict[str, Any]:
    return {"id": f.id, "name": f.name, "owner": f.owner, "params": dict(f.params or {}),
            "shared_group": f.shared_group, "created_at": iso(f.created_at),
            "mine": actor is not None and f.owner == actor.username}


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    shared = SavedFilter.shared_group.in_(sorted(actor.groups)) if actor.groups else sa.false()
    return sa.or_(SavedFilter.owner == actor.username, shared)


def list_filters(session: so.Session, actor: Actor) -> list[SavedFilter]:
    """The caller's own filters and those shared with any of their groups, by name."""
    return list(session.scalars(sa.select(SavedFilter).where(_visible(actor))
                                .order_by(SavedFilter.owner != actor.username, SavedFilter.name)))


def get_filter(session: so.Session, actor: Actor, filter_id: int) -> SavedFilter:
    row = session.get(SavedFilter, filter_id)
    if row is None:
        raise NotFound(f"saved filter {filter_id} does not exist")
    if row.owner != actor.username and row.shared_group not in actor.groups:
        raise Forbidden(f"saved filter {filter_id} is not yours nor shared with your groups")
    return row


def save_filter(rt: Runtime, actor: Actor, name: Any, params: Any, shared_group: Any = None) -> SavedFilter:
    """Create a filter, or replace the caller's filter of the same name."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 128:
        raise Invalid("a filter needs a name (at most 128 characters)", [{"field": "name", "message": "is required"}])
    cleaned = clean_params(params)
    group = shared_group.strip() if isinstance(shared_group, str) and shared_group.strip() else None
    if shared_group not in (None, "") and group is None:
        raise Invalid("'shared_group' must be a group key", [{"field": "shared_group", "message": "invalid"}])
    if group is not None and group not in actor.groups:
        raise Invalid(f"you can only share with your own groups, not '{group}'",
                      [{"field": "shared_group", "message": "not one of your groups"}])
    with rt.transaction() as session:
        row = session.scalar(sa.select(SavedFilter).where(SavedFilter.owner == actor.username,
                                                          SavedFilter.name == name))
        if row is None:
            row = SavedFilter(owner=actor.username, name=name, created_at=utcnow())
            session.add(row)
        row.params, row.shared_group = cleaned, group
        try:
            session.flush()
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"you already have a filter named '{name}'") from exc
        session.expunge(row)
    return row


def delete_filter(rt: Runtime, actor: Actor, filter_id: int) -> None:
    """Only the owner deletes a filter (a shared one disappears for the whole group)."""
    with rt.transaction() as session:
        row = get_filter(session, actor, filter_id)
        if row.owner != actor.username:
            raise Forbidden(f"only {row.owner} may delete the filter '{row.name}'")
        session.delete(row)
