"""Refusals of disputes, clocks, out-of-office and 催办 are worded from the catalog on pages: the person reads
the sentence with its values (names, task titles, local times) in their language, never the engine's English
message; the API keeps the engine's English ``message`` in its documented shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from demo_site import Site, demo_site
from page_walk import known_words, problems, visible_text

LANGS = ["zh_CN", "en"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(tmp_path_factory.mktemp("error-wording")) as built:
        yield built


@pytest.fixture(scope="module")
def known(site: Site) -> tuple[set[str], re.Pattern[str]]:
    with site.rt.db.connect() as conn:
        return known_words(conn)


def _in_language(page: str, lang: str, known: Any) -> list[tuple[str, str]]:
    keys, data = known
    return problems(visible_text(page, lang), lang, keys, data)


def _name(site: Site, username: str) -> str:
    return str(site.some(f"SELECT display_name FROM user_account WHERE username = '{username}'"))


@pytest.mark.parametrize("lang", LANGS)
def test_a_party_named_for_recusal_is_refused_by_name(site: Site, known: Any, lang: str) -> None:
    case_id = site.some("SELECT id FROM process_instance WHERE process_key = 'mediation' "
                        "AND status = 'running' AND started_by IS NOT NULL ORDER BY id")
    starter = site.some(f"SELECT started_by FROM process_instance WHERE id = {case_id}")
    client = site.browser(starter)
    client.get(f"/inbox?lang={lang}")
    res = client.post(f"/disputes/cases/{case_id}/recusals", data={"target": starter, "reason": "回避"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422
    expected = {"zh_CN": f"{_name(site, starter)} 是案件当事人，不是承办人。",
                "en": f"{_name(site, starter)} is a party to the case, not a handler."}[lang]
    assert expected in page
    assert "a party to the case, not a handler" not in page or lang == "en"
    assert not _in_language(page, lang, known)


@pytest.mark.parametrize("lang", LANGS)
def test_resuming_a_running_clock_names_the_task(site: Site, known: Any, lang: str) -> None:
    task_id = site.some("SELECT id FROM task WHERE state = 'open' AND due_at IS NOT NULL ORDER BY id")
    title = site.some(f"SELECT title FROM task WHERE id = '{task_id}'")
    client = site.browser("admin")
    client.get(f"/inbox?lang={lang}")
    res = client.post(f"/supervision/tasks/{task_id}/resume", follow_redirects=True)
    page = res.get_data(as_text=True)
    expected = {"zh_CN": f"任务“{title}”的计时未暂停。", "en": f"The clock of {title} is not paused."}[lang]
    assert expected in page
    assert "is not paused" not in page or lang == "en"
    assert not _in_language(page, lang, known)


@pytest.mark.parametrize("lang", LANGS)
def test_an_out_of_office_deputy_who_does_not_exist_is_named(site: Site, known: Any, lang: str) -> None:
    client = site.browser("wang")
    client.get(f"/inbox?lang={lang}")
    res = client.post("/supervision/away", data={"deputy": "nobody", "starts_on": "2099-01-05",
                                                 "ends_on": "2099-01-09"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422
    expected = {"zh_CN": "用户 nobody 不存在。", "en": "nobody is not a known user."}[lang]
    assert expected in page
    assert "does not exist" not in page and "unknown user" not in page
    if lang == "zh_CN":
        assert not [p for p in _in_language(page, lang, known) if p[0] == "English on a zh page"]


@pytest.mark.parametrize("lang", LANGS)
def test_urging_twice_in_a_day_says_when_in_local_time(site: Site, known: Any, lang: str) -> None:
    task_id = site.some("SELECT id FROM task WHERE state = 'open' ORDER BY id DESC")
    title = site.some(f"SELECT title FROM task WHERE id = '{task_id}'")
    client = site.browser("admin")
    client.get(f"/inbox?lang={lang}")
    client.post(f"/tasks/{task_id}/urge", data={"message": ""})
    res = client.post(f"/tasks/{task_id}/urge", data={"message": ""}, follow_redirects=True)
    page = res.get_data(as_text=True)
    pattern = {"zh_CN": rf"您已于 \d{{4}}-\d\d-\d\d \d\d:\d\d 催办过“{re.escape(title)}”，每天一次即可。",
               "en": rf"You urged {re.escape(title)} at \d{{4}}-\d\d-\d\d \d\d:\d\d; once a day is enough\."}[lang]
    assert re.search(pattern, page), page[:3000]
    assert not _in_language(page, lang, known)
    api = site.app.test_client().post(f"/api/v1/tasks/{task_id}/urge", json={}, headers=site.headers("admin"))
    body = api.get_json()
    assert api.status_code == 429 and body["error"]["code"] == "too_many_requests"
    assert "once a day is enough" in body["error"]["message"]


def test_every_reason_the_engine_gives_has_a_sentence_in_both_languages() -> None:
    """A reason without a catalog sentence would be read only by its kind; every sentence has its Chinese."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    from webui.catalog import CATALOG

    root = Path(__file__).resolve().parent.parent
    given = {m for path in (root / "engine").rglob("*.py")
             for m in re.findall(r'reason="([a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert len(given) > 100
    assert sorted(given - set(CATALOG)) == []
    with open(root / "webui/translations/zh_CN/LC_MESSAGES/messages.po", "rb") as f:
        po = read_po(f, locale="zh_CN")
    untranslated = [key for key, sentence in CATALOG.items()
                    if not (po.get(sentence._args[0]) and po.get(sentence._args[0]).string)]
    assert untranslated == []
