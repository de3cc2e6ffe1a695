"""In Debian's chromium, the task page as each user meets it: the committee reviews a proposal with its text
beside the form, a conditional field follows the answers, the proposer rates without claiming, a department
returns a wrongly assigned step, the sender recalls a step, a supervisor urges an overdue task, a colleague
copied in reads the case, and an abandoned mediation start leaves no case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from browser_support import needs_chromium, shots, sign_in
from test_disputes_helpers import GROUPS as DISPUTE_GROUPS
from test_disputes_helpers import USERS as DISPUTE_USERS
from test_proposals_helpers import BODY, REPLY, congress, do, open_task, submit, to_review

from engine.access import Actor
from engine.clock import clock
from engine.runtime import Runtime
from engine.users import create_group, create_user

pytestmark = needs_chromium
__all__ = ["congress"]
shot = shots("task-page")


@pytest.fixture
def server(server: str, congress: dict[str, Any]) -> str:
    return server


def signed_in(browser: Any, server: str, user: str, mobile: bool = False, script: bool = True) -> Any:
    size = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 860}
    return sign_in(browser, server, user, viewport=size, java_script_enabled=script)


def submit_form(page: Any, selector: str = "#submit-task") -> None:
    with page.expect_navigation():
        page.click(selector)


def test_committee_reviews_seeing_the_proposal_and_the_reason_field_follows_the_decision(
        server: str, browser: Any, rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    review = open_task(rt, case_id, "committee_review")

    plain = signed_in(browser, server, "zhao", script=False)  # without JavaScript: every field, with its note
    plain.goto(f"{server}/tasks/{review}")
    reason_field = plain.locator(".field", has=plain.locator("#field-reject_reason"))
    assert reason_field.is_visible() and "仅当「审查结论」为「不予立案」时填写" in reason_field.inner_text()
    plain.context.close()

    zhao = signed_in(browser, server, "zhao")
    zhao.goto(f"{server}/tasks/{review}")
    summary = zhao.locator("#case-summary").inner_text()
    for text in (BODY["title"], BODY["cause"], BODY["suggestion"], BODY["argument"], "Wang", "Li"):
        assert text in summary
    assert zhao.locator("#case-summary a", has_text="提案页面").count() == 1
    reason = zhao.locator(".field", has=zhao.locator("#field-reject_reason"))
    opinion_star = zhao.locator(".field", has=zhao.locator("#field-review_opinion")).locator(".field-required")
    assert reason.is_hidden() and opinion_star.is_hidden()
    shot(zhao, "01-review-with-the-proposal")
    zhao.check("input[name=decision][value=reject]")
    assert reason.is_visible() and opinion_star.is_visible()
    submit_form(zhao)  # 不予立案 without its reasons: refused, both fields named
    assert zhao.locator(".field-error").count() == 2
    shot(zhao, "02-reject-needs-reasons")
    zhao.check("input[name=decision][value=register]")
    assert reason.is_hidden() and opinion_star.is_hidden()
    zhao.fill("textarea[name=review_opinion]", "符合立案条件，同意立案。")
    submit_form(zhao)  # on to the committee's next step of the same case
    assert "交办承办单位" in zhao.locator("h1").inner_text()
    assert "已完成" in zhao.locator(".flash-success").first.inner_text()
    shot(zhao, "03-after-review-next-step")

    phone = signed_in(browser, server, "qian", mobile=True)
    phone.goto(f"{server}/tasks/{open_task(rt, case_id, 'assign')}")
    assert phone.locator("#case-summary").bounding_box()["y"] < phone.locator("#task-form").bounding_box()["y"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "04-assign-on-a-phone")


def to_rating(rt: Runtime, a: dict[str, Actor], case_id: int) -> None:
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr"})
    do(rt, a["chen"], case_id, "confirm_assignment", {"assignment": "accept"})
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve", "signoff_note": "同意答复。"})


def test_proposer_rates_the_reply_without_claiming(server: str, browser: Any, rt: Runtime,
                                                   congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_rating(rt, a, case_id)
    wang = signed_in(browser, server, "wang")
    wang.locator("#inbox-list .task-link", has_text="提案人评价").click()
    assert wang.locator("#claim-task").count() == 0 and wang.locator("#delegate").count() == 0
    assert REPLY["reply"] in wang.locator("#case-summary").inner_text()
    opinions = wang.locator("#opinions").inner_text()
    assert "分管领导审签" in opinions and "同意答复。" in opinions
    shot(wang, "05-rating-without-claim")
    wang.check("input[name=rating][value=satisfied]")
    submit_form(wang)
    assert wang.url.endswith("/inbox")


def test_department_returns_a_wrong_assignment_and_the_committee_sees_why(
        server: str, browser: Any, rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr", "assign_note": "请人事处办理。"})

    chen = signed_in(browser, server, "chen")
    chen.goto(f"{server}/tasks/{open_task(rt, case_id, 'confirm_assignment')}")
    chen.click("#return summary")
    chen.select_option("#return-to", "assign")
    submit_form(chen, "#return-task")  # no reason: refused, the field named
    assert chen.locator("#return .field-error-text").count() == 1
    chen.fill("#return-reason", "食堂事务属于后勤保障处职责，请改交后勤保障处。")
    shot(chen, "06-return-with-reason")
    submit_form(chen, "#return-task")
    assert chen.url.endswith("/inbox") and "退回" in chen.locator(".flash-success").first.inner_text()

    qian = signed_in(browser, server, "qian")
    qian.goto(f"{server}/notifications/")
    assert "Chen 退回了" in qian.locator(".notices").inner_text()
    qian.goto(f"{server}/inbox")
    qian.locator("#inbox-list .task-link", has_text="交办承办单位").click()
    notice = qian.locator("#returned-notice").inner_text()
    assert "食堂事务属于后勤保障处职责" in notice and "Chen" in notice
    assert qian.locator("textarea[name=assign_note]").input_value() == "请人事处办理。"
    shot(qian, "07-committee-sees-the-return")


def test_sender_recalls_a_step_before_the_next_handler_starts(server: str, browser: Any, rt: Runtime,
                                                               congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    qian = signed_in(browser, server, "qian")
    qian.goto(f"{server}/tasks/{open_task(rt, case_id, 'assign')}")
    qian.select_option("select[name=lead_department]", "logistics")
    submit_form(qian)
    qian.locator(".flash-success a").click()  # "you can recall it" in the message
    shot(qian, "08-completed-step-with-recall")
    submit_form(qian, "#recall-task")
    assert "撤回" in qian.locator(".flash-success").first.inner_text()
    assert qian.locator("#task-form").count() == 1 and qian.locator("select[name=lead_department]").count() == 1
    shot(qian, "09-recalled")


def test_supervisor_urges_an_overdue_task_and_a_colleague_copied_in_reads_the_case(
        server: str, browser: Any, rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    do(rt, a["zhao"], case_id, "committee_review", {"decision": "register", "review_opinion": "符合立案条件。"})
    do(rt, a["qian"], case_id, "assign", {"lead_department": "hr"})
    confirm = open_task(rt, case_id, "confirm_assignment")
    clock.advance(timedelta(days=20))  # past its 7 working days

    sun = signed_in(browser, server, "sun")
    sun.goto(f"{server}/tasks/{confirm}")
    assert sun.locator(".badge-overdue").count() >= 1
    sun.click("#urge summary")
    sun.fill("#urge-message", "已超期，请今天签收。")
    submit_form(sun, "#urge-task")
    assert "催办" in sun.locator(".flash-success").first.inner_text()
    sun.click("#urge summary")
    submit_form(sun, "#urge-task")  # once a day
    assert sun.locator(".flash-error").count() == 1
    shot(sun, "10-urged")

    chen = signed_in(browser, server, "chen")
    assert chen.locator(".bell-count").count() == 1
    chen.goto(f"{server}/notifications/")
    assert "Sun 催办" in chen.locator(".notices").inner_text() and "已超期，请今天签收。" in chen.content()
    shot(chen, "11-handler-sees-the-urge")
    chen.goto(f"{server}/tasks/{confirm}")
    chen.click("#cc summary")
    chen.fill("#cc-users", "liu")
    submit_form(chen, "#cc-send")
    assert "liu" in chen.locator(".flash-success").first.inner_text()

    liu = signed_in(browser, server, "liu")
    liu.goto(f"{server}/notifications/")
    liu.locator(".notices a", has_text="Chen 抄送了").first.click()
    assert liu.locator("h1").inner_text().startswith("提案 ")
    assert BODY["title"] in liu.content()
    shot(liu, "12-copied-in-reads-the-case")


def test_an_abandoned_mediation_start_leaves_no_case(server: str, browser: Any, rt: Runtime) -> None:
    from engine.deploy import deploy  # noqa: F401  (the disputes processes come through the fixture below)

    with rt.transaction() as session:
        for key, name in DISPUTE_GROUPS.items():
            create_group(session, key, name)
        create_user(session, "zhang", "pw-zhang", "张老师", DISPUTE_USERS["zhang"])
    from conftest import ROOT, deploy_file

    deploy_file(rt, ROOT / "processes" / "mediation" / "mediation.bpmn")
    zhang = signed_in(browser, server, "zhang")
    zhang.goto(f"{server}/disputes/")
    with zhang.expect_navigation():
        zhang.click("#apply-mediation")
    assert "/cases/new/mediation" in zhang.url
    zhang.fill("input[name=title]", "绩效工资发放争议")
    shot(zhang, "13-mediation-start-form")
    zhang.goto(f"{server}/inbox")  # leaves the form
    with rt.reading() as session:
        from engine.queries import list_cases

        assert list_cases(session, Actor("admin", frozenset({"admin"})))["total"] == 0
    zhang.goto(f"{server}/cases/new/mediation")
    zhang.fill("input[name=title]", "绩效工资发放争议")
    submit_form(zhang, "#save-start-draft")
    zhang.goto(f"{server}/inbox")
    zhang.goto(f"{server}/cases/new/mediation")
    assert zhang.locator("input[name=title]").input_value() == "绩效工资发放争议"
    submit_form(zhang, "#submit-start")  # incomplete: refused, still no case
    assert zhang.locator(".field-error").count() >= 3
    with rt.reading() as session:
        assert list_cases(session, Actor("admin", frozenset({"admin"})))["total"] == 0
    shot(zhang, "14-mediation-start-refused")


def test_phone_navigation_board_and_lists(server: str, browser: Any, rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    _, case_id = submit(rt, a)
    to_review(rt, a, case_id)
    clock.advance(timedelta(days=40))  # the review is overdue
    admin = signed_in(browser, server, "admin", mobile=True)
    links = admin.locator("nav.mainnav a")
    assert links.count() >= 6
    for i in range(links.count()):  # every section reachable without sideways scrolling (督办, 流程设计 included)
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
    shot(admin, "15-inbox-phone")
    admin.goto(f"{server}/supervision/")
    row = admin.locator("#overdue-table tbody tr").first
    assert row.locator("td[data-label]").nth(3).is_visible() and row.locator("td[data-label]").nth(4).is_visible()
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390
    shot(admin, "16-board-phone")
    admin.goto(f"{server}/cases/")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390
    shot(admin, "17-cases-phone")
