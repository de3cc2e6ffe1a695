"""In-app notifications: write them inside a command's transaction, read and mark them per user."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .clock import utcnow
from .direct import Direct, insert
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


ACTING, TOLD = "docket_acting", "docket_told"


def acting(session: so.Session, username: str) -> None:
    """Note who the command in this transaction runs for: nobody is told about what they did themselves."""
    session.info[ACTING] = username


def notify(session: so.Session, usernames: Iterable[str], kind: str, title: str, body: str | None = None,
           case: Case | None = None, task: Task | None = None, link: str | None = None,
           now: datetime | None = None, addressed: bool = False) -> int:
    """One notification per distinct user and event; returns how many were written.

    A person's action is one event: in the transaction of a command run for someone (see :func:`acting`), a
    user already told about this case is not told again (the first line wins) and the person acting is not
    told at all. Scheduler rounds, which act for nobody, say each thing they do. A message the process
    addresses to named people (``addressed``: the ``notify`` connector) always reaches each of them once.
    """
    when = now or utcnow()
    told: set[tuple[str, int | None]] = session.info.setdefault(TOLD, set())
    case_id = case.id if case is not None else None
    person = session.info.get(ACTING)
    if addressed:
        users = sorted({u for u in usernames if u})
    else:
        users = sorted({u for u in usernames if u and u != person
                        and (person is None or case_id is None or (u, case_id) not in told)})
    if person is not None:
        told.update((u, case_id) for u in users if case_id is not None)
    if link is None:
        link = f"/tasks/{task.id}" if task is not None else (f"/cases/{case.id}" if case is not None else None)
    if users:  # one executemany, no unit of work: nothing reads a notification back in its own command
        _INSERT.executemany(session, [
            {"username": username, "kind": kind, "title": title[:512], "body": body, "link": link,
             "case_id": case_id, "task_id": task.id if task is not None else None, "created_at": when}
            for username in users])
    return len(users)


_INSERT = insert(Notification.__table__,
                 ("username", "kind", "title", "body", "link", "case_id", "task_id", "created_at"))


def _members_insert(keys: list[Any], skip: list[Any], dialect: str) -> sa.Insert:
    """The ``INSERT … SELECT`` of :func:`notify_task_groups` for ``keys`` group keys and ``skip`` usernames (one
    bound parameter each); on PostgreSQL its other parameters are cast, which it needs in an ``INSERT … SELECT``."""
    table = Notification.__table__

    def value(column: str) -> Any:
        bound = sa.bindparam(column, type_=table.c[column].type)
        return sa.cast(bound, table.c[column].type) if dialect == "postgresql" else bound

    members = (sa.select(User.username).join(membership, membership.c.user_id == User.id)
               .join(Group, Group.id == membership.c.group_id)
               .where(Group.key.in_(keys), User.active.is_(True)))
    if skip:
        members = members.where(User.username.not_in(skip))
    members = members.distinct().subquery()
    rows = sa.select(members.c.username, value("kind"), value("title"), value("link"), value("case_id"),
                     value("task_id"), value("created_at")).order_by(members.c.username)
    columns = [table.c.username, table.c.kind, table.c.title, table.c.link, table.c.case_id, table.c.task_id,
               table.c.created_at]
    return sa.insert(table).from_select(columns, rows).returning(table.c.username)


_MEMBERS_INSERT = Direct(_members_insert, lists=("keys", "skip"), by_dialect=True)


def notify_task_groups(session: so.Session, task: Task, kind: str, title: str, case: Case, now: datetime) -> int:
    """:func:`notify` the :func:`task_recipients` of a task offered to its groups only (no assignee, no named
    users): one ``INSERT … SELECT`` over the groups' active members, with the same rules as :func:`notify`.
    Returns how many were written."""
    if task.assignee or task.candidate_users:
        return notify(session, task_recipients(session, task), kind, title, case=case, task=task, now=now)
    keys = sorted(set(task.candidate_groups or []))
    if not keys:
        return 0
    told: set[tuple[str, int | None]] = session.info.setdefault(TOLD, set())
    person = session.info.get(ACTING)
    skip = {u for u, c in told if c == case.id} | ({person} if person is not None else set())
    written = [username for (username,) in _MEMBERS_INSERT.fetch(session, {
        "keys": keys, "skip": sorted(skip), "kind": kind, "title": title[:512], "link": f"/tasks/{task.id}",
        "case_id": case.id, "task_id": task.id, "created_at": now})]
    if person is not None:
        told.update((u, case.id) for u in written)
    return len(written)


def unread_count(session: so.Session, username: str) -> int:
    return session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.username == username, Notification.read_at.is_(None))) or 0


def notification_json(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link, "case_id": n.case_id,
            "task_id": n.task_id, "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None}


def list_for(session: so.Session, username: str, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = sa.select(Notification).where(Notification.username == username)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def grouped_by_case(session: so.Session, username: str, limit: int = 100) -> list[dict[str, Any]]:
    """The user's notifications grouped per case, the case with the newest first; each group
    ``{"case_id", "business_key", "title", "unread", "items": [Notification]}`` (``case_id`` None: no case)."""
    items = list_for(session, username, limit=limit)
    ids = {n.case_id for n in items if n.case_id is not None}
    cases = {i: (k, t) for i, k, t in session.execute(
        sa.select(Case.id, Case.business_key, Case.title).where(Case.id.in_(ids)))} if ids else {}
    groups: dict[int | None, dict[str, Any]] = {}
    for n in items:
        key, title = cases.get(n.case_id, (None, None)) if n.case_id is not None else (None, None)
        group = groups.setdefault(n.case_id, {"case_id": n.case_id, "business_key": key, "title": title,
                                              "unread": 0, "items": []})
        group["items"].append(n)
        group["unread"] += n.read_at is None
    return list(groups.values())


def mark_case_read(session: so.Session, username: str, case_id: int) -> int:
    """Mark the user's notifications about one case as read (they opened it)."""
    stmt = sa.update(Notification).where(Notification.username == username, Notification.case_id == case_id,
                                         Notification.read_at.is_(None))
    return session.execute(stmt.values(read_at=utcnow())).rowcount or 0


def read_notifications(rt: Runtime, username: str, ids: Iterable[int] | None = None) -> int:
    """The user read their notifications (all unread ones when ``ids`` is None); returns how many."""
    with rt.transaction() as session:
        return mark_read(session, username, ids)


def read_case_notifications(rt: Runtime, username: str, case_id: int) -> int:
    """The user opened a case: their notifications about it are read; returns how many."""
    with rt.transaction() as session:
        return mark_case_read(session, username, case_id)


def mark_read(session: so.Session, username: str, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all unread ones when ``ids`` is None) as read."""
    stmt = sa.update(Notification).where(Notification.username == username, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return session.execute(stmt.values(read_at=utcnow())).rowcount or 0


def keep_newest_unread(session: so.Session, keep: int) -> int:
    """Leave each user at most ``keep`` unread notifications (the newest); older ones count as read. The demo
    starts people with a handful, as a real first sign-in would, not with everything its history produced."""
    marked = 0
    for username in session.scalars(sa.select(Notification.username).where(Notification.read_at.is_(None))
                                    .distinct()):
        newest = sa.select(Notification.id).where(Notification.username == username,
                                                  Notification.read_at.is_(None)) \
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(keep)
        stmt = sa.update(Notification).where(Notification.username == username, Notification.read_at.is_(None),
                                             Notification.id.not_in(newest.scalar_subquery()))
        marked += session.execute(stmt.values(read_at=utcnow()), execution_options={"synchronize_session": False}
                                  ).rowcount or 0
    return marked


def task_titles(session: so.Session, task_ids: Iterable[str]) -> dict[str, tuple[str, datetime | None]]:
    """task id -> (title, due time) of the tasks notifications name (for wording them in another language)."""
    wanted = sorted({t for t in task_ids if t})
    if not wanted:
        return {}
    return {i: (title, due) for i, title, due in session.execute(
        sa.select(Task.id, Task.title, Task.due_at).where(Task.id.in_(wanted)))}
