"""Retiring a process: no new cases (starting one is a conflict) and no place in any start list, while its
running cases go on; restoring undoes it. Both are audited administrative changes."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden, NotFound
from engine.models import ProcessDefinition
from engine.office.audit import audit


def _versions(session: so.Session, actor: Actor, key: str) -> list[ProcessDefinition]:
    if not actor.is_designer:
        raise Forbidden("only process designers and administrators may retire or restore processes")
    rows = list(session.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .with_for_update()))
    if not rows:
        raise NotFound(f"process '{key}' is not deployed")
    return rows


def retire_process(session: so.Session, actor: Actor, key: str) -> bool:
    """Retire every version of ``key``; False when it already was.

    :raises Forbidden: unless a designer or an administrator.
    :raises NotFound: for a process that is not deployed.
    """
    rows = _versions(session, actor, key)
    if all(r.retired_at is not None for r in rows):
        return False
    now = utcnow()
    for row in rows:
        row.retired_at, row.retired_by = now, actor.username
    audit(session, actor, "process_retired", f"process:{key}", {"retired": False}, {"retired": True}, now)
    return True


def restore_process(session: so.Session, actor: Actor, key: str) -> bool:
    """Let ``key`` start cases again; False when it was not retired.

    :raises Forbidden: unless a designer or an administrator.
    :raises NotFound: for a process that is not deployed.
    """
    rows = _versions(session, actor, key)
    if all(r.retired_at is None for r in rows):
        return False
    for row in rows:
        row.retired_at, row.retired_by = None, None
    audit(session, actor, "process_restored", f"process:{key}", {"retired": True}, {"retired": False})
    return True
