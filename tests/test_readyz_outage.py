"""/readyz goes unready when PostgreSQL stops and ready again when it returns.

Runs a private PostgreSQL server (initdb + pg_ctl as the `postgres` system user) so stopping it harms no
other test. Runs in the PostgreSQL pass of the suite only.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PG_URL

from engine.config import Settings
from engine.migrate import upgrade
from engine.ops.health import beat
from engine.runtime import Runtime

PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"))), None)


def _can_run() -> bool:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return bool(PG_URL and PG_BIN and os.geteuid() == 0 and shutil.which("runuser"))


pytestmark = pytest.mark.skipif(not _can_run(), reason="needs the PostgreSQL pass, root and the postgres user")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateServer:
    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _port()
        folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(folder, "postgres")
        self._pg("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres")

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/{tool}", *args], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"), "-w", "-o",
                 f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivateServer]:
    folder = Path("/tmp") / f"docket-pg-{os.getpid()}-{tmp_path.name}"
    srv = PrivateServer(folder)
    srv.start()
    yield srv
    try:
        srv.stop()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(folder, ignore_errors=True)


def test_readyz_follows_the_database(server: PrivateServer, tmp_path: Path) -> None:
    from webui import create_app

    url = f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/postgres"
    upgrade(url)
    rt = Runtime(url)
    beat(rt)
    app = create_app(Settings(database_url=url, secret_key="t", home=tmp_path), runtime=rt)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    server.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["database"] is False and "database unreachable" in down.get_json()["problems"][0]
    assert client.get("/healthz").status_code == 200  # the process itself is fine
    server.start()
    assert client.get("/readyz").status_code == 200
    rt.dispose()
