"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when DOCKET_TEST_DATABASE_URL is set),
a runtime on it, the web app, and an API client that signs in with bearer tokens."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.access import Actor
from engine.clock import clock
from engine.config import Settings
from engine.definitions.bundle import Bundle, bundle_from_file
from engine.deploy import deploy
from engine.features import load_features
from engine.migrate import upgrade
from engine.office.demo import ensure_units
from engine.passwords import FAST_SETTING
from engine.runtime import Runtime
from engine.schema import metadata
from engine.users import create_group, create_user

load_features()  # hooks, behaviours and jobs of every feature, as create_app and the CLI load them
HERE = Path(__file__).parent
ROOT = HERE.parent
PG_URL = os.environ.get("DOCKET_TEST_DATABASE_URL")
ADMIN = Actor("admin", frozenset({"admin"}))
GROUPS = ["admin", "designer", "supervisor", "delegate", "committee", "dept:hr", "dept:logistics", "presidium"]
USERS = {
    "admin": ["admin", "designer", "supervisor"], "wang": ["delegate"], "li": ["delegate"],
    "zhao": ["committee", "delegate"], "qian": ["committee"], "chen": ["dept:hr"], "liu": ["dept:logistics"],
    "sun": ["supervisor"], "zhou": ["designer"],
}


os.environ.setdefault(FAST_SETTING, "1")  # one PBKDF2 round instead of scrypt for the many test users


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy instead of running the migrations again."""
    path = tmp_path_factory.mktemp("template") / "docket.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> bool:
    if PG_URL:
        upgrade(PG_URL)
    return bool(PG_URL)


@pytest.fixture
def database_url(tmp_path: Path, pg_migrated: bool, request: pytest.FixtureRequest) -> Iterator[str]:
    if PG_URL:
        yield PG_URL
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            present = set(sa.inspect(conn).get_table_names())
            names = ", ".join(t.name for t in metadata.sorted_tables if t.name in present)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        target = tmp_path / "docket.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.unfreeze()
    clock.offset = clock.offset * 0


@pytest.fixture
def rt(database_url: str) -> Iterator[Runtime]:
    runtime = Runtime(database_url)
    yield runtime
    runtime.dispose()


@pytest.fixture
def people(rt: Runtime) -> dict[str, Actor]:
    """The test users (password 'pw-<name>') and their actors."""
    with rt.transaction() as session:
        for key in GROUPS:
            create_group(session, key, key)
        for name, groups in USERS.items():
            create_user(session, name, f"pw-{name}", name.title(), groups)
        ensure_units(session)  # the departments and committees the processes' forms offer
    return {name: Actor(name, frozenset(groups)) for name, groups in USERS.items()}


def deploy_file(rt: Runtime, path: Path | Bundle) -> Any:
    bundle = path if isinstance(path, Bundle) else bundle_from_file(path, ROOT / "processes" / "forms")
    with rt.transaction() as session:
        done = deploy(session, ADMIN, bundle)
        return done.definition


UNION_SERVICES = ("hardship_aid", "staff_suggestion", "resolution_supervision", "activity_signup")
UNION_GROUPS = ["union-office", "union-finance", "staff", "dept-union", "dept:academic", "dept:finance", "dept:it"]
UNION_USERS = {"guo": ["union-office", "staff"], "luo": ["union-finance", "staff"], "xu": ["dept-union", "staff"],
               "peng": ["dept:academic", "staff"]}
UNION_STAFF = ["wang", "li", "chen", "liu"]  # test users who are also staff


@pytest.fixture
def union(rt: Runtime, people: dict[str, Actor]) -> dict[str, Actor]:
    """The union's offices and people on top of the test users (sun also on the presidium); the four union
    services deployed."""
    from engine.models import Group, User

    with rt.transaction() as session:
        existing = set(session.scalars(sa.select(Group.key)))
        for key in UNION_GROUPS:
            if key not in existing:
                create_group(session, key, key)
        for name, groups in UNION_USERS.items():
            create_user(session, name, f"pw-{name}", name.title(), groups)
        staff = session.scalars(sa.select(Group).where(Group.key == "staff")).one()
        presidium = session.scalars(sa.select(Group).where(Group.key == "presidium")).one()
        for user in session.scalars(sa.select(User).where(User.username.in_(UNION_STAFF))):
            user.groups.append(staff)
        sun = session.scalars(sa.select(User).where(User.username == "sun")).one()  # held: the map keeps it weakly
        sun.groups.append(presidium)
    for name in UNION_SERVICES:
        deploy_file(rt, ROOT / "processes" / name / f"{name}.bpmn")
    return people


@pytest.fixture
def review_process(rt: Runtime, people: dict[str, Actor]) -> Any:
    """A small proposal-review process (tests/bpmn/review) that engine tests drive."""
    return deploy_file(rt, HERE / "bpmn" / "review" / "review.bpmn")


@pytest.fixture
def app(rt: Runtime, database_url: str, tmp_path: Path) -> Any:
    from webui import create_app

    settings = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path)
    return create_app(settings, runtime=rt, overrides={"TESTING": True})


@pytest.fixture
def form_app(rt: Runtime, database_url: str, tmp_path: Path) -> Any:
    """A fresh app (nothing rendered yet) with CSRF off, for tests that post its forms."""
    from webui import create_app

    settings = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path)
    return create_app(settings, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def web(form_app: Any) -> Any:
    """A browser-less client of ``form_app``; sign it in with :func:`sign_in`."""
    return form_app.test_client()


def sign_in(client: Any, user: str) -> Any:
    """``client``, signed in as the test user ``user`` through the sign-in form."""
    res = client.post("/login", data={"username": user, "password": f"pw-{user}"})
    assert res.status_code in (302, 303), res.get_data(as_text=True)[:500]
    return client


class Api:
    """A JSON client that signs in as a user and sends the bearer token."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def login(self, username: str) -> str:
        if username not in self.tokens:
            res = self.client.post("/api/v1/tokens", json={"username": username, "password": f"pw-{username}"})
            assert res.status_code == 201, res.get_json()
            self.tokens[username] = res.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None = "admin", **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.login(user)}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, user: str | None = "admin", **kw: Any) -> Any:
        return self.call("GET", path, user, **kw)

    def post(self, path: str, user: str | None = "admin", **kw: Any) -> Any:
        return self.call("POST", path, user, **kw)


@pytest.fixture
def api(app: Any, people: dict[str, Actor]) -> Api:
    return Api(app.test_client())


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    """The app served on 127.0.0.1 for browser tests; yields its base URL."""
    from browser_support import serve

    with serve(app) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright."""
    from browser_support import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Any) -> Any:
    """A fresh zh-CN page at 1280×860."""
    return browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN").new_page()


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A local SMTP server (aiosmtpd) the settings point to; ``.messages`` holds what it received."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[Message] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(msg)
            return "250 OK"

    with socket.socket() as probe:  # a free port (the controller checks itself on the port it is given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("DOCKET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DOCKET_SMTP_PORT", str(port))
    monkeypatch.setenv("DOCKET_SMTP_FROM", "docket@union.example.edu.cn")
    monkeypatch.setenv("DOCKET_BASE_URL", "https://docket.example.edu.cn")
    yield handler
    controller.stop()
