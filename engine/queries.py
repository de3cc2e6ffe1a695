"""Read side: tasks, cases and their history as plain dicts, filtered by what the caller may see."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from .access import Actor, involved_clause, is_barred, may_act_on, require_not_barred, task_visible_clause
from .clock import utcnow
from .direct import Direct
from .errors import Forbidden, Invalid, NotFound
from .models import Case, Event, Group, ProcessDefinition, Task, TaskCandidate, over_open_tasks, task_is_open
from .office.units import served_form
from .steps import CASEWORK
from .writes import loaded

PAGE_SIZE = 50


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def task_json(task: Task, business_key: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    return {
        "id": task.id, "case_id": task.case_id, "business_key": business_key, "process": task.process_key,
        "name": task.name, "title": task.title, "candidate_groups": list(task.candidate_groups or []),
        "candidate_users": list(task.candidate_users or []), "assignee": task.assignee, "state": task.state,
        "created_at": iso(task.created_at), "due_at": iso(task.due_at),
        "overdue": bool(task.due_at and task.state in ("open", "claimed") and task.due_at < now),
        "form": task.form_key, "completed_by": task.completed_by, "completed_at": iso(task.completed_at),
        "calendar_warning": bool(task.calendar_warning),
    }


def event_json(event: Event) -> dict[str, Any]:
    return {"id": event.id, "at": iso(event.at), "actor": event.actor, "kind": event.kind,
            "task_id": event.task_id, "data": event.data}


def case_json(session: so.Session, case: Case, history: bool = False) -> dict[str, Any]:
    """The case as the API shows it; a case just saved by a command answers without further queries."""
    if case.open_task_rows is not None:
        tasks = sorted(case.open_task_rows, key=lambda t: t.created_at)
    else:
        tasks = session.scalars(
            sa.select(Task).where(Task.case_id == case.id, task_is_open()).order_by(Task.created_at)
        ).all()
    version = case.definition_version or case.definition.version
    out: dict[str, Any] = {
        "id": case.id, "business_key": case.business_key, "process": case.process_key,
        "version": version, "title": case.title, "status": case.status,
        "revision": case.revision, "error": case.error_message, "started_by": case.started_by,
        "started_at": iso(case.started_at), "ended_at": iso(case.ended_at), "wake_at": iso(case.wake_at),
        "data": case.data, "open_tasks": [task_json(t, case.business_key) for t in tasks],
    }
    if history:
        events = session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.id)).all()
        out["history"] = [event_json(e) for e in events]
    return out


def visible_case(session: so.Session, actor: Actor, case_id: int) -> Case:
    """The case, if ``actor`` may read it: 404 when it does not exist, 403 when it is not theirs."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist", reason="case_missing")
    if not session.scalar(sa.select(sa.literal(True)).where(Case.id == case_id, involved_clause(actor))):
        raise Forbidden(f"you may not see case {case.business_key}", reason="case_hidden",
                        params={"case": case.business_key})
    return case


CASE_SORTS: dict[str, tuple[sa.ColumnElement[Any], ...]] = {
    # a business key is "<process's prefix><year>-<sequence of at least 3 digits>": a process's longer key comes later
    "number": (Case.process_key, sa.func.length(Case.business_key), Case.business_key), "title": (Case.title,),
    "status": (Case.status,), "started_by": (Case.started_by,), "started": (Case.started_at,),
    "process": (Case.process_key,),
}
"""Case-list columns people may sort by: ``sort=started`` or ``sort=-started`` (default ``-started``, the newest
first); ``number`` is the business key: each process's cases together, by year and sequence (…-999 before
…-1000)."""


def list_cases(session: so.Session, actor: Actor, process: str | None = None, status: str | None = None,
               q: str | None = None, page: int = 1, sort: str = "-started",
               page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of the cases ``actor`` may read, filtered and sorted; ``total`` counts every match.

    :raises Invalid: an unknown ``sort``.
    """
    columns = CASE_SORTS.get(sort.lstrip("-"))
    if columns is None:
        raise Invalid(f"sort '{sort}' must be one of {', '.join(CASE_SORTS)} (or with a leading -)",
                      [{"field": "sort", "message": "invalid"}])
    stmt = sa.select(Case).where(involved_clause(actor))
    if process:
        stmt = stmt.where(Case.process_key == process)
    if status:
        stmt = stmt.where(Case.status == status)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Case.business_key.ilike(like), Case.title.ilike(like)))
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    order = (*(c.desc() if sort.startswith("-") else c for c in columns), Case.id.desc())
    page = max(page, 1)
    rows = session.scalars(stmt.order_by(*order).limit(page_size).offset((page - 1) * page_size))
    items = [{"id": c.id, "business_key": c.business_key, "process": c.process_key, "title": c.title,
              "status": c.status, "started_by": c.started_by, "started_at": iso(c.started_at),
              "ended_at": iso(c.ended_at)} for c in rows]
    return {"items": items, "page": page, "page_size": page_size, "total": total}


def case_column(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """A column of the task's case, for a statement over task rows (a look-up by the case's primary key)."""
    return case_lookup(column).label(column.key)


def case_lookup(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """:func:`case_column` unlabelled (to sort by)."""
    return sa.select(column).where(Case.id == Task.case_id).scalar_subquery()


SORT_COLUMNS: dict[str, sa.ColumnElement[Any]] = {
    "case": case_lookup(Case.business_key), "task": Task.title, "process": Task.process_key, "state": Task.state,
    "group": sa.cast(Task.candidate_groups, sa.String), "assignee": Task.assignee,
}
"""Inbox columns people may sort by, besides the due date and creation: ``sort=case`` or ``sort=-case``."""
SORTS = {"due_at": (Task.due_at.is_(None), Task.due_at, Task.created_at),
         "-due_at": (Task.due_at.is_(None), Task.due_at.desc(), Task.created_at),
         "late": (Task.due_at.is_(None), Task.due_at.desc(), Task.created_at),
         "-late": (Task.due_at.is_(None), Task.due_at, Task.created_at),
         "created": (Task.created_at,), "-created": (Task.created_at.desc(),),
         **{name: (column, Task.created_at) for name, column in SORT_COLUMNS.items()},
         **{f"-{name}": (column.desc(), Task.created_at) for name, column in SORT_COLUMNS.items()}}
DUE_WINDOWS = ("today", "week")
LOCAL = ZoneInfo("Asia/Shanghai")


def due_window(which: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of today or of this Monday-to-Sunday week, in local (Asia/Shanghai) days."""
    today = (now or utcnow()).astimezone(LOCAL).date()
    start = today if which == "today" else today - timedelta(days=today.weekday())
    begin = datetime.combine(start, time(0), LOCAL)
    return begin, begin + timedelta(days=1 if which == "today" else 7)


def task_query(actor: Actor, scope: str = "all", state: str = "open", overdue: bool | None = None,
               process: str | None = None, sort: str = "due_at", group: str | None = None,
               due: str | None = None, q: str | None = None) -> sa.Select[tuple[Task, str]]:
    """The inbox query: one statement, tasks joined with their case's business key.

    ``group``: a candidate group key; ``due``: ``today`` or ``week``; ``q``: text in the business key,
    the case title or the task title.
    """
    if scope not in ("mine", "group", "all"):
        raise Invalid(f"scope '{scope}' must be mine, group or all", [{"field": "scope", "message": "invalid"}])
    if sort not in SORTS:
        raise Invalid(f"sort '{sort}' must be one of {', '.join(SORTS)}", [{"field": "sort", "message": "invalid"}])
    if due and due not in DUE_WINDOWS:
        raise Invalid(f"due '{due}' must be today or week", [{"field": "due", "message": "invalid"}])
    # the case's columns as correlated look-ups by primary key, never a join: the planner then starts from the
    # open task rows (the partial index) however many cases the history holds
    stmt = sa.select(Task, case_column(Case.business_key))
    if scope == "mine":
        stmt = stmt.where(Task.assignee == actor.username)
    elif scope == "group":
        stmt = stmt.where(Task.assignee.is_(None), task_visible_clause(actor))
    else:
        stmt = stmt.where(task_visible_clause(actor))
    if state == "open":
        stmt = over_open_tasks(stmt.where(task_is_open()))
    elif state:
        stmt = stmt.where(Task.state == state)
    if overdue:
        stmt = stmt.where(Task.due_at < utcnow())
    if process:
        stmt = stmt.where(Task.process_key == process)
    if group:
        stmt = stmt.where(sa.exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.kind == "group",
                                            TaskCandidate.principal == group))
    if due:
        begin, end = due_window(due)
        stmt = stmt.where(Task.due_at >= begin, Task.due_at < end)
    if q and q.strip():
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(Task.title.ilike(like, escape="\\"), sa.exists().where(
            Case.id == Task.case_id,
            sa.or_(Case.business_key.ilike(like, escape="\\"), Case.title.ilike(like, escape="\\")))))
    return stmt.order_by(*SORTS[sort])


def _counting(stmt: sa.Select[Any], state: str | None) -> sa.Select[Any]:
    """A count of the task rows a :func:`task_query` finds (every task has its case: the task rows alone)."""
    count = sa.select(sa.func.count(Task.id)).where(stmt.whereclause)
    return over_open_tasks(count) if state == "open" else count


def list_tasks(session: so.Session, actor: Actor, page: int = 1, **filters: Any) -> dict[str, Any]:
    stmt = task_query(actor, **filters)
    total = session.scalar(_counting(stmt, filters.get("state", "open")))
    now = utcnow()
    rows = session.execute(stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return {"items": [task_json(t, key, now) for t, key in rows], "page": max(page, 1),
            "page_size": PAGE_SIZE, "total": total}


def inbox_page(session: so.Session, actor: Actor, page: int = 1, page_size: int = PAGE_SIZE,
               **filters: Any) -> dict[str, Any]:
    """One page of the inbox in ONE statement: tasks, case key and title, and the total (a window count)."""
    page = max(page, 1)
    stmt = task_query(actor, **filters).add_columns(case_column(Case.title),
                                                    sa.func.count().over().label("total"))
    rows = session.execute(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    now = utcnow()
    items = []
    for task, key, case_title, _total in rows:
        item = task_json(task, key, now)
        item["case_title"] = case_title
        item["late_seconds"] = int((now - task.due_at).total_seconds()) if task.due_at else None
        items.append(item)
    return {"items": items, "page": page, "page_size": page_size, "total": rows[0].total if rows else 0}


def inbox_counts(session: so.Session, actor: Actor, **filters: Any) -> dict[str, int]:
    """Open tasks per inbox tab (all, mine, group) and built-in view (overdue, today), in ONE statement, under
    the same ``filters`` as the list (process, group, due, q, overdue), so each tab says what it would show."""
    now = utcnow()
    begin, end = due_window("today", now)

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    wanted = {k: filters.get(k) for k in ("overdue", "process", "group", "due", "q")}
    where = task_query(actor, "all", **wanted).whereclause
    stmt = sa.select(sa.func.count(Task.id), count(Task.assignee == actor.username), count(Task.assignee.is_(None)),
                     count(Task.due_at < now), count(sa.and_(Task.due_at >= begin, Task.due_at < end)))
    row = session.execute(over_open_tasks(stmt.where(where))).one()
    return dict(zip(("all", "mine", "group", "overdue", "today"), (int(v or 0) for v in row), strict=True))


def visible_task(session: so.Session, actor: Actor, task_id: str) -> Task:
    """A task the caller may act on, or whose case they may read (never one of a case they are barred from)."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    require_not_barred(session, actor, task.case_id, task.title)
    if not may_act_on(actor, task):
        visible_case(session, actor, task.case_id)
    return task


def task_detail(session: so.Session, actor: Actor, task_id: str, forms: dict[str, Any]) -> dict[str, Any]:
    """The task with its form's JSON Schema and the values the form starts from."""
    task = visible_task(session, actor, task_id)
    case = session.get(Case, task.case_id)
    out = task_json(task, case.business_key)
    out["schema"] = served_form(session, forms.get(task.form_key), include_inactive=task.state == "completed") \
        if task.form_key else None
    out["data"] = task.data if task.state == "completed" else dict(case.data or {})
    out["case_status"] = case.status
    out["may_act"] = may_act_on(actor, task) and task.state in ("open", "claimed") \
        and not is_barred(session, actor, task.case_id)
    return out


def task_labels(session: so.Session, task_ids: list[str]) -> dict[str, str]:
    """task id -> "business key · task title", for naming tasks in messages."""
    return {i: f"{k} · {t}" for i, k, t in session.execute(
        sa.select(Task.id, Case.business_key, Task.title).join(Case, Case.id == Task.case_id)
        .where(Task.id.in_(task_ids)))}


def group_names(session: so.Session) -> dict[str, str]:
    """Group key -> display name, for showing candidate groups."""
    return {key: name for key, name in session.execute(sa.select(Group.key, Group.name))}


def latest_definitions(session: so.Session, retired: bool | None = None) -> list[ProcessDefinition]:
    """The latest version of every process; ``retired=False`` leaves retired processes out, ``True`` keeps
    only them."""
    newest = (sa.select(ProcessDefinition.key, sa.func.max(ProcessDefinition.version).label("v"))
              .group_by(ProcessDefinition.key).subquery())
    stmt = sa.select(ProcessDefinition).join(
        newest, sa.and_(ProcessDefinition.key == newest.c.key, ProcessDefinition.version == newest.c.v))
    if retired is not None:
        stmt = stmt.where(ProcessDefinition.retired_at.is_not(None) if retired else
                          ProcessDefinition.retired_at.is_(None))
    return list(session.scalars(stmt.order_by(ProcessDefinition.key)))


# The newest version of a process, run on the driver (engine.direct: every start reads it); the BPMN, forms and DMN
# load only when something reads them (the parsed definition is cached per version, so a start rarely does).
_LATEST_COLUMNS = tuple(key for key in sa.inspect(ProcessDefinition).column_attrs.keys()
                        if key not in ("bpmn_xml", "forms", "dmn", "templates"))
_LATEST = Direct(lambda: sa.select(*(getattr(ProcessDefinition, key) for key in _LATEST_COLUMNS))
                 .where(ProcessDefinition.key == sa.bindparam("key"))
                 .order_by(ProcessDefinition.version.desc()).limit(1))


def latest_definition(session: so.Session, key: str) -> ProcessDefinition:
    """The newest deployed version of process ``key``.

    :raises NotFound: the process is not deployed.
    """
    rows = _LATEST.fetch(session, {"key": key})
    if not rows:
        raise NotFound(f"process '{key}' is not deployed")
    return loaded(session, ProcessDefinition, dict(zip(_LATEST_COLUMNS, rows[0], strict=True)))


def casework_definitions(session: so.Session, casework: str) -> list[tuple[int, str]]:
    """(definition id, process key) of every deployed version whose BPMN declares ``casework=<casework>``, the most
    recently deployed first: how a feature finds its processes whatever their keys."""
    rows = session.execute(sa.select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.settings)
                           .order_by(ProcessDefinition.deployed_at.desc(), ProcessDefinition.id.desc()))
    return [(id_, key) for id_, key, settings in rows if (settings or {}).get(CASEWORK) == casework]


def casework_process(session: so.Session, casework: str) -> str:
    """The key of the process a new case of ``casework`` starts: the one deployed last that declares it.

    :raises NotFound: no deployed process declares it.
    """
    found = casework_definitions(session, casework)
    if not found:
        raise NotFound(f"no deployed process declares casework '{casework}'")
    return found[0][1]


def definition_versions(session: so.Session, key: str) -> list[ProcessDefinition]:
    rows = list(session.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version)))
    if not rows:
        raise NotFound(f"process '{key}' is not deployed")
    return rows


def definition_json(d: ProcessDefinition) -> dict[str, Any]:
    return {"key": d.key, "name": d.name, "version": d.version, "deployed_at": iso(d.deployed_at),
            "deployed_by": d.deployed_by, "hash": d.content_hash, "retired": d.retired_at is not None}
