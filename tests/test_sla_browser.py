"""In Debian's chromium: a supervisor opens the board, sees the overdue item highlighted, drills down to the case."""

from __future__ import annotations

from typing import Any

from browser_support import needs_chromium, shots
from test_sla_common import SLA, deploy_xml, local, open_tasks

from engine.clock import clock
from engine.instances import start_case
from engine.runtime import Runtime
from engine.tasks import complete_task

pytestmark = needs_chromium


shot = shots("sla")


def test_supervisor_sees_the_overdue_item_highlighted_and_drills_down(server: str, page: Any, rt: Runtime,
                                                                       people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 8, 3, 10, 0))
    done = start_case(rt, people["wang"], "sla_demo", {"title": "按时办结的提案"})
    clock.freeze(local(2026, 8, 10, 10, 0))
    complete_task(rt, people["zhao"], open_tasks(rt, done.id)[0].id, {})
    clock.freeze(local(2026, 9, 28, 10, 0))
    late = start_case(rt, people["wang"], "sla_demo", {"title": "关于改善教工食堂伙食的建议"})
    clock.freeze(local(2026, 10, 12, 10, 0))
    soon = start_case(rt, people["li"], "sla_demo", {"title": "关于增设校园停车位的建议"})
    clock.freeze(local(2026, 10, 24, 12, 0))
    clock.unfreeze()
    clock.offset = local(2026, 10, 24, 12, 0) - clock.now() + clock.offset  # time runs on for the server

    page.goto(f"{server}/login")
    page.fill("input[name=username]", "sun")
    page.fill("input[name=password]", "pw-sun")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/inbox")
    page.click("nav.mainnav a[href='/supervision/']")
    page.wait_for_url(f"{server}/supervision/")
    assert page.locator("h1").first.inner_text() in ("督办", "Supervision")
    row = page.locator("#overdue-table tbody tr", has_text=late.business_key)
    assert row.count() == 1
    assert "row-overdue" in row.get_attribute("class")
    background = row.evaluate("r => getComputedStyle(r).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")  # highlighted
    assert row.locator(".badge-overdue").count() == 1
    assert page.locator("#due-soon-table tbody tr", has_text=soon.business_key).count() == 1
    assert page.locator("svg.chart").count() >= 2
    shot(page, "01-board")

    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "02-board-mobile")
    page.set_viewport_size({"width": 1280, "height": 900})

    row.locator(f"a[href='/cases/{late.id}']").click()
    page.wait_for_url(f"{server}/cases/{late.id}")
    assert late.business_key in page.content()
    shot(page, "03-case")

    page.go_back()
    page.locator("#overdue-table tbody tr", has_text=late.business_key).locator("a.btn").click()
    page.select_option("select[name=duration]", "P3D")
    page.fill("form[action$='/extend'] input[name=reason]", "涉及多个部门会商")
    page.click("form[action$='/extend'] button[type=submit]")
    page.wait_for_selector(".flash-success")
    shot(page, "04-deadline-extended")
    assert open_tasks(rt, late.id)[0].due_at == local(2026, 10, 21, 23, 59, 59)

    page.goto(f"{server}/supervision/away")
    page.select_option("select[name=deputy]", "zhao")
    page.fill("input[name=starts_on]", "2026-10-26")
    page.fill("input[name=ends_on]", "2026-10-30")
    page.click("button.btn.primary[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "zhao" in page.locator(".card").first.inner_text()
    shot(page, "05-away")
