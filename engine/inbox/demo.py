"""Demo data of the inbox: saved filters shared with the committee and the HR department."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from engine.clock import utcnow
from engine.models import User
from engine.runtime import Runtime

from .models import SavedFilter

FILTERS = [  # owner, name, params, shared with
    ("zhao", "委员会逾期件", {"overdue": True, "group": "committee"}, "committee"),
    ("zhao", "本周到期", {"due": "week"}, None),
    ("chen", "人事处本周到期", {"due": "week", "group": "dept:hr"}, "dept:hr"),
]


def seed(rt: Runtime) -> Iterator[str]:
    """Create the demo's saved filters that are missing (their owners must exist); one line per filter."""
    with rt.transaction() as session:
        users = set(session.scalars(sa.select(User.username)))
        have = {tuple(row) for row in session.execute(sa.select(SavedFilter.owner, SavedFilter.name))}
        for owner, name, params, group in FILTERS:
            if owner in users and (owner, name) not in have:
                session.add(SavedFilter(owner=owner, name=name, params=params, shared_group=group,
                                        created_at=utcnow()))
                yield f"saved filter '{name}' of {owner}" + (f", shared with {group}" if group else "")
