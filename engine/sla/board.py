"""Read side of supervision: overdue and due-soon tasks, counts by process and group, and chart series.

Each function is one statement on the ``task`` table, starting from its open rows (a partial index) and reading each
open task's own candidate list; a case's key and title are looked up by primary key, so the cost follows open
work, never closed history. No query per row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor, task_visible_clause
from engine.errors import Forbidden, Invalid
from engine.models import Case, Task, over_open_tasks, task_is_open
from engine.queries import case_column, task_json
from engine.sqlfuncs import list_has_any, list_items
from engine.workdays import LOCAL

BUCKETS = ((1, "< 1"), (3, "1–3"), (7, "3–7"), (15, "7–15"), (30, "15–30"), (None, "> 30"))  # days


def require_supervisor(actor: Actor) -> None:
    if not actor.is_supervisor:
        raise Forbidden("only supervisors and administrators may see the supervision board", reason="board_forbidden")


def _filtered(stmt: sa.Select, process: str | None, group: str | None) -> sa.Select:
    """Narrow a task statement to one process and one candidate group (read from the task's own list)."""
    if process:
        stmt = stmt.where(Task.process_key == process)
    if group:
        stmt = stmt.where(list_has_any(Task.candidate_groups, [group]))
    return stmt


def _items(session: so.Session, actor: Actor, now: datetime, condition: sa.ColumnElement[bool],
           process: str | None, group: str | None, limit: int) -> list[dict[str, Any]]:
    stmt = over_open_tasks(sa.select(Task, case_column(Case.business_key), case_column(Case.title))
                           .where(task_is_open(), condition))
    if not actor.is_supervisor:
        stmt = stmt.where(task_visible_clause(actor))
    stmt = _filtered(stmt, process, group).order_by(Task.due_at, Task.created_at).limit(limit)
    out = []
    for task, key, title in session.execute(stmt):
        item = task_json(task, key, now)
        item["case_title"] = title
        item["overdue_by"] = max(int((now - task.due_at).total_seconds()), 0)
        item["due_in"] = max(int((task.due_at - now).total_seconds()), 0)
        out.append(item)
    return out


def overdue(session: so.Session, actor: Actor, now: datetime, process: str | None = None, group: str | None = None,
            limit: int = 500) -> list[dict[str, Any]]:
    """Open tasks past their due date, oldest first, each with ``overdue_by`` seconds (supervisors: all; others:
    the tasks they may act on)."""
    return _items(session, actor, now, Task.due_at < now, process, group, limit)


def due_soon(session: so.Session, actor: Actor, now: datetime, days: int = 3, process: str | None = None,
             group: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Open tasks falling due within ``days`` days, earliest first, each with ``due_in`` seconds."""
    return _items(session, actor, now, sa.and_(Task.due_at >= now, Task.due_at < now + timedelta(days=days)),
                  process, group, limit)


def open_tasks(session: so.Session, now: datetime, process: str | None = None, group: str | None = None
               ) -> list[dict[str, Any]]:
    """Every open task (supervisors' export), most overdue first, then by due date, tasks without a deadline
    last; each with its case's key and title, ``overdue_by`` and ``due_in`` seconds (0 without a deadline)."""
    stmt = over_open_tasks(sa.select(Task, case_column(Case.business_key), case_column(Case.title))
                           .where(task_is_open()))
    stmt = _filtered(stmt, process, group).order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
    out = []
    for task, key, title in session.execute(stmt):
        item = task_json(task, key, now)
        item["case_title"] = title
        item["overdue_by"] = max(int((now - task.due_at).total_seconds()), 0) if task.due_at else 0
        item["due_in"] = max(int((task.due_at - now).total_seconds()), 0) if task.due_at else 0
        out.append(item)
    return out


def _counts(now: datetime, days: int) -> list[sa.ColumnElement[Any]]:
    soon = now + timedelta(days=days)
    return [sa.func.count().label("open"),
            sa.func.sum(sa.case((sa.and_(Task.due_at >= now, Task.due_at < soon), 1), else_=0)).label("due_soon"),
            sa.func.sum(sa.case((Task.due_at < now, 1), else_=0)).label("overdue")]


def summary(session: so.Session, actor: Actor, now: datetime, days: int = 3, process: str | None = None,
            group: str | None = None) -> dict[str, Any]:
    """Counts of open, due-soon and overdue tasks: in total, by process and by (candidate) group."""
    require_supervisor(actor)
    if days < 1 or days > 90:
        raise Invalid("days must be between 1 and 90", [{"field": "days", "message": "out of range"}],
                      reason="days_range", params={"min": 1, "max": 90})
    base = over_open_tasks(_filtered(sa.select(*_counts(now, days)).select_from(Task).where(task_is_open()),
                                     process, group))
    total = session.execute(base).one()
    by_process = session.execute(base.add_columns(Task.process_key).group_by(Task.process_key)
                                 .order_by(Task.process_key)).all()
    # groups come from each open task's own candidate list: the cost follows open work, not closed history
    groups = list_items(Task.candidate_groups, session.get_bind().dialect.name)
    by_group = session.execute(over_open_tasks(
        _filtered(sa.select(*_counts(now, days), groups.c.value).select_from(Task).join(groups, sa.true())
                  .where(task_is_open()), process, group)
        .group_by(groups.c.value).order_by(groups.c.value))).all()

    def row(r: Any) -> dict[str, int]:
        return {"open": r.open or 0, "due_soon": r.due_soon or 0, "overdue": r.overdue or 0}

    return {"due_soon_days": days, "totals": row(total),
            "by_process": [{"process": r.process_key, **row(r)} for r in by_process],
            "by_group": [{"group": r.value, **row(r)} for r in by_group]}


def overdue_trend(session: so.Session, now: datetime, days: int = 30, process: str | None = None,
                  group: str | None = None) -> list[tuple[str, int]]:
    """How many tasks were overdue at the end of each of the last ``days`` local days (one statement)."""
    today = now.astimezone(LOCAL).date()
    ends = [min(datetime.combine(today - timedelta(days=i), datetime.max.time(), LOCAL), now)
            for i in range(days - 1, -1, -1)]
    start = ends[0]
    cols = [sa.func.sum(sa.case((sa.and_(Task.due_at < end, Task.created_at <= end,
                                         sa.or_(Task.completed_at.is_(None), Task.completed_at > end)), 1),
                                else_=0)) for end in ends]
    stmt = _filtered(sa.select(*cols).select_from(Task).where(
        Task.due_at < now, sa.or_(Task.completed_at.is_(None), Task.completed_at > start)), process, group)
    values = session.execute(stmt).one()
    return [(end.astimezone(LOCAL).strftime("%m-%d"), int(v or 0)) for end, v in zip(ends, values, strict=True)]


def on_time_by_group(session: so.Session, now: datetime, days: int = 90, process: str | None = None,
                     group: str | None = None) -> list[dict[str, Any]]:
    """Per group, over the last ``days`` days: tasks with a due date that were completed, how many of them on
    time, and the open tasks already overdue — which count as late, so a group with an old overdue task never
    shows 100 %. ``rate`` = on time ÷ (completed + open overdue)."""
    groups = list_items(Task.candidate_groups, session.get_bind().dialect.name)
    done = sa.and_(Task.state == "completed", Task.completed_at >= now - timedelta(days=days))
    late_open = sa.and_(task_is_open(), Task.due_at < now)
    stmt = _filtered(
        sa.select(groups.c.value,
                  sa.func.sum(sa.case((done, 1), else_=0)),
                  sa.func.sum(sa.case((sa.and_(done, Task.completed_at <= Task.due_at), 1), else_=0)),
                  sa.func.sum(sa.case((late_open, 1), else_=0)))
        .select_from(Task).join(groups, sa.true())
        .where(Task.due_at.is_not(None), sa.or_(done, late_open)),
        process, group).group_by(groups.c.value).order_by(groups.c.value)
    out = []
    for g, n, ok, late in session.execute(stmt):
        n, ok, late = int(n or 0), int(ok or 0), int(late or 0)
        out.append({"group": g, "completed": n, "on_time": ok, "open_overdue": late,
                    "rate": ok / (n + late) if n + late else 0.0})
    return out


def completion_times(session: so.Session, now: datetime, days: int = 90, process: str | None = None,
                     group: str | None = None) -> list[tuple[str, int]]:
    """How long tasks completed in the last ``days`` days took, bucketed in days (one statement)."""
    if session.get_bind().dialect.name == "sqlite":
        took = sa.func.julianday(Task.completed_at) - sa.func.julianday(Task.created_at)
    else:
        took = sa.extract("epoch", Task.completed_at - Task.created_at) / 86400.0
    whens = [(took < limit, label) for limit, label in BUCKETS if limit is not None]
    bucket = sa.case(*whens, else_=BUCKETS[-1][1]).label("bucket")
    stmt = _filtered(sa.select(bucket, sa.func.count()).select_from(Task).where(
        Task.state == "completed", Task.completed_at >= now - timedelta(days=days)), process, group).group_by(bucket)
    found = dict(session.execute(stmt).all())
    return [(label, int(found.get(label, 0))) for _, label in BUCKETS]
