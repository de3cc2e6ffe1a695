"""The container files stay honest: compose services run real `docket` commands, the image runs as non-root.

There is no Docker engine on the build machines; CI runs the same commands by hand (see .ci/run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from engine.config import load_config_file

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_database_migration_web_and_scheduler() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "migrate", "web", "scheduler"}
    assert services["migrate"]["command"] == ["docket", "init"]
    assert services["scheduler"]["command"] == ["docket", "scheduler"]
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "${" in env["DOCKET_SECRET_KEY"], "secrets come from the environment, never the file"
    assert any(v.endswith(":/var/lib/docket") for v in services["web"]["volumes"])


def test_compose_commands_exist() -> None:
    for service in _compose()["services"].values():
        command = service.get("command")
        if command and command[0] == "docket":
            done = subprocess.run([sys.executable, "-m", "engine.cli", *command[1:], "--help"], cwd=ROOT,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr


def test_dockerfile_runs_gunicorn_as_non_root() -> None:
    text = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "USER docket" in text and "useradd" in text
    assert '"gunicorn"' in text and "webui.wsgi:app" in text
    for folder in ("engine", "webui", "migrations", "processes"):
        assert f"COPY {folder} " in text


def test_config_file_fills_unset_settings(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    conf = tmp_path / "docket.env"
    conf.write_text("# settings\nDOCKET_WORKERS=5\nDOCKET_LOCALE = 'en'\n", encoding="utf-8")
    monkeypatch.setenv("DOCKET_LOCALE", "zh_CN")
    monkeypatch.delenv("DOCKET_WORKERS", raising=False)
    assert load_config_file(str(conf)) == {"DOCKET_WORKERS": "5", "DOCKET_LOCALE": "en"}
    assert os.environ["DOCKET_WORKERS"] == "5" and os.environ["DOCKET_LOCALE"] == "zh_CN"
    monkeypatch.delenv("DOCKET_WORKERS")
    bad = tmp_path / "bad.env"
    bad.write_text("JUSTTEXT\n", encoding="utf-8")
    try:
        load_config_file(str(bad))
    except ValueError as exc:
        assert "bad.env:1" in str(exc)
    else:
        raise AssertionError("a line without '=' must be refused")
