"""Settings from the environment, each with a default. ``docs``: the README lists them all."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite:///{Path(os.environ.get('DOCKET_HOME', 'instance')).resolve() / 'docket.sqlite'}"


@dataclass
class Settings:
    """Docket's settings. Every field reads an environment variable of the same name in capitals."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or _default_database_url())
    secret_key: str | None = field(default_factory=lambda: os.environ.get("DOCKET_SECRET_KEY"))
    processes_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("DOCKET_PROCESSES_DIR", PROJECT_ROOT / "processes"))
    )
    home: Path = field(default_factory=lambda: Path(os.environ.get("DOCKET_HOME", "instance")).resolve())
    default_locale: str = field(default_factory=lambda: os.environ.get("DOCKET_LOCALE", "zh_CN"))
