"""In Debian's chromium (Playwright): apply for mediation from the disputes page, see the case file with its
deadlines and documents, the early-warning register and the statistics; screenshots for review."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import needs_chromium, shots, sign_in
from test_disputes_helpers import appeal_application, disputes, do, mediation_application

from engine.disputes import commands, warnings

__all__ = ["disputes"]
pytestmark = needs_chromium


@pytest.fixture
def server(server: str, disputes: dict) -> str:
    return server


shot = shots("disputes")


def test_apply_and_case_file(server: str, browser: Any, rt: Any, disputes: dict) -> None:
    page = sign_in(browser, server, "zhang")
    page.goto(f"{server}/disputes/")
    shot(page, "01-disputes-empty")
    page.click("#apply-mediation")
    page.wait_for_selector("textarea[name=claim]")
    body = mediation_application()
    page.check("input[name=application_mode][value=written]")
    for name in ("applicant_name", "department", "respondent", "title"):
        page.fill(f"input[name={name}]", body[name])
    page.select_option("select[name=matter]", "pay")
    page.fill("textarea[name=claim]", body["claim"])
    page.fill("textarea[name=facts]", body["facts"])
    page.fill("input[name=known_on]", body["known_on"])
    page.check("input[name=request_school]")
    shot(page, "02-application-form")
    page.click("button.btn.primary[type=submit]")
    page.wait_for_url(f"{server}/disputes/cases/*")  # filed: the case exists from now on, shown in its case file
    case_id = int(page.url.rstrip("/").split("/")[-1])
    do(rt, disputes["gao"], case_id, "accept_case", {"acceptance": "respondent_refused",
                                                     "acceptance_note": "人事处书面答复不同意调解。"})
    page.goto(f"{server}/disputes/cases/{case_id}")
    assert "调解期限" in page.locator("#deadlines").inner_text()
    assert page.locator("#documents a.doc-link").count() == 2
    shot(page, "03-case-file-refused")

    outsider = sign_in(browser, server, "wei")
    response = outsider.goto(f"{server}/disputes/cases/{case_id}")
    assert response is not None and response.status == 403
    shot(outsider, "04-outsider-forbidden")


def test_head_views_warnings_statistics_and_mobile(server: str, browser: Any, rt: Any, disputes: dict) -> None:
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    do(rt, disputes["gao"], case.id, "accept_case", {"acceptance": "accept", "respondent_consent": True,
                                                     "mediation_mode": "single", "mediators": "ma",
                                                     "acceptance_note": "受理。"})
    commands.request_recusal(rt, disputes["zhang"], case.id, "ma", "调解员与被申请人负责人系近亲属")
    warnings.create_warning(rt, disputes["xu"], {"persons": "物理系青年教师3人", "department": "物理学系",
                                                 "matter": "对新绩效办法意见较大", "category": "pay",
                                                 "risk_level": "high", "source": "dept_union"})
    appeal = commands.file_application(rt, disputes["wang"], "appeals", appeal_application())
    head = sign_in(browser, server, "gao")
    head.goto(f"{server}/disputes/cases/{case.id}")
    assert head.locator("form.recusal-decide").count() == 1
    shot(head, "05-case-file-recusal-pending")
    head.goto(f"{server}/disputes/warnings")
    assert head.locator("article.warning.risk-high").count() == 1
    shot(head, "06-early-warnings")
    head.goto(f"{server}/disputes/statistics")
    assert head.locator("#kpis").count() == 1
    shot(head, "07-statistics")
    supervisor = sign_in(browser, server, "sun")
    for process, case_id in (("mediation", case.id), ("appeals", appeal.id)):
        supervisor.goto(f"{server}/cases/{case_id}")
        supervisor.click("#case-diagram-card > summary")
        supervisor.wait_for_selector("#case-diagram[data-state=ok], #case-diagram[data-state=error]", timeout=60000)
        assert supervisor.locator("#case-diagram").get_attribute("data-state") == "ok"
        shot(supervisor, f"09-diagram-{process}")
    mobile = sign_in(browser, server, "zhang", viewport={"width": 390, "height": 900})
    mobile.goto(f"{server}/disputes/cases/{case.id}")
    shot(mobile, "08-case-file-mobile")
