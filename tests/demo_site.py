"""A whole demo site for the tests that sweep every route: the demo's people, processes and sample cases on a
fresh database (a SQLite file, or the PostgreSQL test database), the web app on it, and signed-in clients.

Seeding takes a while, so the sweeping test modules build one site per module:

    @pytest.fixture(scope="module")
    def site(tmp_path_factory): ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.config import PROJECT_ROOT, Settings
from engine.demo import seed
from engine.migrate import upgrade
from engine.runtime import Runtime
from engine.schema import metadata

PG_URL = os.environ.get("DOCKET_TEST_DATABASE_URL")


def empty_database(url: str) -> None:
    """Remove every row (PostgreSQL: the shared test database is reused by every test)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        present = set(sa.inspect(conn).get_table_names())
        names = ", ".join(t.name for t in metadata.sorted_tables if t.name in present)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@dataclass
class Site:
    """The seeded app, its runtime, bearer tokens by user and the ids worth aiming at."""

    app: Any
    rt: Runtime
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str) -> str:
        if user not in self.tokens:
            res = self.app.test_client().post("/api/v1/tokens", json={"username": user, "password": "demo"})
            assert res.status_code == 201, res.get_json()
            self.tokens[user] = res.get_json()["token"]
        return self.tokens[user]

    def headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"} if user else {}

    def browser(self, user: str) -> Any:
        """A test client signed in through the login form (CSRF is off in this app)."""
        client = self.app.test_client()
        res = client.post("/login", data={"username": user, "password": "demo"})
        assert res.status_code == 302, res.status_code
        return client

    def some(self, sql: str) -> Any:
        """One value from the database (ids to aim requests at)."""
        with self.rt.db.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()


@contextmanager
def demo_site(tmp: Path, **overrides: Any) -> Iterator[Site]:
    """The demo seeded on a fresh database; the app has CSRF off so form requests reach the views."""
    from webui import create_app

    if PG_URL:
        upgrade(PG_URL)
        empty_database(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp / 'site.sqlite'}"
        upgrade(url)
    rt = Runtime(url)
    try:
        for _line in seed(rt, PROJECT_ROOT / "processes"):
            pass
        settings = Settings(database_url=url, secret_key="test-secret", home=tmp)
        app = create_app(settings, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False, **overrides})
        yield Site(app, rt)
    finally:
        rt.dispose()
        if PG_URL:
            empty_database(PG_URL)
