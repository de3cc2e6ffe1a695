"""Staff administration: list and search users, change their groups, unit and details, reset a password,
deactivate (they cannot sign in; the open tasks they hold go back to their groups). Every change is audited,
and the last active administrator can be neither deactivated nor stripped of the admin group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import ADMIN, Actor
from engine.casework import record
from engine.clock import utcnow
from engine.errors import Conflict, Invalid, NotFound
from engine.models import Case, Group, Task, User, membership, task_is_open
from engine.passwords import hash_password
from engine.users import create_user, find_user

from .audit import audit, require_admin
from .models import Unit

MIN_PASSWORD = 4


def user_json(user: User) -> dict[str, Any]:
    """A user as the API shows it (never the password hash)."""
    return {"username": user.username, "display_name": user.display_name, "email": user.email,
            "groups": sorted(g.key for g in user.groups), "unit": user.unit, "active": user.active}


def list_users(session: so.Session, actor: Actor, q: str | None = None, group: str | None = None,
               unit: str | None = None, active: bool | None = None) -> list[User]:
    """Users by username; ``q`` matches the username, name or e-mail; ``group``, ``unit`` and ``active`` filter.

    :raises Forbidden: unless ``actor`` is an administrator.
    """
    require_admin(actor, "list users")
    stmt = sa.select(User).options(so.selectinload(User.groups))
    if q and q.strip():
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(User.username.ilike(like, escape="\\"), User.display_name.ilike(like, escape="\\"),
                                 User.email.ilike(like, escape="\\")))
    if group:
        stmt = stmt.where(User.groups.any(Group.key == group))
    if unit:
        stmt = stmt.where(User.unit == unit)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return list(session.scalars(stmt.order_by(User.username)))


def get_user(session: so.Session, username: str) -> User:
    """:raises NotFound: when there is no such user."""
    user = find_user(session, username)
    if user is None:
        raise NotFound(f"user '{username}' does not exist", reason="user_missing", params={"person": username})
    return user


def _groups(session: so.Session, keys: object, field: str = "groups") -> list[Group]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise Invalid("groups must be a list of group keys", [{"field": field, "message": "must be a list"}])
    found = list(session.scalars(sa.select(Group).where(Group.key.in_(keys))))
    missing = sorted(set(keys) - {g.key for g in found})
    if missing:
        raise Invalid(f"unknown group(s): {', '.join(missing)}",
                      [{"field": field, "message": f"unknown group: {m}"} for m in missing],
                      reason="groups_unknown", params={"groups": missing})
    return found


def _unit(session: so.Session, key: object) -> str | None:
    if key in (None, ""):
        return None
    if not isinstance(key, str) or session.scalar(sa.select(Unit.id).where(Unit.key == key)) is None:
        raise Invalid(f"unknown unit: {key}", [{"field": "unit", "message": f"unknown unit: {key}"}],
                      reason="unit_unknown", params={"unit": key})
    return key


def _active_admins(session: so.Session) -> set[str]:
    return set(session.scalars(sa.select(User.username).join(membership, membership.c.user_id == User.id)
                               .join(Group, Group.id == membership.c.group_id)
                               .where(Group.key == ADMIN, User.active.is_(True))))


def add_user(session: so.Session, actor: Actor, username: str, password: str, display_name: str | None = None,
             groups: list[str] | None = None, email: str | None = None, unit: str | None = None) -> User:
    """Create a user (audited).

    :raises Forbidden: unless ``actor`` is an administrator.
    :raises Invalid: a bad field, an unknown group or unit.
    :raises Conflict: when the username is taken.
    """
    require_admin(actor, "add users")
    unit_key = _unit(session, unit)
    user = create_user(session, username, password, display_name, groups or [], email)
    user.unit = unit_key
    audit(session, actor, "user_created", f"user:{user.username}", None, user_json(user))
    return user


def update_user(session: so.Session, actor: Actor, username: str, changes: Mapping[str, Any]) -> User:
    """Change a user's name, e-mail, groups, unit, password or active flag (audited; a password is never
    recorded). Deactivating hands the open tasks the user holds back to their groups.

    :raises Forbidden: unless ``actor`` is an administrator.
    :raises NotFound: for an unknown user.
    :raises Invalid: naming the bad field.
    :raises Conflict: when the change would leave no active administrator.
    """
    require_admin(actor, "change users")
    user = get_user(session, username)
    unknown = sorted(set(changes) - {"display_name", "email", "groups", "unit", "active", "password"})
    if unknown:
        raise Invalid("unknown fields", [{"field": f, "message": "cannot be changed"} for f in unknown])
    before = user_json(user)
    if "display_name" in changes:
        name = changes["display_name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 128:
            raise Invalid("the name is invalid", [{"field": "display_name", "message": "is required (at most 128 "
                                                   "characters)"}])
        user.display_name = name.strip()
    if "email" in changes:
        email = changes["email"]
        if email not in (None, "") and (not isinstance(email, str) or "@" not in email or len(email) > 256):
            raise Invalid("the e-mail address is invalid", [{"field": "email", "message": "must be an e-mail address"}],
                          reason="email_invalid")
        user.email = email.strip() if isinstance(email, str) and email.strip() else None
    if "groups" in changes:
        user.groups = _groups(session, changes["groups"])
    if "unit" in changes:
        user.unit = _unit(session, changes["unit"])
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            raise Invalid("active must be true or false", [{"field": "active", "message": "must be true or false"}])
        user.active = changes["active"]
    now = utcnow()
    if "password" in changes:
        password = changes["password"]
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise Invalid("the password is too short", [{"field": "password", "message": f"must be at least "
                                                         f"{MIN_PASSWORD} characters"}],
                                                         reason="password_short", params={"min": MIN_PASSWORD})
        user.password_hash = hash_password(password)
        audit(session, actor, "password_reset", f"user:{user.username}", None, None, now)
    session.flush()
    if before["active"] and ADMIN in before["groups"] and not _active_admins(session):
        raise Conflict("this is the last active administrator: make someone else an administrator first",
                       [{"field": "active" if "active" in changes else "groups",
                         "message": "the last active administrator must stay"}], reason="last_admin")
    after = user_json(user)
    if after != before:
        released = release_held_tasks(session, actor, user.username, now) if before["active"] and \
            not user.active else []
        kind = "user_deactivated" if before["active"] and not user.active else "user_updated"
        audit(session, actor, kind, f"user:{user.username}", before,
              {**after, **({"released_tasks": released} if released else {})}, now)
    return user


def release_held_tasks(session: so.Session, actor: Actor, username: str, now: Any) -> list[str]:
    """Give every open task ``username`` holds back to its candidate groups (or users); the task ids."""
    rows = session.execute(sa.select(Task, Case).join(Case, Case.id == Task.case_id)
                           .where(task_is_open(), Task.assignee == username)).all()
    released = []
    for task, case in rows:
        others = [u for u in (task.candidate_users or []) if u != username]
        if not (task.candidate_groups or others):
            continue  # the process named this user alone: a supervisor must reassign it
        task.assignee, task.state, task.claimed_at = None, "open", None
        record(session, case, actor, "task_released", now, task, {"from": username, "reason": "deactivated"})
        released.append(task.id)
    return released
