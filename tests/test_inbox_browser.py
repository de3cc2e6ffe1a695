"""In Debian's chromium (Playwright): inbox sorting and filtering, a saved filter shared with a colleague, a bulk
claim, a delegation, a comment with an attachment, and the inbox in zh, en and on a phone. Screenshots go to
``$DOCKET_TEST_OUTPUT/inbox``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import needs_chromium, shots, sign_in
from test_inbox_api import make_task, review_tasks

from engine.clock import clock, utcnow
from engine.instances import start_case

pytestmark = needs_chromium


@pytest.fixture
def server(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DOCKET_UPLOADS_DIR", str(tmp_path / "uploads"))
    return server


shot = shots("inbox")


def task_titles(page: Any) -> list[str]:
    return page.locator("#inbox-list a.task-link").all_inner_texts()


@pytest.fixture
def spread(rt: Any, review_process: Any) -> None:
    clock.freeze(datetime.fromisoformat("2026-11-25T02:00:00+00:00"))  # Wednesday 10:00 in Beijing
    now = utcnow()
    make_task(rt, review_process, "审查：食堂价格", ["committee"], now - timedelta(days=3), now - timedelta(days=9),
              case_title="关于平抑食堂价格的建议")
    make_task(rt, review_process, "审查：班车线路", ["committee"], now + timedelta(hours=3), now - timedelta(days=1),
              case_title="关于增开教职工班车的建议")
    make_task(rt, review_process, "审查：体检项目", ["committee"], now + timedelta(days=12), now - timedelta(days=5),
              case_title="关于增加体检项目的建议")
    make_task(rt, review_process, "审查：图书馆", ["committee"], None, now - timedelta(days=20),
              case_title="关于延长图书馆开放时间的建议")


def test_inbox_sorting_and_filtering(server: str, browser: Any, spread: None) -> None:
    page = sign_in(browser, server, "qian")
    assert task_titles(page) == ["审查：食堂价格", "审查：班车线路", "审查：体检项目", "审查：图书馆"]
    assert page.locator("#inbox-list tbody tr").first.get_attribute("class") == "row-overdue"
    shot(page, "01-inbox-by-due")
    page.select_option("select[name=sort]", "created")
    page.click("#inbox-filters button[type=submit]")
    page.wait_for_url("**sort=created**")
    assert task_titles(page) == ["审查：图书馆", "审查：食堂价格", "审查：体检项目", "审查：班车线路"]
    shot(page, "02-inbox-by-created")
    page.click("a[data-tab=overdue]")
    page.wait_for_url("**view=overdue**")
    assert task_titles(page) == ["审查：食堂价格"]
    shot(page, "03-inbox-overdue-view")
    page.click("a[data-tab=today]")
    page.wait_for_url("**view=today**")
    assert task_titles(page) == ["审查：班车线路"]
    page.goto(f"{server}/inbox")
    page.keyboard.press("/")  # the search box takes the focus
    page.keyboard.type("体检")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=**")
    assert task_titles(page) == ["审查：体检项目"]
    shot(page, "04-inbox-search")


def test_saved_filter_shared_with_a_colleague(server: str, browser: Any, spread: None) -> None:
    zhao = sign_in(browser, server, "zhao")
    zhao.click("a[data-tab=overdue]")
    zhao.wait_for_url("**view=overdue**")
    zhao.click(".save-filter summary")
    zhao.fill(".save-filter-form input[name=name]", "委员会逾期件")
    zhao.select_option(".save-filter-form select[name=shared_group]", "committee")
    shot(zhao, "05-save-shared-filter")
    zhao.click(".save-filter-form button[type=submit]")
    zhao.wait_for_url("**filter=**")
    assert zhao.locator(".chip-active a").inner_text() == "委员会逾期件"

    qian = sign_in(browser, server, "qian")
    chip = qian.locator(".chip", has_text="委员会逾期件")
    assert chip.count() == 1 and "zhao" in chip.inner_text()
    assert chip.locator("button.chip-x").count() == 0  # a colleague cannot delete it
    chip.locator("a").click()
    qian.wait_for_url("**filter=**")
    assert task_titles(qian) == ["审查：食堂价格"]
    shot(qian, "06-colleague-uses-shared-filter")


def test_bulk_claim(server: str, browser: Any, rt: Any, people: dict, review_process: Any) -> None:
    review_tasks(rt, people, 3)
    page = sign_in(browser, server, "zhao")
    assert len(task_titles(page)) == 3
    page.locator("#inbox-list a.task-link").first.focus()
    page.keyboard.press("x")  # the keyboard selects the focused row
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("#inbox-list input[name=task]:checked").count() == 2
    shot(page, "07-bulk-selected")
    page.click("#bulk-form button[value=claim]")
    page.wait_for_selector(".flash")
    assert page.locator(".flash-success").count() == 1
    assert page.locator("a[data-tab=mine] .count").inner_text() == "2"
    shot(page, "08-bulk-claimed")


def test_delegate(server: str, browser: Any, rt: Any, people: dict, review_process: Any) -> None:
    (task_id,) = review_tasks(rt, people, 1)
    zhao = sign_in(browser, server, "zhao")
    zhao.goto(f"{server}/tasks/{task_id}")
    options = zhao.locator("#delegate-user option").all_inner_texts()
    assert [o for o in options if "(" in o] == ["Qian (qian)"]  # only the committee, not oneself
    zhao.select_option("#delegate-user", "qian")
    shot(zhao, "09-delegate-picker")
    zhao.click(".delegate-form button[type=submit]")
    zhao.wait_for_url(f"{server}/inbox**")
    qian = sign_in(browser, server, "qian")
    qian.click("a[data-tab=mine]")
    qian.wait_for_url("**scope=mine**")
    assert len(task_titles(qian)) == 1
    assert qian.locator("#inbox-list .assignee").inner_text() == "Qian"  # the name, not the login name
    shot(qian, "10-delegated-to-qian")


def test_comment_with_attachment(server: str, browser: Any, rt: Any, people: dict, review_process: Any,
                                 tmp_path: Path) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "关于平抑食堂价格的建议"})
    evidence = tmp_path / "食堂价格调查.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    wang = sign_in(browser, server, "wang")
    wang.goto(f"{server}/cases/{case.id}")
    wang.fill(".comment-form textarea[name=body]", "调查结果见附件，请 @sun 督办。")
    wang.set_input_files(".comment-form input[type=file]", str(evidence))
    shot(wang, "11-comment-form")
    wang.locator(".comment-form textarea[name=body]").press("Control+Enter")
    wang.wait_for_url(f"{server}/cases/{case.id}#comments")
    comment = wang.locator(".comment").first
    assert "调查结果见附件" in comment.inner_text()
    assert comment.locator("a.file-link").inner_text() == "食堂价格调查.pdf"
    shot(wang, "12-comment-posted")
    with wang.expect_download() as download:
        comment.locator("a.file-link").click()
    assert Path(download.value.path()).read_bytes() == evidence.read_bytes()
    sun = sign_in(browser, server, "sun")
    assert sun.locator(".bell-count").inner_text() != ""
    sun.goto(f"{server}/notifications")
    assert "Wang 在评论中提到了您" in sun.locator("body").inner_text()
    shot(sun, "13-mention-notification")


def test_inbox_in_chinese_english_and_on_a_phone(server: str, browser: Any, spread: None) -> None:
    page = sign_in(browser, server, "qian")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "待办"
    shot(page, "14-inbox-zh")
    page.goto(f"{server}/inbox?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Inbox"
    assert "How late" in page.locator("#inbox-list thead").inner_text()
    shot(page, "15-inbox-en")
    phone = sign_in(browser, server, "qian", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    assert phone.locator("#inbox-list thead").is_hidden()  # the table became cards
    first = phone.locator("#inbox-list tbody tr").first.bounding_box()
    assert first["width"] <= 390
    assert phone.locator("#inbox-list a.task-link").first.is_visible()  # the task title is on each card
    shot(phone, "16-inbox-phone")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_administrators_menu_stays_on_one_line_at_1280(server: str, browser: Any, people: dict,
                                                           lang: str) -> None:
    """The longest menu (an administrator's, with every feature page) and the tools beside it fit one bar."""
    page = sign_in(browser, server, "admin")
    page.goto(f"{server}/inbox?lang={lang}")
    bar, first, last = (page.locator(s).bounding_box() for s in (
        "header.topbar", ".mainnav a >> nth=0", ".tools form"))
    assert bar and first and last
    assert bar["height"] <= 64 and abs(first["y"] - last["y"]) < 12, (lang, bar, first, last)
    shot(page, f"menu-admin-{lang}")
