"""Backup and restore: SQLite through its online backup API, PostgreSQL through pg_dump / psql."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa


def _sqlite_path(url: str) -> str:
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up")
    return path


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = sa.engine.make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    env = {"PGPASSWORD": u.password} if u.password else {}
    return args + ["-d", u.database or "postgres"], env


def _sqlite_copy(source: str, target: str) -> None:
    """Copy one SQLite database over another with the online backup API (consistent while in use)."""
    src, dest = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dest:
            src.backup(dest)
    finally:
        dest.close()
        src.close()


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to ``target`` (a SQLite file, or a SQL dump for PostgreSQL)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        _sqlite_copy(_sqlite_path(database_url), str(target))
        return target
    if shutil.which("pg_dump") is None:
        raise RuntimeError("pg_dump is not installed")
    args, env = _pg_args(database_url)
    with target.open("wb") as out:
        subprocess.run(["pg_dump", "--no-owner", "--clean", "--if-exists", *args], stdout=out, check=True,
                       env={**os.environ, **env})
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with a backup made by :func:`backup`."""
    if not source.exists():
        raise FileNotFoundError(source)
    if database_url.startswith("sqlite"):
        _sqlite_copy(str(source), _sqlite_path(database_url))
        return
    args, env = _pg_args(database_url)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", *args, "-f", str(source)], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, **env})
