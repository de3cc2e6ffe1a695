"""In Debian's chromium: a delegate submits a proposal, another co-signs it, and after registration any
staff member finds it in the archive."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import needs_chromium, shots, sign_in
from test_proposals_helpers import BODY, congress, do, row, to_review

from engine.runtime import Runtime

pytestmark = needs_chromium
__all__ = ["congress"]


@pytest.fixture
def server(server: str, congress: dict[str, Any]) -> str:
    return server


def signed_in(browser: Any, server: str, user: str, mobile: bool = False) -> Any:
    size = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 860}
    return sign_in(browser, server, user, viewport=size)


shot = shots("proposals")


def test_submit_cosign_register_and_find_in_archive(server: str, browser: Any, rt: Runtime,
                                                     congress: dict[str, Any]) -> None:
    wang = signed_in(browser, server, "wang")
    wang.goto(f"{server}/proposals/")
    shot(wang, "01-my-proposals-empty")
    wang.click("#new-proposal")
    wang.click("#publish")  # empty form: errors named per field, nothing saved
    assert wang.locator(".field-error").count() >= 3
    shot(wang, "02-draft-errors")
    wang.fill("input[name=title]", BODY["title"])
    wang.select_option("select[name=category]", "welfare")
    for name in ("cause", "analysis", "suggestion", "argument"):
        wang.fill(f"textarea[name={name}]", BODY[name])
    wang.click("#publish")
    wang.wait_for_selector("#cosign")
    assert wang.locator(".cosign-count strong").inner_text() == "0"
    shot(wang, "03-published")
    pid = int(wang.url.rstrip("/").split("/")[-1])

    for name in ("li", "zheng", "wu"):
        page = signed_in(browser, server, name, mobile=name == "wu")
        page.goto(f"{server}/proposals/")
        page.locator("#seconding a.proposal-link", has_text=BODY["title"]).click()
        page.click("#cosign-button")
        page.wait_for_selector("#unsign")
        if name == "li":
            shot(page, "04-cosigned")
        if name == "wu":
            shot(page, "05-cosigned-mobile")
        page.context.close()
    assert row(rt, pid).status == "seconding"

    a = congress["actors"]
    case_id = row(rt, pid).case_id
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    assert row(rt, pid).outcome == "registered"

    chen = signed_in(browser, server, "chen")  # a department handler, not a delegate
    chen.goto(f"{server}/archive/")
    chen.fill("#archive-q", "窗口")
    chen.keyboard.press("Enter")
    chen.wait_for_url("**/archive/?q=*")
    result = chen.locator(".archive-item h2 a", has_text=BODY["title"])
    assert result.count() == 1
    shot(chen, "06-archive-search")
    result.click()
    assert BODY["suggestion"] in chen.locator(".proposal-body").inner_text()
    shot(chen, "07-archive-detail")

    zhao = signed_in(browser, server, "zhao")
    zhao.goto(f"{server}/proposals/statistics")
    zhao.wait_for_selector("#chart-outcomes svg")
    shot(zhao, "08-statistics")


def test_print_view_prints_the_sheet_alone(server: str, browser: Any, rt: Runtime,
                                           congress: dict[str, Any]) -> None:
    """The proposal page has one print action, to the proposal form, whose print button shows (its script runs
    under the CSP); printed, the page keeps the proposal and drops the navigation and buttons."""
    from test_proposals_helpers import submit

    pid, _case_id = submit(rt, congress["actors"])
    wang = signed_in(browser, server, "wang")
    wang.goto(f"{server}/proposals/{pid}")
    assert wang.locator("#print-button").count() == 0 and wang.locator("#print-view").is_visible()
    wang.click("#print-view")
    wang.wait_for_selector("#proposal-sheet")
    assert wang.locator("#print-button").is_visible() and wang.locator(".topbar").is_visible()
    wang.emulate_media(media="print")
    assert not wang.locator(".topbar").is_visible() and not wang.locator("#print-button").is_visible()
    assert wang.locator("#proposal-sheet").is_visible() and BODY["cause"] in wang.inner_text("#proposal-sheet")
    shot(wang, "09-print-view")
    wang.goto(f"{server}/proposals/{pid}")
    assert not wang.locator(".topbar").is_visible() and wang.locator(".proposal-body").is_visible()
