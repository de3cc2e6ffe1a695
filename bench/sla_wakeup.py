"""Wake-up and overdue-query cost at 1k vs 100k idle cases (SQLite, or PostgreSQL with --database-url).

    .venv/bin/python bench/sla_wakeup.py [--sizes 1000,100000] [--database-url postgresql+psycopg://...]

Each database gets N idle running cases (a timer far in the future, one open task due in the future with its
SLA clock) plus a fixed 50 cases whose timer and task are due. It times (median of 30 runs):
  wake-up   the scheduler's due-timer query (status, wake_at index)
  sla-claim the SLA job's claim query (sla_clock.next_action_at index, FOR UPDATE SKIP LOCKED on PostgreSQL)
  overdue   the board's overdue list (open tasks past due, oldest first, page of 50)
and prints each time per size and the ratio largest/smallest (target <= 1.5).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from engine.access import Actor
from engine.migrate import upgrade
from engine.models import Case, ProcessDefinition, Task
from engine.schema import metadata
from engine.sla import board
from engine.sla.models import TaskClock

DUE = 50
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def fill(url: str, idle: int) -> sa.Engine:
    engine = sa.create_engine(url)
    if not url.startswith("sqlite"):
        with engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in metadata.sorted_tables) + " CASCADE"))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(ProcessDefinition),
            [
                {
                    "id": 1,
                    "key": "p",
                    "version": 1,
                    "name": "p",
                    "content_hash": "h",
                    "bpmn_xml": "",
                    "forms": {},
                    "dmn": {},
                    "settings": {},
                    "deployed_at": NOW,
                }
            ],
        )
        for start in range(0, idle + DUE, 10_000):
            rows = range(start, min(start + 10_000, idle + DUE))
            cases, tasks, clocks = [], [], []
            for i in rows:
                due = i >= idle
                cases.append(
                    {
                        "id": i + 1,
                        "definition_id": 1,
                        "process_key": "p",
                        "business_key": f"B-{i}",
                        "status": "running",
                        "workflow": "",
                        "data": {},
                        "revision": 1,
                        "started_at": NOW,
                        "updated_at": NOW,
                        "wake_at": NOW - timedelta(hours=1) if due else NOW + timedelta(days=400),
                    }
                )
                tid = str(uuid.UUID(int=i + 1))
                tasks.append(
                    {
                        "id": tid,
                        "case_id": i + 1,
                        "process_key": "p",
                        "name": "t",
                        "title": "t",
                        "candidate_groups": ["committee"],
                        "candidate_users": [],
                        "state": "open",
                        "created_at": NOW - timedelta(days=30),
                        "version": 1,
                        "due_at": NOW - timedelta(days=1, seconds=i) if due else NOW + timedelta(days=30),
                    }
                )
                clocks.append(
                    {
                        "task_id": tid,
                        "paused_seconds": 0,
                        "extended_seconds": 0,
                        "extensions": 0,
                        "next_action_at": NOW - timedelta(hours=1) if due else NOW + timedelta(days=28),
                    }
                )
            conn.execute(sa.insert(Case), cases)
            conn.execute(sa.insert(Task), tasks)
            conn.execute(sa.insert(TaskClock), clocks)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return engine


def timed(fn: Callable[[], object], runs: int = 30) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def measure(engine: sa.Engine) -> dict[str, float]:
    import sqlalchemy.orm as so

    sup = Actor("sun", frozenset({"supervisor"}))

    def wake() -> object:
        with engine.connect() as c:
            ids = c.execute(
                sa.select(Case.id)
                .where(Case.status == "running", Case.wake_at <= NOW)
                .order_by(Case.wake_at)
                .limit(100)
            ).all()
            assert len(ids) == DUE
            return ids

    def claim() -> object:
        with engine.begin() as c:
            rows = c.execute(
                sa.select(TaskClock.task_id)
                .where(TaskClock.next_action_at <= NOW)
                .order_by(TaskClock.next_action_at)
                .limit(200)
                .with_for_update(skip_locked=True)
            ).all()
            assert len(rows) == DUE
            return rows

    def overdue() -> object:
        with so.Session(engine) as s:
            items = board.overdue(s, sup, NOW, limit=50)
            assert len(items) == DUE
            return items

    return {"wake-up": timed(wake), "sla-claim": timed(claim), "overdue": timed(overdue)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--database-url")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, float]] = {}
    for n in sizes:
        url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
        upgrade(url)
        engine = fill(url, n)
        results[n] = measure(engine)
        engine.dispose()
        print(f"{n:>8} idle cases: " + ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in results[n].items()))
    lo, hi = min(sizes), max(sizes)
    for key in results[lo]:
        print(f"{key}: {hi}/{lo} = {results[hi][key] / results[lo][key]:.2f}x (target <= 1.5)")


if __name__ == "__main__":
    main()
