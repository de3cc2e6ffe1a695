"""The Content-Security-Policy in Debian's chromium: the pages, the bpmn-js viewer and the modeler work with
no inline script or style allowed, and the browser reports no violation (screenshots under test-output/security)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import login, needs_chromium, shots
from test_designer_engine import REGISTER, _open

from engine.clock import clock, utcnow
from engine.instances import start_case
from engine.runtime import Runtime
from engine.tasks import complete_task

pytestmark = needs_chromium
shot = shots("security")
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push([
  e.violatedDirective, e.blockedURI || 'inline', e.sourceFile + ':' + e.columnNumber,
  e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 200) : ''].join(' ')));
"""


@pytest.fixture
def page(browser: Any) -> Any:
    """A page that records CSP violations (``window.__csp``) and JavaScript errors (``page.js_errors``)."""
    tab = browser.new_context(viewport={"width": 1320, "height": 900}, locale="zh-CN").new_page()
    tab.set_default_timeout(15000)
    tab.add_init_script(WATCH)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors
    return tab


def violations(page: Any) -> list[str]:
    return page.evaluate("window.__csp")


def test_pages_and_bpmn_js_run_under_the_policy(server: str, page: Any, rt: Runtime, people: dict,
                                                review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "关于延长食堂供餐时间的建议"})
    complete_task(rt, people["wang"], _open(rt, case.id)[0].id, REGISTER)
    response = page.goto(f"{server}/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    login(page, server, "admin")
    assert violations(page) == []

    page.goto(f"{server}/cases/{case.id}")  # the navigated viewer with the case's progress
    page.click("#case-diagram-card > summary")  # a panel, closed until wanted
    page.wait_for_selector("#case-diagram:not([data-state=loading])")
    assert page.get_attribute("#case-diagram", "data-state") == "ok"
    assert page.locator("#case-diagram .djs-element.dk-current").count() == 1
    assert violations(page) == [], violations(page)
    shot(page, "01-case-diagram-under-csp")

    page.goto(f"{server}/designer/processes/proposal_review")
    page.wait_for_selector("#diagram:not([data-state=loading])")
    assert page.get_attribute("#diagram", "data-state") == "ok"
    assert violations(page) == [], violations(page)

    page.goto(f"{server}/designer/modeler?process=proposal_review")
    page.wait_for_selector("#modeler:not([data-state=loading])")
    assert page.get_attribute("#modeler", "data-state") == "ok"
    page.click('#modeler .djs-element[data-element-id="committee_review"]', position={"x": 12, "y": 12})
    page.wait_for_selector(".djs-context-pad")
    page.click('#modeler .djs-element[data-element-id="register_proposal"]', position={"x": 12, "y": 12},
               modifiers=["Shift"])  # two tasks: the align tools (SVG icons drawn with style attributes)
    page.click('.djs-context-pad .entry[data-action="align-elements"]')
    page.wait_for_selector(".djs-popup")
    assert violations(page) == [], violations(page)
    shot(page, "02-modeler-under-csp")
    assert page.js_errors == []


def test_admin_unlocks_a_paused_sign_in(server: str, page: Any, people: dict) -> None:
    clock.freeze(utcnow())  # the server runs in this process: its pause of 2 s lasts as long as the test
    for _ in range(4):  # three free failures, then li's sign-in from this address pauses
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "li")
        page.fill("input[name=password]", "wrong")
        page.click("button[type=submit]")
    assert page.locator(".alert").inner_text() == "用户名或密码错误。"
    page.fill("input[name=username]", "li")
    page.fill("input[name=password]", "pw-li")
    page.click("button[type=submit]")
    assert "登录失败次数过多，请 2 秒后再试。" in page.locator(".alert").inner_text()
    login(page, server, "admin")
    page.click("nav.mainnav >> text=管理")
    page.click(".admin-tabs >> text=登录锁定")
    assert page.locator("#signin-locks tbody tr").count() == 1
    assert "li" in page.locator("#signin-locks").inner_text()
    assert violations(page) == []
    shot(page, "03-signin-locks")
    page.click("#signin-locks button[type=submit]")
    assert "目前没有暂停的登录" in page.inner_text("main")
    shot(page, "04-signin-unlocked")
