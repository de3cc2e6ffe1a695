"""Congresses, sessions and delegates: setting them up (administrators and the proposal committee), replacing
delegates (撤换, history kept), importing them from a spreadsheet, and asking who belongs where.

Every change is audited (``engine.office.audit``). A congress is the school's (scope ``school``) or a college's
二级教代会 (scope: the college's unit key); its settings override the defaults of ``settings.DEFAULTS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.models import Group, User
from engine.office.audit import audit
from engine.office.imports import DELEGATE_COLUMNS, ImportResult, import_users
from engine.office.models import Unit
from engine.workdays import LOCAL

from .models import Congress, CongressSession, Delegate
from .settings import check_settings

LEVELS = ("school", "department")
MANAGERS = ("admin", "committee")  # who may set congresses up: administrators and the proposal committee


def require_admin(actor: Actor) -> None:
    """:raises Forbidden: unless ``actor`` is an administrator or on the proposal committee."""
    if not actor.groups & set(MANAGERS):
        raise Forbidden("only administrators and the proposal committee may set up congresses",
                        reason="congress_admin_only")


def _ensure_group(session: so.Session, actor: Actor, key: str, name: str) -> None:
    if session.scalar(sa.select(Group.id).where(Group.key == key)) is None:
        session.add(Group(key=key, name=name))
        session.flush()
        audit(session, actor, "group_created", f"group:{key}", None, {"key": key, "name": name})


def congress_json(session: so.Session, congress: Congress) -> dict[str, Any]:
    sessions = session.scalars(sa.select(CongressSession).where(CongressSession.congress_id == congress.id)
                               .order_by(CongressSession.opens_at)).all()
    return {"key": congress.key, "name": congress.name,
            "scope": "school" if congress.level == "school" else congress.department,
            "settings": dict(congress.settings or {}), "committee_group": congress.committee_group,
            "presidium_group": congress.presidium_group, "leader_group": congress.leader_group,
            "sessions": [session_json(s) for s in sessions]}


def session_json(row: CongressSession) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "term": row.term, "number": row.number,
            "opens_at": row.opens_at.isoformat(), "closes_at": row.cutoff_at.isoformat()}


def create_congress(session: so.Session, actor: Actor, key: str, name: str, level: str = "school",
                    department: str | None = None, committee_group: str | None = None,
                    presidium_group: str | None = None, leader_group: str = "leader",
                    settings: dict[str, Any] | None = None) -> Congress:
    """A school congress or a college's 二级教代会 with the groups that run its proposals (created when missing:
    ``committee``/``presidium`` for the school, ``committee:<college>``/``presidium:<college>`` for a college).

    :raises Forbidden: unless an administrator or the proposal committee.
    :raises Invalid: naming the bad field (an unknown college, a bad setting).
    :raises Conflict: when the key is taken.
    """
    require_admin(actor)
    key = (key or "").strip()
    name = (name or "").strip()
    problems = []
    if not key or len(key) > 64 or not key.replace("-", "").replace("_", "").isalnum():
        problems.append({"field": "key", "message": "is required: letters, digits, - and _ (at most 64)"})
    if not name or len(name) > 256:
        problems.append({"field": "name", "message": "is required (at most 256 characters)"})
    if level not in LEVELS:
        problems.append({"field": "scope", "message": f"level must be one of {', '.join(LEVELS)}"})
    if level == "department" and not department:
        problems.append({"field": "scope", "message": "a college congress names its college"})
    problems += check_settings(settings or {})
    if problems:
        raise Invalid("the congress is invalid", problems, reason="congress_invalid")
    if session.scalar(sa.select(Congress.id).where(Congress.key == key)):
        raise Conflict(f"congress '{key}' exists", [{"field": "key", "message": "already used"}],
                       reason="congress_exists", params={"key": key})
    suffix = f":{department}" if level == "department" else ""
    committee_group = committee_group or f"committee{suffix}"
    presidium_group = presidium_group or f"presidium{suffix}"
    labels = ((committee_group, "提案工作委员会"), (presidium_group, "主席团"), (leader_group, "分管校领导"))
    for group, label in labels:
        _ensure_group(session, actor, group, f"{name}{label}" if suffix and group != leader_group else label)
    row = Congress(key=key, name=name, level=level, department=department, committee_group=committee_group,
                   presidium_group=presidium_group, leader_group=leader_group, settings=dict(settings or {}),
                   created_at=utcnow())
    session.add(row)
    session.flush()
    audit(session, actor, "congress_created", f"congress:{key}", None, congress_json(session, row))
    return row


def create_congress_in_scope(session: so.Session, actor: Actor, key: str, name: str, scope: str,
                             settings: dict[str, Any] | None = None) -> Congress:
    """``create_congress`` for a scope as the API names it: ``school`` or a college's unit key.

    :raises Invalid: when the scope is neither ``school`` nor an active college.
    """
    if scope == "school":
        return create_congress(session, actor, key, name, "school", settings=settings)
    unit = session.scalar(sa.select(Unit).where(Unit.key == scope, Unit.kind == "college", Unit.active.is_(True)))
    if unit is None:
        require_admin(actor)
        raise Invalid(f"scope '{scope}' is neither 'school' nor an active college",
                      [{"field": "scope", "message": "must be school or the unit key of a college"}],
                      reason="scope_unknown", params={"scope": scope})
    return create_congress(session, actor, key, name, "department", department=unit.key, settings=settings)


def update_congress(session: so.Session, actor: Actor, key: str, changes: Mapping[str, Any]) -> Congress:
    """Rename a congress or change its settings (the keys given replace those values; ``null`` restores the
    default).

    :raises Forbidden, NotFound, Invalid: as their names say.
    """
    require_admin(actor)
    row = get_congress(session, key)
    unknown = sorted(set(changes) - {"name", "settings"})
    if unknown:
        raise Invalid("unknown fields", [{"field": f, "message": "cannot be changed"} for f in unknown])
    before = congress_json(session, row)
    if "name" in changes:
        name = changes["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > 256:
            raise Invalid("the name is invalid", [{"field": "name", "message": "is required (at most 256 characters)"}])
        row.name = name.strip()
    if "settings" in changes:
        settings = changes["settings"]
        if not isinstance(settings, dict):
            raise Invalid("settings must be an object", [{"field": "settings", "message": "must be an object"}])
        problems = check_settings({k: v for k, v in settings.items() if v is not None})
        if problems:
            raise Invalid("the settings are invalid", problems, reason="settings_invalid")
        merged = {**(row.settings or {}), **settings}
        row.settings = {k: v for k, v in merged.items() if v is not None}
    after = congress_json(session, row)
    if after != before:
        audit(session, actor, "congress_updated", f"congress:{row.key}", before, after)
    return row


def _when(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        found = value
    else:
        try:
            found = datetime.fromisoformat(str(value)) if value else None
        except ValueError:
            found = None
    if found is None:
        raise Invalid(f"{field} is not a date and time", [{"field": field, "message": "must be an ISO 8601 date and "
                                                           "time, e.g. 2026-03-01T08:00:00+08:00"}],
                                                           reason="datetime_invalid")
    if found.tzinfo is None:
        found = found.replace(tzinfo=LOCAL)
    return found


def create_session(session: so.Session, actor: Actor, congress: Congress, name: str, term: int | None = None,
                   number: int | None = None, opens_at: datetime | str | None = None,
                   cutoff_at: datetime | str | None = None, self_check_on: date | None = None,
                   settings: dict[str, Any] | None = None) -> CongressSession:
    """A session (届/次) whose proposal collection runs from ``opens_at`` to ``cutoff_at``; the term and number
    default to the latest session's term and the next number.

    :raises Forbidden, Invalid: as their names say; Conflict when that term and number exist.
    """
    require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise Invalid("the session needs a name", [{"field": "name", "message": "is required (at most 128 "
                                                    "characters)"}], reason="session_name_required")
    opens, cutoff = _when(opens_at, "opens_at"), _when(cutoff_at, "closes_at")
    if cutoff <= opens:
        raise Invalid("the cutoff must come after the opening", [{"field": "closes_at",
                                                                  "message": "must be after opens_at"}])
    latest = session.scalars(sa.select(CongressSession).where(CongressSession.congress_id == congress.id)
                             .order_by(CongressSession.term.desc(), CongressSession.number.desc())).first()
    term = term or (latest.term if latest else 1)
    number = number or ((latest.number + 1) if latest and latest.term == term else 1)
    if session.scalar(sa.select(CongressSession.id).where(CongressSession.congress_id == congress.id,
                                                          CongressSession.term == term,
                                                          CongressSession.number == number)):
        raise Conflict(f"{congress.name} already has session {term}-{number}",
                       [{"field": "number", "message": "already used"}],
                       reason="session_exists", params={"congress": congress.name, "term": term, "number": number})
    row = CongressSession(congress_id=congress.id, name=name, term=term, number=number, opens_at=opens,
                          cutoff_at=cutoff, self_check_on=self_check_on, settings=settings or {})
    session.add(row)
    session.flush()
    audit(session, actor, "session_created", f"congress:{congress.key}/session:{row.id}", None, session_json(row))
    return row


def update_session(session: so.Session, actor: Actor, congress: Congress, session_id: int,
                   changes: Mapping[str, Any]) -> CongressSession:
    """Rename a session or move its collection window; ``{"close": true}`` closes collection now.

    :raises Forbidden, NotFound, Invalid: as their names say.
    """
    require_admin(actor)
    row = get_session(session, session_id)
    if row.congress_id != congress.id:
        raise NotFound(f"congress {congress.key} has no session {session_id}")
    unknown = sorted(set(changes) - {"name", "opens_at", "closes_at", "close"})
    if unknown:
        raise Invalid("unknown fields", [{"field": f, "message": "cannot be changed"} for f in unknown])
    before = session_json(row)
    if "name" in changes:
        if not isinstance(changes["name"], str) or not changes["name"].strip():
            raise Invalid("the session needs a name", [{"field": "name", "message": "is required"}],
                          reason="session_name_required")
        row.name = changes["name"].strip()
    if "opens_at" in changes:
        row.opens_at = _when(changes["opens_at"], "opens_at")
    if "closes_at" in changes:
        row.cutoff_at = _when(changes["closes_at"], "closes_at")
    if changes.get("close"):
        now = utcnow()
        if row.cutoff_at > now:
            row.cutoff_at = max(now, row.opens_at + timedelta(seconds=1))
    if row.cutoff_at <= row.opens_at:
        raise Invalid("the cutoff must come after the opening", [{"field": "closes_at",
                                                                  "message": "must be after opens_at"}])
    after = session_json(row)
    if after != before:
        audit(session, actor, "session_updated", f"congress:{congress.key}/session:{row.id}", before, after)
    return row


def delegate_json(row: Delegate, user: User | None) -> dict[str, Any]:
    return {"username": row.username, "display_name": user.display_name if user else row.username,
            "unit": row.unit, "delegation": row.delegation, "active": row.active,
            "since": row.since.isoformat() if row.since else None,
            "until": row.until.isoformat() if row.until else None}


def list_delegates(session: so.Session, congress: Congress, active: bool | None = None) -> list[dict[str, Any]]:
    """The congress's delegates, current and replaced (with ``since`` and ``until``), by unit and name."""
    stmt = sa.select(Delegate, User).outerjoin(User, User.username == Delegate.username) \
        .where(Delegate.congress_id == congress.id)
    if active is not None:
        stmt = stmt.where(Delegate.active.is_(active))
    rows = session.execute(stmt.order_by(Delegate.active.desc(), Delegate.unit, Delegate.username)).all()
    return [delegate_json(d, u) for d, u in rows]


def add_delegate(session: so.Session, actor: Actor, congress: Congress, username: str,
                 delegation: str = "", unit: str | None = None) -> Delegate:
    """Make ``username`` a delegate of the congress from now on (a replaced delegate is reinstated).

    :raises Forbidden: unless an administrator or the proposal committee.
    :raises Invalid: for an unknown user or unit.
    """
    require_admin(actor)
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise Invalid(f"user '{username}' does not exist", [{"field": "username", "message": "unknown user"}],
                      reason="user_unknown", params={"person": username})
    if unit and session.scalar(sa.select(Unit.id).where(Unit.key == unit)) is None:
        raise Invalid(f"unknown unit: {unit}", [{"field": "unit", "message": f"unknown unit: {unit}"}],
                      reason="unit_unknown", params={"unit": unit})
    found = session.scalar(sa.select(Delegate).where(Delegate.congress_id == congress.id,
                                                     Delegate.username == username))
    if found is not None and found.active:
        return found
    now = utcnow()
    before = None
    if found is None:
        found = Delegate(congress_id=congress.id, username=username, delegation=delegation or "")
        session.add(found)
    else:
        before = delegate_json(found, user)
    found.delegation = delegation or found.delegation or ""
    found.unit = unit or user.unit or found.unit
    found.active, found.since, found.until = True, now, None
    session.flush()
    audit(session, actor, "delegate_added", f"congress:{congress.key}/delegate:{username}", before,
          delegate_json(found, user), now)
    return found


def replace_delegate(session: so.Session, actor: Actor, congress: Congress, username: str) -> Delegate:
    """撤换: the delegate is inactive from now on; the row stays as history.

    :raises Forbidden, NotFound: as their names say; Conflict when already replaced.
    """
    require_admin(actor)
    found = session.scalar(sa.select(Delegate).where(Delegate.congress_id == congress.id,
                                                     Delegate.username == username))
    if found is None:
        raise NotFound(f"{username} is not a delegate of {congress.name}",
                       reason="not_delegate_of", params={"person": username, "congress": congress.name})
    if not found.active:
        raise Conflict(f"{username} was already replaced", reason="delegate_replaced", params={"person": username})
    user = session.scalar(sa.select(User).where(User.username == username))
    before = delegate_json(found, user)
    found.active, found.until = False, utcnow()
    session.flush()
    audit(session, actor, "delegate_replaced", f"congress:{congress.key}/delegate:{username}", before,
          delegate_json(found, user), found.until)
    return found


def import_delegates(session: so.Session, actor: Actor, congress: Congress, filename: str, data: bytes,
                     dry_run: bool = False) -> ImportResult:
    """Import the congress's delegates from a spreadsheet like the staff import (users missing from the system
    are created); all or nothing.

    :raises Forbidden: unless an administrator (users are created).
    :raises Invalid: on a real run with any error, listing every row and column.
    """
    require_admin(actor)
    result, users = import_users(session, actor, filename, data, dry_run, DELEGATE_COLUMNS)
    if dry_run:
        return result
    for username, (user, delegation) in users.items():
        add_delegate(session, actor, congress, username, delegation, user.unit)
        result.delegates.append(username)
    audit(session, actor, "delegates_imported", f"congress:{congress.key}", None,
          {"rows": result.rows, "delegates": result.delegates, "created": result.created})
    return result


def get_congress(session: so.Session, key_or_id: str | int) -> Congress:
    stmt = sa.select(Congress)
    stmt = stmt.where(Congress.id == key_or_id) if isinstance(key_or_id, int) else stmt.where(Congress.key == key_or_id)
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"congress {key_or_id} does not exist", reason="congress_missing")
    return row


def list_congresses(session: so.Session) -> list[Congress]:
    return list(session.scalars(sa.select(Congress).order_by(Congress.level.desc(), Congress.id)))


def get_session(session: so.Session, session_id: int) -> CongressSession:
    row = session.get(CongressSession, session_id)
    if row is None:
        raise NotFound(f"congress session {session_id} does not exist")
    return row


def current_session(session: so.Session, congress: Congress, now: datetime | None = None) -> CongressSession:
    """The session whose collection window is open now, else the latest one."""
    now = now or utcnow()
    rows = session.scalars(sa.select(CongressSession).where(CongressSession.congress_id == congress.id)
                           .order_by(CongressSession.opens_at.desc())).all()
    if not rows:
        raise NotFound(f"congress {congress.key} has no session")
    for row in rows:
        if row.opens_at <= now <= row.cutoff_at:
            return row
    return rows[0]


def is_delegate(session: so.Session, congress_id: int, username: str) -> bool:
    """A current (not replaced) delegate of the congress."""
    return bool(session.scalar(sa.select(Delegate.id).where(Delegate.congress_id == congress_id,
                                                            Delegate.username == username,
                                                            Delegate.active.is_(True))))


def delegates_of(session: so.Session, congress_id: int) -> list[str]:
    """The usernames of the congress's current delegates."""
    return list(session.scalars(sa.select(Delegate.username).where(Delegate.congress_id == congress_id,
                                                                   Delegate.active.is_(True))
                                .order_by(Delegate.username)))


def congresses_of(session: so.Session, actor: Actor) -> list[Congress]:
    """Congresses the actor takes part in: as delegate, or through its committee/presidium/leader groups."""
    rows = session.scalars(sa.select(Congress).order_by(Congress.level.desc(), Congress.id)).all()
    mine = set(session.scalars(sa.select(Delegate.congress_id).where(Delegate.username == actor.username,
                                                                     Delegate.active.is_(True))))
    return [c for c in rows if actor.is_supervisor or c.id in mine or is_official(actor, c)]


def is_official(actor: Actor, congress: Congress) -> bool:
    """On the congress's committee, presidium or leaders (or a supervisor)."""
    return actor.is_supervisor or bool(actor.groups & {congress.committee_group, congress.presidium_group,
                                                       congress.leader_group})

