"""Demo people: groups and users (password ``demo``) created when missing, for every part of the demo."""

from __future__ import annotations

import sqlalchemy as sa

from .models import Group
from .runtime import Runtime
from .users import create_group, create_user, find_user

PASSWORD = "demo"


def ensure_people(rt: Runtime, groups: list[tuple[str, str]], users: list[tuple[str, str, list[str]]]) -> list[str]:
    """Create the groups and the users (password ``demo``) that are missing; one line per user created."""
    out = []
    with rt.transaction() as session:
        existing = set(session.scalars(sa.select(Group.key)))
        for key, name in groups:
            if key not in existing:
                create_group(session, key, name)
        for username, name, member_of in users:
            if find_user(session, username) is None:
                create_user(session, username, PASSWORD, name, member_of)
                out.append(f"user {username} ({', '.join(member_of) or 'staff'})")
    return out
