"""Query cost at 10k and 1M task rows: inbox, overdue board and statistics, on SQLite and PostgreSQL.

    .venv/bin/python bench/scale.py [--sizes 10000,1000000] [--database-url postgresql+psycopg://...]

A university's history grows; its open work does not. Each database gets N task rows of which a fixed
2,000 are open (the rest completed history), spread over processes and department groups, with their
candidate rows. Then it times, the sizes taking turns (median of 5 rounds of 5 runs each):
  inbox      one user's open tasks (assigned or in 2 of their groups), earliest due first, page of 50 + count
  overdue    the supervisors' overdue board: open tasks past due, oldest first, first 50 (``board.overdue``)
  statistics open, due-soon and overdue counts in total, by process and by group (``board.summary``)
and prints, per query, the time at each size and the ratio largest/smallest (target <= 2).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from engine.access import Actor
from engine.features import load_features
from engine.migrate import upgrade
from engine.models import Case, ProcessDefinition, Task, TaskCandidate
from engine.queries import list_tasks
from engine.runtime import Runtime
from engine.sla import board

OPEN = 2000
GROUPS = [f"dept:{i}" for i in range(40)] + ["committee", "presidium", "mediation"]
PROCESSES = ["proposals", "mediation", "appeals"]
NOW = datetime.now(UTC)


def populate(rt: Runtime, size: int) -> None:
    rng = random.Random(size)
    with rt.transaction() as session:
        session.add(ProcessDefinition(key="p", version=1, name="p", content_hash="x", bpmn_xml="<x/>", forms={},
                                      dmn={}, settings={}, deployed_at=NOW))
    cases_per_batch, tasks_per_case = 2000, 10
    made, case_no = 0, 0
    with rt.db.begin() as conn:
        while made < size:
            cases, tasks, candidates = [], [], []
            for _ in range(cases_per_batch):
                case_no += 1
                cases.append({"id": case_no, "definition_id": 1, "process_key": rng.choice(PROCESSES),
                              "business_key": f"K-{case_no}", "status": "running", "workflow": "{}", "data": {},
                              "revision": 1, "started_at": NOW, "updated_at": NOW})
                for _ in range(tasks_per_case):
                    if made >= size:
                        break
                    is_open = made < OPEN
                    task_id = str(uuid.UUID(int=rng.getrandbits(128)))
                    group = rng.choice(GROUPS)
                    due = NOW + timedelta(days=rng.randint(-30, 30))
                    tasks.append({"id": task_id, "case_id": case_no, "process_key": cases[-1]["process_key"],
                                  "name": "t", "title": "任务", "candidate_groups": [group], "candidate_users": [],
                                  "assignee": rng.choice([None, None, "u1", "u2"]),
                                  "state": "open" if is_open else "completed", "created_at": due - timedelta(days=40),
                                  "due_at": due, "version": 1})
                    candidates.append({"task_id": task_id, "kind": "group", "principal": group})
                    made += 1
            conn.execute(sa.insert(Case), cases)
            conn.execute(sa.insert(Task), tasks)
            conn.execute(sa.insert(TaskCandidate), candidates)
    with rt.db.begin() as conn:
        if rt.db.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
        else:
            conn.execute(sa.text("ANALYZE"))


ROUNDS, RUNS_PER_ROUND = 5, 5  # each query: 5 rounds of 5 timed runs (after one untimed) per size


def timed(fn: Callable[[], object], runs: int = 20) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def queries(rt: Runtime) -> dict[str, Callable[[], object]]:
    actor = Actor("u1", frozenset({"dept:3", "committee"}))
    supervisor = Actor("sun", frozenset({"supervisor"}))

    def inbox() -> object:
        with rt.reading() as s:
            return list_tasks(s, actor, scope="all")

    def overdue() -> object:
        with rt.reading() as s:
            return board.overdue(s, supervisor, NOW, limit=50)

    def stats() -> object:
        with rt.reading() as s:
            return board.summary(s, supervisor, NOW)

    return {"inbox": inbox, "overdue": overdue, "statistics": stats}


def fresh_database(base_url: str | None, size: int, folder: Path) -> str:
    if base_url is None:
        return f"sqlite:///{folder / f'scale-{size}.sqlite'}"
    name = f"docket_scale_{size}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(base_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created per size)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="docket-scale-"))
    results: dict[str, dict[int, float]] = {}
    backend = "PostgreSQL" if args.database_url else "SQLite"
    urls = {size: fresh_database(args.database_url, size, folder) for size in sizes}
    runtimes: dict[int, Runtime] = {}
    try:
        load_features()
        for size, url in urls.items():
            upgrade(url)
            runtimes[size] = Runtime(url)
            t0 = time.perf_counter()
            populate(runtimes[size], size)
            print(f"{backend}: {size:,} task rows ({OPEN:,} open) written in {time.perf_counter() - t0:.1f} s")
        # the sizes take turns, query by query and round by round, so a machine whose load changes meanwhile
        # disturbs every size alike
        samples: dict[str, dict[int, list[float]]] = {}
        for _ in range(ROUNDS):
            for size, rt in runtimes.items():
                for name, fn in queries(rt).items():
                    samples.setdefault(name, {}).setdefault(size, []).append(timed(fn, runs=RUNS_PER_ROUND))
        results = {name: {size: statistics.median(times) for size, times in by_size.items()}
                   for name, by_size in samples.items()}
    finally:
        for rt in runtimes.values():
            rt.dispose()
        for url in urls.values():
            drop(url)
    for name, by_size in results.items():
        cells = "  ".join(f"{size:>9,}: {ms:7.2f} ms" for size, ms in by_size.items())
        ratio = by_size[max(by_size)] / by_size[min(by_size)]
        print(f"{backend} {name:<10} {cells}   {max(by_size):,}/{min(by_size):,} = {ratio:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
