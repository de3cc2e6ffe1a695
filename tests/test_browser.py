"""In Debian's chromium (Playwright): sign in, open the inbox, complete a task, see it done on the case."""

from __future__ import annotations

from typing import Any

from browser_support import needs_chromium, shots

from engine.instances import start_case

pytestmark = needs_chromium


shot = shots()


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
    page.wait_for_url(f"{server}/inbox")  # nothing more for wang in this case: back to the inbox, told so
    assert case.business_key in page.locator(".flash-success").first.inner_text()
    page.goto(f"{server}/cases/{case.id}")
    history = page.locator("#history").inner_text()
    assert "Wang" in history and "填写提案" in history  # people by name, never by login name
    assert "提案委员会审查" in page.locator(".tasklist").inner_text()
    shot(page, "05-case")

    page.goto(f"{server}/inbox")
    assert page.locator("table.list tbody tr", has_text=case.business_key).count() == 0
