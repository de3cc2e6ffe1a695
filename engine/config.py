"""Settings from the environment, each with a default; README.md lists them all.

An optional file named by ``DOCKET_CONFIG`` holds ``NAME=value`` lines (``#`` comments allowed); values
already in the environment win over the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_config_file(path: str | None = None) -> dict[str, str]:
    """Read ``NAME=value`` lines into the environment (without overriding it); returns what was read."""
    path = path or os.environ.get("DOCKET_CONFIG")
    if not path:
        return {}
    values: dict[str, str] = {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"{path}:{number}: expected NAME=value, got {line!r}")
        name, value = (part.strip() for part in line.split("=", 1))
        values[name] = value.strip('"').strip("'")
    for name, value in values.items():
        os.environ.setdefault(name, value)
    return values


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def _default_database_url() -> str:
    return f"sqlite:///{Path(_env('DOCKET_HOME', 'instance')).resolve() / 'docket.sqlite'}"


@dataclass
class Settings:
    """Docket's settings (see the README's table for each variable)."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or _default_database_url())
    secret_key: str | None = field(default_factory=lambda: os.environ.get("DOCKET_SECRET_KEY"))
    processes_dir: Path = field(
        default_factory=lambda: Path(_env("DOCKET_PROCESSES_DIR", str(PROJECT_ROOT / "processes")))
    )
    home: Path = field(default_factory=lambda: Path(_env("DOCKET_HOME", "instance")).resolve())
    default_locale: str = field(default_factory=lambda: _env("DOCKET_LOCALE", "zh_CN"))
    bind: str = field(default_factory=lambda: _env("DOCKET_BIND", "127.0.0.1:8000"))
    workers: int = field(default_factory=lambda: int(_env("DOCKET_WORKERS", "2")))
    scheduler_every: int = field(default_factory=lambda: int(_env("DOCKET_SCHEDULER_EVERY", "30")))
    cookie_secure: bool = field(default_factory=lambda: _flag("DOCKET_COOKIE_SECURE", False))
    proxy_count: int = field(default_factory=lambda: int(_env("DOCKET_PROXY_COUNT", "0")))


load_config_file()
