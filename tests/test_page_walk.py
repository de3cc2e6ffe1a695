"""Every page in the reader's language: each demo user (and nobody signed in) walks every page reachable from the
start page in Chinese and in English; a page fails on an internal key (``dept:hr``, ``reply_due``, a group key or
login name standing alone), an ISO timestamp or duration, an English sentence on a Chinese page or Chinese on an
English page.

What people and designers wrote is shown as written in both languages: names, titles, form entries, comments,
business keys and the BPMN's step names (``page_walk.data_texts``), and anything a template marks as not to be
translated (``translate="no"``: the raw process variables and usernames a designer or administrator looks at).
``ALLOWED`` lists what is still known to fail, each with its reason; it is meant to shrink to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from demo_site import Site, demo_site
from page_walk import Finding, known_words, walk

DEMO_USERS = ["admin", "wang", "li", "zheng", "feng", "zhao", "chen", "liu", "he", "sun", "zhou", "lu", "ding",
              "ma", "niu", "gao", "wu", "tang", "song", "han", "xu", "yang", "lin", "zhang", "qin", "guo", "luo",
              "cao", "peng"]

# (language, kind, path pattern, text pattern, why it is allowed)
ALLOWED: list[tuple[str, str, str, str, str]] = [
    # Inputs that take a key or an ISO 8601 duration show an example of one: the key is what is typed there.
    ("zh_CN", "group key", r"^/admin/units", r"^dept:finance$", "placeholder of the unit's group key input"),
    ("zh_CN", "internal name", r"^/admin/units", r"^dept:finance$", "placeholder of the unit's group key input"),
    ("en", "group key", r"^/admin/units", r"^dept:finance$", "placeholder of the unit's group key input"),
    ("zh_CN", "group key", r"^/admin/history", r"^unit:hr$", "placeholder of the history's target filter"),
    ("en", "group key", r"^/admin/history", r"^unit:hr$", "placeholder of the history's target filter"),
    ("zh_CN", "data key", r"^/designer/modeler", r"^leave_request$", "placeholder of the new process's key"),
    ("en", "data key", r"^/designer/modeler", r"^leave_request$", "placeholder of the new process's key"),
    ("zh_CN", "ISO duration", r"^/admin/congresses", r"ISO 8601", "congress settings typed as ISO 8601 durations"),
    ("en", "ISO duration", r"^/admin/congresses", r"ISO 8601", "congress settings typed as ISO 8601 durations"),
    # The import file's column headings are Chinese words the file must contain.
    ("en", "Chinese on an en page", r"/import$", r"用户名, 姓名, 邮箱", "the import file's headings"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(tmp_path_factory.mktemp("page-walk")) as built:
        yield built


@pytest.fixture(scope="module")
def known(site: Site) -> tuple[set[str], re.Pattern[str]]:
    """Login names and group keys (never shown alone), and the data shown as written."""
    with site.rt.db.connect() as conn:
        return known_words(conn)


def _allowed(finding: Finding) -> bool:
    return any(lang == finding.lang and kind == finding.kind and re.search(path, finding.path)
               and re.search(text, finding.text) for lang, kind, path, text, _why in ALLOWED)


def _report(findings: list[Finding]) -> str:
    seen: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.lang, f.kind, f.text), f)
    return f"{len(findings)} problems, {len(seen)} distinct:\n" + "\n".join(str(f) for f in list(seen.values())[:400])


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_page_of_every_demo_user_is_in_the_readers_language(site: Site, known: Any, lang: str) -> None:
    keys, data = known
    findings: list[Finding] = []
    pages = 0
    for user in [None, *DEMO_USERS]:
        found, seen = walk(site.app, user, lang, keys, data)
        findings += [f for f in found if not _allowed(f)]
        pages += seen
    assert pages > 500, f"the walk saw only {pages} pages; are the links still followed?"
    assert not findings, _report(findings)


def test_the_walk_finds_what_it_is_meant_to_find(site: Site, known: Any) -> None:
    """The checks themselves: each kind of problem on a page is found, data and marked text are not."""
    from page_walk import problems, visible_text

    keys, data = known
    page = ("<p>承办组: committee</p><p>dept:hr</p><p>reply_due</p><p>2026-12-02T11:27:16+00:00</p><p>PT1855216S</p>"
            "<p>请修改。 the proposal has errors</p><p translate='no'>co_due</p><script>var a_b = 1;</script>"
            "<p>王老师（代表） (wang)</p>")
    kinds = {kind for kind, _text in problems(visible_text(page, "zh_CN"), "zh_CN", keys, data)}
    assert kinds == {"internal name", "group key", "data key", "ISO timestamp", "ISO duration",
                     "English on a zh page"}
    en = "<p>Handled by 王老师（代表）</p><p>请选择</p><a lang='zh'>中文</a>"
    assert [t for _k, t in problems(visible_text(en, "en"), "en", keys, data)] == ["请选择"]


def _open_task(site: Site, name: str, group: str) -> str:
    return site.some(f"SELECT id FROM task WHERE name = '{name}' AND state IN ('open', 'claimed') "
                     f"AND CAST(candidate_groups AS TEXT) LIKE '%\"{group}\"%' ORDER BY id")


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("zh_CN", "附议截至", "co-signing is open"), ("en", "Co-signing is open until", "附议截至")])
def test_a_refused_step_is_worded_from_the_catalog(site: Site, lang: str, expected: str, absent: str) -> None:
    """Closing co-signing early is refused by a proposal rule: the person reads why in their language, with
    the cutoff in local time and the counts, never the engine's English message."""
    client = site.browser("zhao")
    client.get(f"/inbox?lang={lang}")
    task = _open_task(site, "collect_cosignatures", "committee")
    res = client.post(f"/tasks/{task}", data={})
    page = res.get_data(as_text=True)
    assert res.status_code in (409, 422), res.status_code
    assert expected in page and absent not in page
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:|UTC", page)


def test_a_draft_with_errors_is_worded_in_chinese(site: Site) -> None:
    client = site.browser("wang")
    client.get("/proposals/?lang=zh_CN")
    res = client.post("/proposals/new", data={"congress": "school", "title": "短", "action": "save"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422
    assert "提案有需要修改的地方。" in page and "the proposal has errors" not in page
    assert "请先登录后查看此页面。" in site.app.test_client().get("/", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [
    ("zh_CN", ["3 个工作日", "15 天", "21 天 11 小时", "2 个月", "2026-12-02 19:27"]),
    ("en", ["3 working days", "15 days", "21 days 11 hours", "2 months", "2026-12-02 19:27"])])
def test_durations_in_words_and_times_in_the_instance_time_zone(site: Site, lang: str, words: list[str]) -> None:
    from webui.filters import duration_words, readable

    with site.app.test_request_context(f"/?lang={lang}"):
        shown = [duration_words("P3D", True), duration_words("P15D"), readable("PT1855216S"), readable("P2M"),
                 readable("2026-12-02T11:27:16.389568+00:00")]
    assert shown == words
