"""Users, groups, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import signin
from .access import Actor
from .clock import utcnow
from .direct import Direct
from .errors import Conflict, Invalid, NotFound
from .models import ApiToken, Group, User, membership
from .office.audit import audit
from .passwords import check_password, hash_password
from .runtime import Runtime

TOKEN_LIFETIME = timedelta(hours=12)


def actor_for(user: User) -> Actor:
    return Actor(user.username, frozenset(g.key for g in user.groups))


def find_user(session: so.Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username).options(so.selectinload(User.groups)))


def active_user(session: so.Session, user_id: int) -> User | None:
    """The active user with this id and their groups (a signed-in browser session), or None."""
    user = session.get(User, user_id, options=[so.selectinload(User.groups)])
    return user if user is not None and user.active else None


# a real hash of a throwaway password: an unknown username costs as much time as a wrong password
_NO_USER_HASH = hash_password(secrets.token_hex(8))


def authenticate(session: so.Session, username: str, password: str, address: str = "unknown") -> User | None:
    """The active user with these credentials, or None. Runs in the caller's transaction. Failures are counted
    per (username, client address) and per address (``engine.signin``); while either is locked every attempt
    is refused with ``signin.TooManyAttempts``, before the password is looked at."""
    now = utcnow()
    signin.check(session, username, address, now)
    user = find_user(session, username)
    valid = check_password(user.password_hash if user else _NO_USER_HASH, password)
    if user is None or not user.active or not valid:
        signin.failed(session, username, address, now)
        return None
    signin.succeeded(session, username, address)
    return user


def add_group(rt: Runtime, key: str, name: str) -> Group:
    """Create a group (the command behind the API and the CLI).

    :raises Invalid: the key is missing or too long.
    :raises Conflict: the group exists.
    """
    with rt.transaction() as session:
        return create_group(session, key, name)


def add_user(rt: Runtime, username: str, password: str, display_name: str | None = None,
             groups: list[str] | None = None, email: str | None = None) -> User:
    """Create a user in existing groups (the command behind the API and the CLI).

    :raises Invalid: a field is missing or a group unknown.
    :raises Conflict: the username is taken.
    """
    with rt.transaction() as session:
        return create_user(session, username, password, display_name, groups, email)


def create_group(session: so.Session, key: str, name: str, actor: Actor | None = None) -> Group:
    """A new group; audited when an ``actor`` (an administrator's change) is given.

    :raises Invalid: for a missing or too long key.
    :raises Conflict: when the key exists.
    """
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise Invalid("a group key is required (at most 64 characters)", [{"field": "key", "message": "invalid"}])
    if session.scalar(sa.select(Group).where(Group.key == key)) is not None:
        raise Conflict(f"group '{key}' already exists")
    group = Group(key=key, name=(name or key).strip())
    session.add(group)
    session.flush()
    if actor is not None:
        audit(session, actor, "group_created", f"group:{key}", None, {"key": key, "name": group.name})
    return group


def list_groups(session: so.Session) -> list[Group]:
    """Every group by key."""
    return list(session.scalars(sa.select(Group).order_by(Group.key)))


def create_user(session: so.Session, username: str, password: str, display_name: str | None = None,
                groups: list[str] | None = None, email: str | None = None) -> User:
    """The step of creating a user, inside the caller's transaction (seeding, imports)."""
    username = (username or "").strip()
    details = []
    if not username or len(username) > 64:
        details.append({"field": "username", "message": "is required (at most 64 characters)"})
    if not password or len(password) < 4:
        details.append({"field": "password", "message": "must be at least 4 characters"})
    if details:
        raise Invalid("the user is invalid", details)
    if find_user(session, username) is not None:
        raise Conflict(f"user '{username}' already exists")
    found = list(session.scalars(sa.select(Group).where(Group.key.in_(groups or []))))
    missing = sorted(set(groups or []) - {g.key for g in found})
    if missing:
        raise Invalid(f"unknown group(s): {', '.join(missing)}", [{"field": "groups", "message": f"unknown: {m}"}
                                                                  for m in missing])
    user = User(username=username, display_name=(display_name or username).strip(), email=email,
                password_hash=hash_password(password), created_at=utcnow(), groups=found)
    session.add(user)
    session.flush()
    return user


def group_members(session: so.Session, key: str) -> list[User]:
    group = session.scalar(sa.select(Group).where(Group.key == key))
    if group is None:
        raise NotFound(f"group '{key}' does not exist")
    return sorted(group.members, key=lambda u: u.username)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: so.Session, user: User) -> tuple[str, datetime]:
    """A new bearer token for ``user``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + TOKEN_LIFETIME
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, created_at=now, expires_at=expires))
    return token, expires


# The bearer-token check of every API call: the token's active, unexpired holder and their group keys, one row per
# group (a user in no group: one row, key NULL). Compiled once and run on the driver (engine.direct), so a request
# pays for the query only.
_TOKEN_HOLDER = Direct(lambda: sa.select(User.username, Group.key)
                       .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
                       .outerjoin(membership, membership.c.user_id == User.id)
                       .outerjoin(Group, Group.id == membership.c.group_id)
                       .where(ApiToken.token_hash == sa.bindparam("digest"),
                              ApiToken.expires_at > sa.bindparam("now", type_=ApiToken.expires_at.type),
                              User.active.is_(True)))


def actor_for_token(session: so.Session | sa.Connection, token: str) -> Actor | None:
    """The active user holding this unexpired token, as the actor of a command (their groups), in one query (in a
    session, or on a connection: ``Runtime.connection``)."""
    rows = _TOKEN_HOLDER.fetch(session, {"digest": _digest(token), "now": utcnow()})
    if not rows:
        return None
    return Actor(rows[0][0], frozenset(key for _, key in rows if key is not None))


def people(session: so.Session) -> list[tuple[str, str]]:
    """(username, display name) of every active user, by username: the choices of a "who" field."""
    return [(u, d) for u, d in session.execute(sa.select(User.username, User.display_name)
                                               .where(User.active.is_(True)).order_by(User.username))]


def display_names(session: so.Session, usernames: list[str]) -> dict[str, str]:
    """username -> display name, for showing people on pages."""
    return dict(session.execute(sa.select(User.username, User.display_name).where(User.username.in_(set(usernames)))
                                ).all())


def all_display_names(session: so.Session) -> dict[str, str]:
    """username -> display name of every user (for pages naming many people)."""
    return dict(session.execute(sa.select(User.username, User.display_name)).all())
