"""The designer's read side: deployed processes with their versions and running cases, one version's file."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.errors import NotFound
from engine.models import Case, ProcessDefinition
from engine.queries import latest_definition, latest_definitions

LIVE = ("running", "error")


def process_rows(session: so.Session) -> list[dict[str, Any]]:
    """Each deployed process at its latest version, with how many versions it has and how many cases run."""
    counts = dict(session.execute(sa.select(ProcessDefinition.key, sa.func.count())
                                  .group_by(ProcessDefinition.key)).all())
    running = dict(session.execute(sa.select(Case.process_key, sa.func.count()).where(Case.status.in_(LIVE))
                                   .group_by(Case.process_key)).all())
    return [{"key": d.key, "name": d.name, "version": d.version, "versions": counts.get(d.key, 0),
             "deployed_by": d.deployed_by, "deployed_at": d.deployed_at, "running": running.get(d.key, 0)}
            for d in latest_definitions(session)]


def running_by_definition(session: so.Session, key: str) -> dict[int, int]:
    """Definition id -> running (or failed) cases of process ``key``."""
    return dict(session.execute(sa.select(Case.definition_id, sa.func.count())
                                .where(Case.process_key == key, Case.status.in_(LIVE))
                                .group_by(Case.definition_id)).all())


def get_definition(session: so.Session, definition_id: int) -> ProcessDefinition:
    """One deployed version.

    :raises NotFound: there is no such version.
    """
    row = session.get(ProcessDefinition, definition_id)
    if row is None:
        raise NotFound(f"process version {definition_id} does not exist")
    return row


def newest(session: so.Session, key: str | None) -> ProcessDefinition | None:
    """The latest version of process ``key``, or None when it is not deployed (or no key is given)."""
    if not key:
        return None
    try:
        return latest_definition(session, key)
    except NotFound:
        return None
