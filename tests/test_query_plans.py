"""The inbox, the supervisors' board and the statistics read open work through the partial index of open tasks.

History grows without bound while open work does not, so every statement these queries run must start from
``ix_task_open_due_at`` (never a scan of the task table or of the closed tasks' candidate rows). Each statement is
captured as it runs and explained on this suite's database, with the same parameters: on SQLite the plan must name
the index (``INDEXED BY`` makes it so, see ``engine.models.over_open_tasks``); on PostgreSQL, with sequential scans
priced out, the planner must reach the task table through that index and no other. ``bench/scale.py`` times the same
queries at 10,000 and 1,000,000 task rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from engine.access import Actor
from engine.clock import utcnow
from engine.models import OPEN_TASK_INDEX, Case, ProcessDefinition, Task, TaskCandidate
from engine.queries import inbox_counts, inbox_page, list_tasks
from engine.runtime import Runtime
from engine.sla import board

CLOSED, OPEN = 3000, 40
GROUPS = ["dept:hr", "dept:logistics", "committee"]


@pytest.fixture
def history(rt: Runtime) -> None:
    """A few thousand closed tasks and a few dozen open ones, with candidate rows, analysed."""
    now = utcnow()
    with rt.transaction() as session:
        session.add(ProcessDefinition(key="p", version=1, name="p", content_hash="x", bpmn_xml="<x/>", forms={},
                                      dmn={}, settings={}, deployed_at=now))
    cases, tasks, candidates = [], [], []
    for n in range(CLOSED + OPEN):
        if n % 10 == 0:
            cases.append({"id": n // 10 + 1, "definition_id": 1, "process_key": "p", "business_key": f"K-{n}",
                          "status": "running", "workflow": "{}", "data": {}, "revision": 1, "started_at": now,
                          "updated_at": now})
        task_id, group = str(uuid.uuid4()), GROUPS[n % len(GROUPS)]
        tasks.append({"id": task_id, "case_id": n // 10 + 1, "process_key": "p", "name": "t", "title": "任务",
                      "candidate_groups": [group], "candidate_users": [], "assignee": None if n % 3 else "chen",
                      "state": "open" if n >= CLOSED else "completed", "created_at": now - timedelta(days=40),
                      "due_at": now + timedelta(days=n % 20 - 10), "version": 1})
        candidates.append({"task_id": task_id, "kind": "group", "principal": group})
    with rt.db.begin() as conn:
        conn.execute(sa.insert(Case), cases)
        conn.execute(sa.insert(Task), tasks)
        conn.execute(sa.insert(TaskCandidate), candidates)
    with rt.db.begin() as conn:
        conn.execute(sa.text("ANALYZE"))


@contextmanager
def captured(rt: Runtime) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (with their parameters) that run on ``rt`` meanwhile."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    sa.event.listen(rt.db, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        sa.event.remove(rt.db, "before_cursor_execute", keep)


def plan(rt: Runtime, statement: str, parameters: Any) -> str:
    """The database's plan of one captured statement, as text."""
    with rt.db.connect() as conn:
        if rt.db.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(str(r[-1]) for r in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        conn.rollback()
        return "\n".join(r[0] for r in rows)


def reaches_tasks_by_open_index(text: str, dialect: str) -> bool:
    """Does the plan reach the task table only through an index that selects open tasks?

    SQLite: through ``ix_task_open_due_at`` (its statistics cannot tell the rare open state from the common
    closed one, so the statement names the index). PostgreSQL: by an index scan whose condition is the open
    states, on that index or on ``ix_task_state_due_at`` (its statistics know open rows are few)."""
    if dialect == "sqlite":
        reads = ("SCAN task", "SEARCH task")
        task_reads = [line for line in text.splitlines() if line.split(" USING")[0].endswith(reads)]
        return bool(task_reads) and all(OPEN_TASK_INDEX in line for line in task_reads)
    lines = text.splitlines()
    if any("Seq Scan on task " in f"{line} " for line in lines):
        return False
    by_state = any("Index Cond" in line and "'{open,claimed}'" in line for line in lines)
    return OPEN_TASK_INDEX in text or by_state


QUERIES: dict[str, Callable[[Any], Any]] = {
    "inbox": lambda s: list_tasks(s, Actor("chen", frozenset({"dept:hr"})), scope="all"),
    "inbox page": lambda s: inbox_page(s, Actor("chen", frozenset({"dept:hr"})), scope="all", sort="case"),
    "inbox counts": lambda s: inbox_counts(s, Actor("chen", frozenset({"dept:hr"}))),
    "overdue board": lambda s: board.overdue(s, Actor("sun", frozenset({"supervisor"})), utcnow()),
    "due soon": lambda s: board.due_soon(s, Actor("sun", frozenset({"supervisor"})), utcnow()),
    "open tasks export": lambda s: board.open_tasks(s, utcnow()),
    "statistics": lambda s: board.summary(s, Actor("sun", frozenset({"supervisor"})), utcnow()),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_open_work_is_read_through_the_open_task_index(rt: Runtime, history: None, name: str) -> None:
    with captured(rt) as seen, rt.reading() as session:
        result = QUERIES[name](session)
    assert result, f"{name} found nothing: the history fixture is wrong"
    reading_tasks = [(sql, params) for sql, params in seen if "FROM task" in sql]
    assert reading_tasks, f"{name} ran no statement on the task table"
    for sql, params in reading_tasks:
        text = plan(rt, sql, params)
        assert reaches_tasks_by_open_index(text, rt.db.dialect.name), f"{name}: {sql}\n--- plan ---\n{text}"


def test_the_index_changes_no_answer(rt: Runtime, history: None) -> None:
    """The inbox through the index finds exactly the open tasks a plain count finds."""
    with rt.reading() as session:
        found = list_tasks(session, Actor("chen", frozenset({"dept:hr"})), scope="all")
        expected = session.scalar(sa.select(sa.func.count()).select_from(Task).where(
            Task.state.in_(("open", "claimed")),
            sa.or_(Task.assignee == "chen", sa.and_(Task.assignee.is_(None),
                                                    Task.id.in_(sa.select(TaskCandidate.task_id).where(
                                                        TaskCandidate.principal == "dept:hr"))))))
    assert found["total"] == expected > 0
