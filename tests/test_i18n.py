"""The zh_CN catalog: complete for the current sources, compiled, and used by the pages."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LC_MESSAGES = ROOT / "webui" / "translations" / "zh_CN" / "LC_MESSAGES"
PO = LC_MESSAGES / "messages.po"
MO = LC_MESSAGES / "messages.mo"
EXTRACT = ".venv/bin/pybabel extract -F babel.cfg -k _l -o /tmp/messages.pot ."
UPDATE = ".venv/bin/pybabel update -i /tmp/messages.pot -d webui/translations -l zh_CN"
COMPILE = ".venv/bin/pybabel compile -d webui/translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale="zh_CN")


def _label(message: Message) -> str:
    return f"{message.context}|{message.id}" if message.context else str(message.id)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The message ids in the sources now, extracted exactly as the README says."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
         "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return _read(pot)


def test_every_source_string_is_translated(extracted: Catalog) -> None:
    catalog = _read(PO)
    ids = [m for m in extracted if m.id]
    assert len(ids) > 50, "extraction found suspiciously few strings; check babel.cfg"
    missing, untranslated, fuzzy, broken = [], [], [], []
    for message in ids:
        entry = catalog.get(message.id, message.context)
        if entry is None:
            missing.append(_label(message))
        elif not entry.string:
            untranslated.append(_label(message))
        elif entry.fuzzy:
            fuzzy.append(_label(message))
        elif sorted(PLACEHOLDER.findall(entry.id)) != sorted(PLACEHOLDER.findall(entry.string)):
            broken.append(_label(message))
    how = f"run `{EXTRACT}` and `{UPDATE}`, translate, then `{COMPILE}`"
    assert not missing, f"not in messages.po ({how}): {missing}"
    assert not untranslated, f"empty msgstr in messages.po ({how}): {untranslated}"
    assert not fuzzy, f"fuzzy entries in messages.po (check, drop the flag, then `{COMPILE}`): {fuzzy}"
    assert not broken, f"%(name)s placeholders differ between msgid and msgstr: {broken}"


def test_mo_is_compiled_from_current_po() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _read(PO))
    assert MO.exists(), f"messages.mo is missing; run `{COMPILE}`"
    assert MO.read_bytes() == compiled.getvalue(), (
        f"messages.mo is out of date with messages.po; run `{COMPILE}`")


@pytest.fixture
def default_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the built-in default locale, whatever DOCKET_LOCALE the shell has (requested before ``app``)."""
    monkeypatch.delenv("DOCKET_LOCALE", raising=False)


def test_login_page_in_chinese_and_english(default_locale: None, app: Any) -> None:
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    zh = app.test_client().get("/login")
    assert zh.status_code == 200
    page = zh.get_data(as_text=True)
    # Babel resolves zh_CN to zh_Hans_CN; the catalog is found through the zh_Hans_CN -> zh_CN symlink
    assert "<title>登录 · Docket</title>" in page, "zh_CN catalog not loaded (webui/translations/zh_Hans_CN?)"
    assert "<h1>登录</h1>" in page
    assert "Sign in" not in page

    client = app.test_client()
    en = client.get("/login?lang=en")
    assert en.status_code == 200
    page = en.get_data(as_text=True)
    assert "<title>Sign in · Docket</title>" in page
    assert "<h1>Sign in</h1>" in page
    assert "登录" not in page
    # the choice sticks for the session
    assert "<h1>Sign in</h1>" in client.get("/login").get_data(as_text=True)
