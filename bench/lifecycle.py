"""Case lifecycle benchmark: one 4-user-task case driven bare, with naive persistence, and through Docket.

    .venv/bin/python bench/lifecycle.py [--cases N] [--runs R] [--profile [TOP]]

(a)  bare SpiffWorkflow in memory (spec parsed once);
(b)  the same, with the full ``BpmnWorkflowSerializer`` JSON written to / read from a SQLite table
     (sqlite3 module, one commit per write) around the start and every task;
(c)  Docket's command API (``start_case`` + 4 x ``complete_task``; each command returns the case with its
     open task rows, as the HTTP API's response does, and the next task's id is taken from there) on a fresh,
     migrated SQLite file;
(c') the same with the runtime's hot-workflow cache cleared before every command, i.e. every
     command loads the workflow from its stored JSON (what a request landing on another worker costs).

Runs are interleaved (a, b, c, c', a, b, ...) and each scenario reports the median of R runs of N
cases, wall clock and process CPU time. Then SQL statements and commits per ``start_case`` and per
``complete_task`` are counted with SQLAlchemy event listeners on ``rt.db``. The last line printed is
``engine/bare = 0.NN`` (ratio of median wall-clock throughputs). See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import platform
import pstats
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.access import Actor
from engine.definitions.bundle import bundle_from_file
from engine.deploy import deploy
from engine.features import load_features
from engine.instances import start_case
from engine.migrate import upgrade
from engine.models import Task
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.users import create_group, create_user

HERE = Path(__file__).resolve().parent
ENGINE_DIR = HERE.parent / "engine"
MODEL = HERE / "models" / "four_tasks.bpmn"
PROCESS = "four_tasks"

# (task, data submitted, user who completes it)
STEPS = [
    ("register", {"title": "Bike lane on Main St", "citizen": "Ann"}, "wang"),
    ("review", {"accepted": True, "comment": "ok"}, "qian"),
    ("handle", {"resolution": "scheduled"}, "chen"),
    ("rate", {"satisfaction": 4}, "wang"),
]
GROUPS = ["designer", "delegate", "committee", "dept"]
USERS = {"zhou": ["designer"], "wang": ["delegate"], "qian": ["committee"], "chen": ["dept"]}
ACTORS = {name: Actor(name, frozenset(groups)) for name, groups in USERS.items()}
STARTER = "wang"


# ---------------------------------------------------------------------------------------------- (a)

def parse_model() -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODEL))
    return parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)


def new_workflow(spec: Any, subs: dict[str, Any]) -> BpmnWorkflow:
    wf = BpmnWorkflow(spec, subs)
    wf.get_next_task(spec_name="Start").set_data(initiator=STARTER)
    wf.do_engine_steps()
    return wf


def complete_ready(wf: BpmnWorkflow, name: str, data: dict[str, Any]) -> None:
    task = wf.get_next_task(state=TaskState.READY, manual=True)
    assert task is not None and task.task_spec.name == name, (task and task.task_spec.name, name)
    task.set_data(**data)
    task.run()
    wf.do_engine_steps()


class Bare:
    def __init__(self) -> None:
        self.spec, self.subs = parse_model()

    def run(self, n: int) -> None:
        for _ in range(n):
            wf = new_workflow(self.spec, self.subs)
            for name, data, _user in STEPS:
                complete_ready(wf, name, dict(data))
            assert wf.is_completed()


# ---------------------------------------------------------------------------------------------- (b)

class Naive:
    """Full JSON (spec included) to and from a SQLite row, one commit per write."""

    def __init__(self, folder: Path) -> None:
        self.spec, self.subs = parse_model()
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.conn = sqlite3.connect(folder / "naive.sqlite")
        self.conn.execute("PRAGMA journal_mode=WAL")  # the same settings Docket uses (engine/db.py)
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE workflow (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        self.conn.commit()
        self.sizes: list[int] = []

    def run(self, n: int) -> None:
        conn, ser = self.conn, self.serializer
        for _ in range(n):
            wf = new_workflow(self.spec, self.subs)
            blob = ser.serialize_json(wf)
            self.sizes.append(len(blob))
            row_id = conn.execute("INSERT INTO workflow (state) VALUES (?)", (blob,)).lastrowid
            conn.commit()
            for name, data, _user in STEPS:
                (blob,) = conn.execute("SELECT state FROM workflow WHERE id = ?", (row_id,)).fetchone()
                wf = ser.deserialize_json(blob)
                complete_ready(wf, name, dict(data))
                blob = ser.serialize_json(wf)
                self.sizes.append(len(blob))
                conn.execute("UPDATE workflow SET state = ? WHERE id = ?", (blob, row_id))
                conn.commit()
            assert wf.is_completed()

    def close(self) -> None:
        self.conn.close()


# ---------------------------------------------------------------------------------------------- (c)

class Counter:
    """SQL statements and commits on one engine, by phase."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0

    def on_execute(self, *_args: Any) -> None:
        self.statements += 1

    def on_commit(self, *_args: Any) -> None:
        self.commits += 1

    def snapshot(self) -> tuple[int, int]:
        return self.statements, self.commits


class Docket:
    """A migrated SQLite database with the benchmark's groups, users and deployed model."""

    def __init__(self, folder: Path) -> None:
        url = f"sqlite:///{folder / 'docket.sqlite'}"
        upgrade(url)
        load_features()
        self.rt = Runtime(url)
        with self.rt.transaction() as session:
            for key in GROUPS:
                create_group(session, key, key)
            for name, groups in USERS.items():
                create_user(session, name, f"pw-{name}", name.title(), groups)
        with self.rt.transaction() as session:
            done = deploy(session, ACTORS["zhou"], bundle_from_file(MODEL))
            assert done.created and not done.warnings, done.warnings
        self.cold = False  # True: drop the hot-workflow cache before every command
        self.check_lookup = False  # True: also read each next task id from the task table (the counting pass)
        self.counter: Counter | None = None
        self.per_start: list[tuple[int, int]] = []
        self.per_completion: list[tuple[int, int]] = []
        self.per_lookup: list[tuple[int, int]] = []
        self.cpu = {"start_case": [0.0, 0], "complete_task": [0.0, 0]}  # command -> [CPU s, calls]

    def reset_cpu(self) -> None:
        for pair in self.cpu.values():
            pair[0], pair[1] = 0.0, 0

    def cpu_ms(self, command: str) -> float:
        seconds, calls = self.cpu[command]
        return 1000 * seconds / calls if calls else 0.0

    def open_task(self, case_id: int) -> str:
        """The id of the case's one open task, read from the task table (a Core SELECT, as an inbox would do)."""
        with self.rt.db.connect() as conn:
            ids = conn.scalars(
                sa.select(Task.id).where(Task.case_id == case_id, Task.state.in_(("open", "claimed")))
            ).all()
        assert len(ids) == 1, ids
        return ids[0]

    @staticmethod
    def next_task(case: Any) -> str:
        """The id of the case's one open task, from the case a command returned (its open task rows: what the HTTP
        API puts in its response)."""
        ids = [row.id for row in case.open_task_rows or () if row.state in ("open", "claimed")]
        assert len(ids) == 1, ids
        return ids[0]

    @contextmanager
    def measured(self, into: list[tuple[int, int]]) -> Any:
        if self.counter is None:
            yield
            return
        s0, c0 = self.counter.snapshot()
        yield
        s1, c1 = self.counter.snapshot()
        into.append((s1 - s0, c1 - c0))

    def run(self, n: int) -> None:
        rt = self.rt
        for _ in range(n):
            if self.cold:
                rt.workflows.clear()
            with self.measured(self.per_start):
                c0 = time.process_time()
                case = start_case(rt, ACTORS[STARTER], PROCESS)
                self._spent("start_case", c0)
            for _name, data, user in STEPS:
                task_id = self.next_task(case)
                if self.check_lookup:  # the task table says the same (counted apart, untimed)
                    with self.measured(self.per_lookup):
                        assert self.open_task(case.id) == task_id
                if self.cold:
                    rt.workflows.clear()
                with self.measured(self.per_completion):
                    c0 = time.process_time()
                    case = complete_task(rt, ACTORS[user], task_id, dict(data))
                    self._spent("complete_task", c0)
            assert case.status == "completed", (case.status, case.error_message)

    def _spent(self, command: str, since: float) -> None:
        pair = self.cpu[command]
        pair[0] += time.process_time() - since
        pair[1] += 1

    def count(self, n: int) -> Counter:
        self.counter = counter = Counter()
        self.check_lookup = True
        sa.event.listen(self.rt.db, "before_cursor_execute", counter.on_execute)
        sa.event.listen(self.rt.db, "commit", counter.on_commit)
        try:
            self.run(n)
        finally:
            sa.event.remove(self.rt.db, "before_cursor_execute", counter.on_execute)
            sa.event.remove(self.rt.db, "commit", counter.on_commit)
            self.counter = None
            self.check_lookup = False
        return counter

    def close(self) -> None:
        self.rt.dispose()


# ---------------------------------------------------------------------------------------------- driver

@dataclass
class Scenario:
    label: str
    make: Callable[[Path], Any]
    attrs: dict[str, Any] = field(default_factory=dict)
    wall: list[float] = field(default_factory=list)  # cases/s per run
    cpu: list[float] = field(default_factory=list)  # process CPU ms per case per run
    sizes: list[int] = field(default_factory=list)
    commands: dict[str, list[float]] = field(default_factory=dict)  # engine CPU ms per command, per run

    @property
    def rate(self) -> float:
        return statistics.median(self.wall)

    def once(self, n: int) -> None:
        """One run: a fresh subject (and database) in a temp dir, one warm-up case, then ``n`` timed cases."""
        with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
            subject = self.make(Path(tmp))
            for key, value in self.attrs.items():
                setattr(subject, key, value)
            subject.run(1)  # warm-up: spec cache, first connection, compiled conditions
            if hasattr(subject, "reset_cpu"):
                subject.reset_cpu()
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            subject.run(n)
            t1, c1 = time.perf_counter(), time.process_time()
            self.wall.append(n / (t1 - t0))
            self.cpu.append(1000 * (c1 - c0) / n)
            self.sizes.extend(getattr(subject, "sizes", []))
            for command in getattr(subject, "cpu", {}):
                self.commands.setdefault(command, []).append(subject.cpu_ms(command))
            if hasattr(subject, "close"):
                subject.close()

    def report(self) -> None:
        extra = f", stored JSON mean {statistics.mean(self.sizes):,.0f} B/write" if self.sizes else ""
        print(f"{self.label:58s} runs={[round(r) for r in self.wall]} median={self.rate:7.1f} cases/s "
              f"({1000 / self.rate:6.2f} ms/case wall, {statistics.median(self.cpu):6.2f} ms CPU{extra})")


def mean_pair(pairs: list[tuple[int, int]]) -> str:
    if not pairs:
        return "n/a"
    stmts = statistics.mean(p[0] for p in pairs)
    commits = statistics.mean(p[1] for p in pairs)
    spread = f" (min {min(p[0] for p in pairs)}, max {max(p[0] for p in pairs)})"
    return f"{stmts:5.2f} statements{spread}, {commits:4.2f} commits"


def profile_engine(n: int, top: int) -> None:
    """cProfile (c) for ``n`` cases and print the top cumulative entries inside engine/."""
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        subject = Docket(Path(tmp))
        subject.run(1)
        profiler = cProfile.Profile()
        profiler.enable()
        subject.run(n)
        profiler.disable()
        subject.close()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, ncalls, _tt, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if str(ENGINE_DIR) in filename:
            rows.append((cumtime, ncalls, f"{Path(filename).relative_to(ENGINE_DIR.parent)}:{line}({func})"))
    rows.sort(reverse=True)
    print(f"profile of (c), {n} cases, {total:.2f} s total; top {top} cumulative inside engine/:")
    for cumtime, ncalls, where in rows[:top]:
        print(f"    {cumtime:7.3f} s {100 * cumtime / total:5.1f}%  {ncalls:7d} calls  {where}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=300, help="cases per run (default 300)")
    ap.add_argument("--runs", type=int, default=3, help="runs per scenario, median reported (default 3)")
    ap.add_argument("--profile", type=int, nargs="?", const=25, default=0, metavar="TOP",
                    help="also cProfile (c) and print the TOP (default 25) cumulative entries inside engine/")
    args = ap.parse_args(argv)
    n, runs = args.cases, args.runs

    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"sqlite {sqlite3.sqlite_version}, N={n} cases/run, runs={runs}, model {MODEL.name}")
    scenarios = [
        Scenario("(a) bare SpiffWorkflow, in memory", lambda _tmp: Bare()),
        Scenario("(b) naive: full JSON <-> SQLite row around every task", Naive),
        Scenario("(c) Docket engine: start_case + 4 x complete_task", Docket),
        Scenario("(c') same, hot-workflow cache cleared before each command", Docket, {"cold": True}),
    ]
    for _ in range(runs):  # interleaved, so a busy neighbour slows every scenario alike
        for scenario in scenarios:
            scenario.once(n)
    for scenario in scenarios:
        scenario.report()
    bare, naive, engine, cold = (s.rate for s in scenarios)

    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        subject = Docket(Path(tmp))
        subject.run(1)
        subject.count(min(n, 50))
        subject.close()
    print(f"SQL per start_case    : {mean_pair(subject.per_start)}")
    print(f"SQL per complete_task : {mean_pair(subject.per_completion)}")
    print(f"SQL per task lookup   : {mean_pair(subject.per_lookup)}  (a check that the task table agrees with the "
          "returned case; counting pass only, not timed)")

    if args.profile:
        profile_engine(min(n, 200), args.profile)

    hot = scenarios[2]
    for command, per_run in hot.commands.items():
        print(f"engine CPU per {command:13s} = {statistics.median(per_run):5.2f} ms "
              f"(runs {[round(v, 2) for v in per_run]}; cold cache "
              f"{statistics.median(scenarios[3].commands[command]):5.2f} ms)")
    print(f"ms per case: bare {1000 / bare:.2f}, naive {1000 / naive:.2f}, engine {1000 / engine:.2f}, "
          f"engine cold {1000 / cold:.2f}")
    print(f"naive/bare  = {naive / bare:.2f}")
    print(f"engine cold/bare = {cold / bare:.2f}")
    print(f"engine/bare (CPU) = {statistics.median(scenarios[0].cpu) / statistics.median(hot.cpu):.3f}")
    print(f"engine/bare = {engine / bare:.2f}")


if __name__ == "__main__":
    main()
