"""Response hardening through HTTP: security headers, session cookie flags (``DOCKET_COOKIE_SECURE``), the one
safe-redirect helper behind every ``next``, upload names without bidi or format characters, one charset."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.config import Settings
from engine.instances import start_case
from engine.runtime import Runtime


def make_web(rt: Runtime, database_url: str, tmp_path: Path, **settings: Any) -> Any:
    from webui import create_app

    config = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path, **settings)
    return create_app(config, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Path, people: dict, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DOCKET_UPLOADS_DIR", str(tmp_path / "uploads"))
    return make_web(rt, database_url, tmp_path)


def signed_in(web: Any, user: str) -> Any:
    client = web.test_client()
    assert client.post("/login", data={"username": user, "password": f"pw-{user}"}).status_code == 302
    return client


def test_headers_on_pages_api_errors_and_static_files(web: Any) -> None:
    client = signed_in(web, "admin")
    for path in ("/login", "/inbox", "/no-such-page", "/api/v1/tasks", "/api/v1/openapi.json",
                 "/static/docket.css", "/healthz"):
        res = client.get(path)
        csp = res.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert res.headers["X-Frame-Options"] == "DENY"
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        assert res.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags_follow_the_setting(rt: Runtime, database_url: str, tmp_path: Path,
                                                 people: dict) -> None:
    plain = make_web(rt, database_url, tmp_path).test_client()
    cookie = plain.post("/login", data={"username": "wang", "password": "pw-wang"}).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = make_web(rt, database_url, tmp_path, cookie_secure=True).test_client()
    cookie = secure.post("/login", data={"username": "wang", "password": "pw-wang"},
                         base_url="https://docket.example").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_entry_point_marks_the_cookie_secure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DOCKET_COOKIE_SECURE"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}", DOCKET_SECRET_KEY="test-secret",
               DOCKET_HOME=str(tmp_path))
    probe = "from webui.wsgi import app; print(app.config['SESSION_COOKIE_SECURE'])"
    for extra, expected in (({}, "True"), ({"DOCKET_COOKIE_SECURE": "0"}, "False")):
        out = subprocess.run([sys.executable, "-c", probe], env={**env, **extra}, capture_output=True, text=True,
                             check=True, cwd=Path(__file__).parent.parent)
        assert out.stdout.strip() == expected, out.stderr


OTHER_SITES = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil", "javascript:alert(1)",
               "/inbox\r\nSet-Cookie: x=1", " /inbox", "inbox", "http:/evil.example", "/\t/evil.example"]


def test_every_next_refuses_other_sites(web: Any, api: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {})
    task_id = api.get(f"/api/v1/cases/{case.id}").get_json()["open_tasks"][0]["id"]
    client = signed_in(web, "wang")
    for target in OTHER_SITES:
        for path in (f"/tasks/{task_id}/claim", "/notifications/read"):
            res = client.post(path, data={"next": target})
            location = res.headers.get("Location", "")
            assert res.status_code == 302 and location in (f"/tasks/{task_id}", "/notifications/"), (target, location)
        res = web.test_client().post("/login", query_string={"next": target},
                                     data={"username": "li", "password": "pw-li"})
        assert res.status_code == 302 and res.headers["Location"] == "/inbox", (target, res.headers["Location"])
    fresh = web.test_client()
    res = fresh.post("/login?next=/cases/?q=x", data={"username": "li", "password": "pw-li"})
    assert res.headers["Location"] == "/cases/?q=x"  # a path on this site is kept


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_upload_names_lose_bidi_and_format_characters_and_downloads_have_one_charset(
        web: Any, api: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {})
    names = {"\u202egnp.txt": "gnp.txt", "\u2066报告\u2069\u200b.pdf": "报告.pdf", "\ufeff说明.txt": "说明.txt"}
    for raw, clean in names.items():
        data = PDF if clean.endswith(".pdf") else "正文".encode()
        token = api.login("wang")
        res = web.test_client().post(f"/api/v1/cases/{case.id}/attachments",
                                     data={"file": (io.BytesIO(data), raw)},
                                     headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["filename"] == clean
        download = web.test_client().get(res.get_json()["url"], headers={"Authorization": f"Bearer {token}"})
        assert download.status_code == 200
        assert download.headers["Content-Type"].lower().count("charset") <= 1
        if clean.endswith(".txt"):
            assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    page = signed_in(web, "admin").get("/supervision/export?format=csv")
    assert page.headers["Content-Type"].lower().count("charset") == 1
