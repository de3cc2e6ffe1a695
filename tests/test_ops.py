"""Operations: health and readiness, metrics, request ids, db commands, backup and restore."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.clock import clock, utcnow
from engine.instances import start_case
from engine.migrate import upgrade
from engine.models import Case
from engine.ops.backup import backup, restore
from engine.ops.health import beat
from engine.signin import FREE_FAILURES

ROOT = Path(__file__).resolve().parents[1]


def test_healthz_and_readiness_follow_the_scheduler_heartbeat(app: Any, rt: Any) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    res = client.get("/readyz")
    assert res.status_code == 503
    body = res.get_json()
    assert body["database"] is True and body["migrations"] is True and body["scheduler"] is False
    assert "scheduler" in " ".join(body["problems"])
    beat(rt)
    assert client.get("/readyz").status_code == 200
    clock.advance(timedelta(minutes=10))  # the scheduler died ten minutes ago
    assert client.get("/readyz").status_code == 503


def test_metrics_report_overdue_tasks_and_requests(api: Any, rt: Any, people: dict, review_process: Any) -> None:
    start_case(rt, people["wang"], "proposal_review", {})
    text = api.client.get("/metrics").get_data(as_text=True)
    assert "docket_tasks_open 1" in text and "docket_tasks_overdue 0" in text
    clock.advance(timedelta(days=30))  # past the registration task's 7-day due date
    text = api.client.get("/metrics").get_data(as_text=True)
    assert "docket_tasks_overdue 1" in text
    assert 'docket_http_requests_total{method="GET",status="200"' in text


def test_metrics_token(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKET_METRICS_TOKEN", "s3cret")
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_request_id_is_echoed_or_made(app: Any) -> None:
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def _cli(args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_db_check_and_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    sa.create_engine(url).connect().close()
    assert _cli(["db", "check"], url).returncode == 1
    assert _cli(["db", "upgrade"], url).returncode == 0
    done = _cli(["db", "check"], url)
    assert done.returncode == 0, done.stdout + done.stderr


def _fresh_target(tmp_path: Path, database_url: str) -> tuple[str, Any]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.sqlite'}", None
    name = f"docket_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    return database_url.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def test_backup_restores_every_case_into_a_fresh_database(tmp_path: Path, rt: Any, database_url: str,
                                                          people: dict, review_process: Any) -> None:
    keys = {start_case(rt, people["wang"], "proposal_review", {"title": f"案件 {i}"}).business_key for i in range(5)}
    dump = backup(database_url, tmp_path / "docket.backup")
    target, cleanup = _fresh_target(tmp_path, database_url)
    try:
        if cleanup is None:
            upgrade(target)  # restoring over an initialised database must work too
        restore(target, dump)
        engine = sa.create_engine(target)
        with engine.connect() as conn:
            restored = set(conn.scalars(sa.select(Case.business_key)))
        engine.dispose()
        assert restored == keys
    finally:
        if cleanup is not None:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


def test_sign_in_is_throttled_after_repeated_failures(api: Any) -> None:
    clock.freeze(utcnow())  # the first pause lasts 2 s: no real time may pass unnoticed
    for _ in range(FREE_FAILURES + 1):
        assert api.client.post("/api/v1/tokens", json={"username": "li", "password": "wrong"}).status_code == 401
    res = api.client.post("/api/v1/tokens", json={"username": "li", "password": "pw-li"})
    assert res.status_code == 429 and res.get_json()["error"]["code"] == "too_many_requests"
    import re

    page = api.client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    web = api.client.post("/login", data={"username": "li", "password": "pw-li", "csrf_token": token})
    assert web.status_code == 429
    assert api.client.post("/api/v1/tokens", json={"username": "wang", "password": "pw-wang"}).status_code == 201
    clock.advance(timedelta(seconds=3))
    assert api.client.post("/api/v1/tokens", json={"username": "li", "password": "pw-li"}).status_code == 201


def test_cheap_test_hash_never_serves_or_signs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.passwords import FAST_SETTING, check_password, hash_password

    monkeypatch.setenv(FAST_SETTING, "1")
    cheap = hash_password("secret")
    assert check_password(cheap, "secret") and not check_password(cheap, "other")
    refused = _cli(["serve"], f"sqlite:///{ROOT / 'never-created.sqlite'}")
    assert refused.returncode != 0 and FAST_SETTING in refused.stderr
    monkeypatch.setenv(FAST_SETTING, "0")
    assert not check_password(cheap, "secret")
    strong = hash_password("secret")
    assert strong.startswith("scrypt:") and check_password(strong, "secret")
