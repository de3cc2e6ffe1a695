"""Names people read: display names for usernames, as notifications and the task page show them."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import User


def display_names(session: so.Session, usernames: Iterable[str]) -> dict[str, str]:
    """username -> display name for the known ones among ``usernames`` (unknown ones are left out)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    return dict(session.execute(sa.select(User.username, User.display_name).where(User.username.in_(wanted))).all())


def display_name(session: so.Session, username: str | None) -> str:
    """The display name of ``username`` (the username itself when unknown)."""
    if not username:
        return ""
    return display_names(session, [username]).get(username, username)


def active_users(session: so.Session, usernames: Iterable[str]) -> set[str]:
    """Those of ``usernames`` who are active users."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return set()
    return set(session.scalars(sa.select(User.username).where(User.username.in_(wanted), User.active.is_(True))))
