"""Scale-out on PostgreSQL: 2 gunicorn workers and 2 scheduler processes on one database.

500 cases are driven concurrently through the HTTP API from 8 client threads; the shared clock file then
moves time so the cases' timers fall due, and the schedulers fire them. Every case must end in the right
state, every timer fire exactly once, no request fail with a 5xx, and the task rows agree with the cases.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PG_URL, deploy_file
from SpiffWorkflow import TaskState

from engine.definitions.bundle import Bundle
from engine.models import Case, Event, Task
from engine.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
CASES = 500
THREADS = 8
TIMED = (ROOT / "tests" / "bpmn" / "timed_review.bpmn")
SCHEDULER = [sys.executable, "-m", "engine.cli", "scheduler", "--every", "1"]

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (DOCKET_TEST_DATABASE_URL)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A keep-alive JSON client per thread that records every status code.

    A keep-alive connection that the server closed while it sat idle fails when the next request is *sent*
    (broken pipe, reset, or a disconnect before any response byte): the server never read that request, so it
    is sent again once on a fresh connection. Nothing else is retried."""

    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def __init__(self, port: int, username: str) -> None:
        self.port = port
        self.conn = self._connect()
        self.token = ""
        self.token = self.call("POST", "/api/v1/tokens", {"username": username, "password": f"pw-{username}"})[1][
            "token"]

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            res = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.conn.close()
            self.conn = self._connect()  # the explicit, single retry on a connection the server had closed
            self.conn.request(method, path, body=payload, headers=headers)
            res = self.conn.getresponse()
        data = res.read()
        with Client.lock:
            Client.statuses[res.status] += 1
        return res.status, json.loads(data) if data else None


@contextmanager
def running(commands: list[list[str]], env: dict[str, str], folder: Path) -> Iterator[list[subprocess.Popen]]:
    """Start each command (output to ``<folder>/proc<i>.log``); terminate them all on the way out."""
    logs = [open(folder / f"proc{i}.log", "w") for i in range(len(commands))]  # noqa: SIM115
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
             for cmd, log in zip(commands, logs, strict=True)]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=120)  # a loaded machine can take a while to stop a process
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()


def wait_for_timers(rt: Runtime, seconds: float) -> int:
    """Poll until no running case waits for a timer (or time is up); returns how many still wait."""
    deadline = time.monotonic() + seconds
    while True:
        with rt.reading() as s:
            waiting = s.scalar(sa.select(sa.func.count()).where(Case.status == "running", Case.wake_at.is_not(None)))
        if waiting == 0 or time.monotonic() > deadline:
            return waiting
        time.sleep(0.5)


def wait_for_logs(paths: list[Path], text: str, seconds: float) -> list[Path]:
    """Poll until every log holds ``text`` (or time is up); returns the logs still without it."""
    deadline = time.monotonic() + seconds
    while True:
        missing = [p for p in paths if text not in (p.read_text() if p.exists() else "")]
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.5)


def _wait_ready(port: int, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def test_two_workers_two_schedulers_500_cases(tmp_path: Path, rt: Runtime, database_url: str, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TIMED.read_bytes(), filename=str(TIMED)))
    clock_file = tmp_path / "clock"
    clock_file.write_text("0")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DOCKET_CLOCK_FILE": str(clock_file),
           "DOCKET_SECRET_KEY": "multiprocess-test", "DOCKET_HOME": str(tmp_path)}
    # a loaded CI machine can stall a worker for many seconds: generous worker timeout and keep-alive
    web = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
           "--timeout", "300", "--keep-alive", "120", "webui.wsgi:app"]
    with running([web, SCHEDULER, SCHEDULER], env, tmp_path) as procs:
        _wait_ready(port, procs[0])
        local = threading.local()

        def client(user: str) -> Client:
            key = f"c_{user}"
            if not hasattr(local, key):
                setattr(local, key, Client(port, user))
            return getattr(local, key)

        def drive(i: int) -> tuple[int, bool]:
            status, case = client("wang").call("POST", "/api/v1/cases", {"process": "timed_review",
                                                                         "data": {"title": f"案件 {i}"}})
            assert status == 201, case
            decided = i % 2 == 0
            if decided:  # half the cases are reviewed in time: their timer must never fire
                task = case["open_tasks"][0]
                status, body = client("zhao").call("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": {}})
                assert status == 200, body
            return case["id"], decided

        with ThreadPoolExecutor(THREADS) as pool:
            outcomes = dict(pool.map(drive, range(CASES)))
        assert len(outcomes) == CASES

        clock_file.write_text(str(15 * 86400))  # fifteen days later, for every process
        waiting = wait_for_timers(rt, 600)
        assert waiting == 0, f"{waiting} cases still wait for their timer"
        for proc in procs[1:]:
            assert proc.poll() is None, "a scheduler process died"

    assert not [code for code in Client.statuses if code >= 500], Client.statuses
    with rt.reading() as s:
        fired = Counter(s.scalars(sa.select(Event.case_id).where(Event.kind == "timers_fired")))
        cases = {c.id: c for c in s.scalars(sa.select(Case))}
        open_rows = {}
        for task in s.scalars(sa.select(Task).where(Task.state.in_(("open", "claimed")))):
            open_rows.setdefault(task.case_id, set()).add(task.id)
        escalations = Counter(s.scalars(sa.select(Task.case_id).where(Task.name == "escalate")))
    for case_id, decided in outcomes.items():
        if decided:
            assert cases[case_id].status == "completed" and fired[case_id] == 0
        else:
            assert fired[case_id] == 1, f"case {case_id} fired {fired[case_id]} times"
            assert escalations[case_id] == 1 and cases[case_id].status == "running"
    fresh = Runtime(database_url)  # task rows agree with each stored workflow
    with fresh.reading() as s:
        for case in cases.values():
            wf = fresh.store.loads(case.workflow, fresh.definition(s, case.definition_id))
            ready = {str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True)}
            assert ready == open_rows.get(case.id, set()), case.business_key
    fresh.dispose()


def test_two_scheduler_processes_fire_1000_due_timers_once(tmp_path: Path, rt: Runtime, database_url: str,
                                                             people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TIMED.read_bytes(), filename=str(TIMED)))
    from engine.instances import start_case

    case_ids = [start_case(rt, people["wang"], "timed_review", {}).id for _ in range(1000)]
    clock_file = tmp_path / "clock"
    clock_file.write_text(str(15 * 86400))  # every timer is 1 day overdue for both processes
    env = {**os.environ, "DATABASE_URL": database_url, "DOCKET_CLOCK_FILE": str(clock_file),
           "DOCKET_HOME": str(tmp_path)}
    logs = [tmp_path / f"proc{i}.log" for i in (0, 1)]
    with running([SCHEDULER, SCHEDULER], env, tmp_path):
        waiting = wait_for_timers(rt, 600)
        # each process catches up once after it starts, whether or not the other got to the timers first
        silent = wait_for_logs(logs, "catch-up after start", 300)
    assert waiting == 0
    with rt.reading() as s:
        fired = Counter(s.scalars(sa.select(Event.case_id).where(Event.kind == "timers_fired")))
        escalations = Counter(s.scalars(sa.select(Task.case_id).where(Task.name == "escalate")))
    assert all(fired[c] == 1 and escalations[c] == 1 for c in case_ids), {c: fired[c] for c in case_ids
                                                                          if fired[c] != 1}
    assert not silent, f"no catch-up logged by {[p.name for p in silent]}"
