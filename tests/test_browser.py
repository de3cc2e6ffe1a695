"""In Debian's chromium (Playwright): sign in, open the inbox, complete a task, see it done on the case."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from engine.instances import start_case

CHROMIUM = "/usr/bin/chromium"
OUT = Path(os.environ.get("DOCKET_TEST_OUTPUT", Path(__file__).resolve().parents[1] / "test-output"))
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium"),
]


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def shot(page: Any, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_login_inbox_complete_task_case_shows_it(server: str, page: Any, rt: Any, people: dict,
                                                  review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "关于增加教职工体检项目的建议"})
    page.goto(f"{server}/login")
    shot(page, "01-login")
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", "pw-wang")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/inbox")
    assert page.locator("h1").first.inner_text() in ("待办", "Inbox")
    row = page.locator("table.list tbody tr", has_text=case.business_key)
    assert row.count() == 1
    shot(page, "02-inbox")

    row.locator("a.task-link").click()
    page.wait_for_selector("form textarea")
    page.click("button.btn.primary[type=submit]")  # submit empty: server-side field errors
    assert page.locator(".field-error").count() >= 3
    shot(page, "03-task-errors")

    page.fill("input[name=title]", "关于增加教职工体检项目的建议")
    page.select_option("select[name=category]", "welfare")
    page.fill("textarea[name=cause]", "现有体检项目较少")
    page.fill("textarea[name=proposal]", "建议增加肿瘤标志物与心血管专项检查。")
    shot(page, "04-task-filled")
    page.click("button.btn.primary[type=submit]")
    page.wait_for_url(f"{server}/cases/{case.id}")
    history = page.locator("#history").inner_text()
    assert "wang" in history and "填写提案" in history
    assert "提案委员会审查" in page.locator(".tasklist").inner_text()
    shot(page, "05-case")

    page.goto(f"{server}/inbox")
    assert page.locator("table.list tbody tr", has_text=case.business_key).count() == 0
