"""HTTP load: task completions per second through gunicorn (2 workers) against the engine-only rate.

    .venv/bin/python bench/http_load.py [--seconds 20] [--threads 8] [--workers 2] [--database-url URL]

Starts gunicorn on 127.0.0.1 (only) with a fresh SQLite file (or a PostgreSQL database you name), drives
cases of bench/models/four_tasks.bpmn from client threads for a bounded time, and prints completions per
second, p50/p95 latency of a completion, the engine-only completion rate of the same model in this
process (bench/lifecycle.py's driver), their ratio (target >= 0.3), and SQL statements per completion
through the HTTP layer (token check included; target <= 8), with commits and ms per completion measured
in process with Flask's test client (``--client-only`` prints just those).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lifecycle import STEPS, Counter, Docket  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int, user: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = ""
        self.token = self.call("POST", "/api/v1/tokens", {"username": user, "password": f"pw-{user}"})[1]["token"]

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        res = self.conn.getresponse()
        raw = res.read()
        return res.status, (json.loads(raw) if raw else None)


def engine_rate(folder: Path, cases: int) -> float:
    """Completions per second through the engine API alone, same model, same machine."""
    docket = Docket(folder)
    docket.run(5)
    started = time.perf_counter()
    docket.run(cases)
    elapsed = time.perf_counter() - started
    docket.close()
    return cases * len(STEPS) / elapsed


def test_client_completions(folder: Path, cases: int = 20, rounds: int = 3) -> dict[str, float]:
    """Per POST /api/v1/tasks/<id>/complete through the Flask test client in this process (bearer token,
    JSON in and out, the case view in the response): SQL statements, commits, wall and CPU ms (median of
    ``rounds`` rounds of ``cases`` cases, after one warm-up case)."""
    from engine.config import Settings
    from webui import create_app

    docket = Docket(folder)
    app = create_app(Settings(database_url=docket.rt.database_url, secret_key="bench", home=folder),
                     runtime=docket.rt)
    client = app.test_client()
    tokens = {}
    for user in {u for _n, _d, u in STEPS}:
        tokens[user] = client.post("/api/v1/tokens", json={"username": user, "password": f"pw-{user}"}
                                   ).get_json()["token"]
    counter = Counter()
    sa.event.listen(docket.rt.db, "before_cursor_execute", counter.on_execute)
    sa.event.listen(docket.rt.db, "commit", counter.on_commit)
    statements: list[int] = []
    commits: list[int] = []
    wall: list[float] = []
    cpu: list[float] = []

    def one_case() -> tuple[float, float]:
        res = client.post("/api/v1/cases", json={"process": "four_tasks"},
                          headers={"Authorization": f"Bearer {tokens['wang']}"}).get_json()
        task_id = res["open_tasks"][0]["id"]
        spent_wall = spent_cpu = 0.0
        for _name, data, user in STEPS:
            s0, k0 = counter.snapshot()
            t0, c0 = time.perf_counter(), time.process_time()
            res = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data},
                              headers={"Authorization": f"Bearer {tokens[user]}"})
            spent_cpu += time.process_time() - c0
            spent_wall += time.perf_counter() - t0
            s1, k1 = counter.snapshot()
            assert res.status_code == 200, res.get_data(as_text=True)
            statements.append(s1 - s0)
            commits.append(k1 - k0)
            open_tasks = res.get_json()["case"]["open_tasks"]
            task_id = open_tasks[0]["id"] if open_tasks else None
        return spent_wall, spent_cpu

    one_case()
    statements.clear()
    commits.clear()
    for _ in range(rounds):
        gc.collect()
        totals = [one_case() for _ in range(cases)]
        wall.append(1000 * sum(t[0] for t in totals) / (cases * len(STEPS)))
        cpu.append(1000 * sum(t[1] for t in totals) / (cases * len(STEPS)))
    sa.event.remove(docket.rt.db, "before_cursor_execute", counter.on_execute)
    sa.event.remove(docket.rt.db, "commit", counter.on_commit)
    docket.close()
    return {"statements": statistics.mean(statements), "max_statements": max(statements),
            "commits": statistics.mean(commits), "wall_ms": statistics.median(wall),
            "cpu_ms": statistics.median(cpu)}


def print_client(figures: dict[str, float]) -> None:
    print(f"test client, per HTTP completion: {figures['wall_ms']:.2f} ms wall, {figures['cpu_ms']:.2f} ms CPU "
          f"(medians of 3 rounds)")
    print(f"SQL statements per HTTP completion: {figures['statements']:.1f} (max {figures['max_statements']}; "
          f"target <= 8), commits: {figures['commits']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="a PostgreSQL database to use (default: a fresh SQLite file)")
    parser.add_argument("--client-only", action="store_true",
                        help="only the in-process test-client figures (no gunicorn run)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="docket-http-"))
    if args.client_only:
        (folder / "count").mkdir()
        print_client(test_client_completions(folder / "count"))
        return
    (folder / "engine").mkdir()
    (folder / "count").mkdir()
    http_db = folder / "http"
    http_db.mkdir()
    docket = Docket(http_db) if not args.database_url else None
    url = args.database_url or docket.rt.database_url
    if docket is not None:
        docket.close()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DOCKET_SECRET_KEY": "bench", "DOCKET_HOME": str(folder)}
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                               str(args.workers), "--threads", "2", "webui.wsgi:app"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"gunicorn did not start; see {folder / 'gunicorn.log'}") from None
                time.sleep(0.2)
        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def drive() -> None:
            clients = {u: Client(port, u) for u in {u for _n, _d, u in STEPS}}
            mine: list[float] = []
            while time.monotonic() < stop_at:
                status, case = clients["wang"].call("POST", "/api/v1/cases", {"process": "four_tasks"})
                if status != 201:
                    errors.append(status)
                    continue
                task_id = case["open_tasks"][0]["id"]
                for _name, data, user in STEPS:
                    t0 = time.perf_counter()
                    status, body = clients[user].call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": data})
                    mine.append(time.perf_counter() - t0)
                    if status != 200:
                        errors.append(status)
                        break
                    open_tasks = body["case"]["open_tasks"]
                    task_id = open_tasks[0]["id"] if open_tasks else None
            with lock:
                latencies.extend(mine)

        started = time.perf_counter()
        threads = [threading.Thread(target=drive) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    http_rate = len(latencies) / elapsed
    engine = engine_rate(folder / "engine", 100)
    figures = test_client_completions(folder / "count")
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 20 else [0.0] * 19
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}, {args.workers} gunicorn workers, "
          f"{args.threads} client threads, {args.seconds:g} s")
    print(f"HTTP completions: {len(latencies)} in {elapsed:.1f} s = {http_rate:.1f}/s; errors: {len(errors)}")
    print(f"completion latency p50 = {statistics.median(latencies) * 1000:.1f} ms, p95 = {q[18] * 1000:.1f} ms")
    print(f"engine-only completions: {engine:.1f}/s (same model, in process)")
    print_client(figures)
    print(f"http/engine = {http_rate / engine:.2f} (target >= 0.3)")


if __name__ == "__main__":
    main()
