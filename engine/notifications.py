"""In-app notifications: write them inside a command's transaction, read and mark them per user."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .clock import utcnow
from .models import Case, Group, Notification, Task, User, membership
from .runtime import Runtime


def members_of(session: so.Session, group_keys: Iterable[str]) -> list[str]:
    """Usernames of the active members of any of ``group_keys``."""
    keys = sorted(set(group_keys))
    if not keys:
        return []
    stmt = (sa.select(User.username).join(membership, membership.c.user_id == User.id)
            .join(Group, Group.id == membership.c.group_id)
            .where(Group.key.in_(keys), User.active.is_(True)).distinct().order_by(User.username))
    return list(session.scalars(stmt))


def task_recipients(session: so.Session, task: Task) -> list[str]:
    """Who should hear about a task: its assignee, else its candidate users and group members."""
    if task.assignee:
        return [task.assignee]
    return sorted(set(task.candidate_users or []) | set(members_of(session, task.candidate_groups or [])))


def notify(session: so.Session, usernames: Iterable[str], kind: str, title: str, body: str | None = None,
           case: Case | None = None, task: Task | None = None, link: str | None = None,
           now: datetime | None = None) -> int:
    """One notification per distinct user; returns how many were written."""
    when = now or utcnow()
    users = sorted({u for u in usernames if u})
    if link is None:
        link = f"/tasks/{task.id}" if task is not None else (f"/cases/{case.id}" if case is not None else None)
    for username in users:
        session.add(Notification(username=username, kind=kind, title=title[:512], body=body, link=link,
                                 case_id=case.id if case is not None else None,
                                 task_id=task.id if task is not None else None, created_at=when))
    return len(users)


def unread_count(session: so.Session, username: str) -> int:
    return session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.username == username, Notification.read_at.is_(None))) or 0


def notification_json(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link, "case_id": n.case_id,
            "task_id": n.task_id, "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None}


def list_for(session: so.Session, username: str, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.username == username)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def read_notifications(rt: Runtime, username: str, ids: Iterable[int] | None = None) -> int:
    """The user read their notifications (all unread ones when ``ids`` is None); returns how many."""
    with rt.transaction() as session:
        return mark_read(session, username, ids)


def mark_read(session: so.Session, username: str, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all unread ones when ``ids`` is None) as read."""
    stmt = sa.update(Notification).where(Notification.username == username, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return session.execute(stmt.values(read_at=utcnow())).rowcount or 0
