"""Database engine and session factory: SQLite (WAL) by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_table_hint(_compiler: Any, _table: Any, text: str) -> str:
    """SQLite's table hints (``INDEXED BY …``, see ``models.over_open_tasks``) go into the FROM clause as written;
    SQLAlchemy's SQLite compiler drops them otherwise."""
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_table_hint  # type: ignore[assignment,method-assign]


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_session_factory(engine: sa.Engine) -> so.sessionmaker[so.Session]:
    """Sessions that keep loaded objects usable after commit."""
    return so.sessionmaker(engine, expire_on_commit=False)


_command_session: ContextVar[so.Session | None] = ContextVar("command_session", default=None)


@contextmanager
def command_session(session: so.Session) -> Iterator[so.Session]:
    """Make ``session`` the current command's session for the duration (``Runtime.transaction`` does this)."""
    token = _command_session.set(session)
    try:
        yield session
    finally:
        _command_session.reset(token)


def current_session() -> so.Session:
    """The session of the command whose transaction is running: sandbox helpers that read the database (called
    from a script, condition or timer expression while a command moves a workflow) use it.

    :raises RuntimeError: no command's transaction is running.
    """
    session = _command_session.get()
    if session is None:
        raise RuntimeError("this helper reads the database and runs only while a command moves a case")
    return session
