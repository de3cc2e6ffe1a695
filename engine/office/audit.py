"""The audit trail of administrative changes: who changed which reference data, and how.

Each change is one ``event`` row without a case (``kind`` one of ``ADMIN_KINDS``) whose data holds the target
(``unit:hr``, ``user:wang``, ``calendar:2027``, ...) and the values before and after, written in the
transaction of the change itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden
from engine.models import Event

ADMIN_KINDS = (
    "unit_created", "unit_updated", "group_created", "user_created", "user_updated", "user_deactivated",
    "password_reset", "users_imported", "congress_created", "congress_updated", "session_created",
    "session_updated", "delegate_added", "delegate_replaced", "delegates_imported", "calendar_updated",
    "due_dates_recomputed", "process_retired", "process_restored",
)
PAGE_SIZE = 50


def require_admin(actor: Actor, what: str = "change reference data") -> None:
    """:raises Forbidden: unless ``actor`` is an administrator."""
    if not actor.is_admin:
        raise Forbidden(f"only administrators may {what}", reason="admin_only")


def audit(session: so.Session, actor: Actor | str, kind: str, target: str, before: Any = None, after: Any = None,
          now: datetime | None = None) -> Event:
    """Append the audit event of one administrative change (in the caller's transaction)."""
    if kind not in ADMIN_KINDS:
        raise ValueError(f"unknown administrative event kind {kind!r}")
    who = actor.username if isinstance(actor, Actor) else actor
    event = Event(case_id=None, task_id=None, actor=who, kind=kind, at=now or utcnow(),
                  data={"target": target, "before": before, "after": after})
    session.add(event)
    return event


def admin_history(session: so.Session, actor: Actor, page: int = 1, kind: str | None = None,
                  target: str | None = None) -> dict[str, Any]:
    """Administrative changes, newest first, ``PAGE_SIZE`` a page; ``target`` matches the start of the target.

    :raises Forbidden: unless ``actor`` is an administrator.
    """
    require_admin(actor, "read the administrative history")
    stmt = sa.select(Event).where(Event.case_id.is_(None), Event.kind.in_(ADMIN_KINDS))
    if kind:
        stmt = stmt.where(Event.kind == kind)
    rows = list(session.scalars(stmt.order_by(Event.id.desc())))
    if target:
        rows = [e for e in rows if str((e.data or {}).get("target", "")).startswith(target)]
    page = max(page, 1)
    items = [{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "kind": e.kind,
              "target": (e.data or {}).get("target"), "before": (e.data or {}).get("before"),
              "after": (e.data or {}).get("after")} for e in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
    return {"items": items, "page": page, "page_size": PAGE_SIZE, "total": len(rows)}
