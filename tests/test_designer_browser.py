"""The designer and the case diagram in Debian's chromium (Playwright), with screenshots under
test-output/designer: case progress, broken and fixed uploads, the modeler, migration, MIWG reference files."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from browser_support import login, needs_chromium, shots
from test_designer_engine import REGISTER, REVIEW, _open, deploy_xml, review_v2_xml
from test_designer_pages import FORMS, broken_review_xml

from engine.clock import clock
from engine.instances import start_case
from engine.models import Case, Event, ProcessDefinition
from engine.runtime import Runtime
from engine.tasks import complete_task

MIWG = Path(os.environ.get("DOCKET_SHARED", "/work/shared")) / "conformance" / "miwg" / "Reference"
pytestmark = needs_chromium


@pytest.fixture
def page(browser: Any) -> Any:
    """A wider page that records the page's JavaScript errors in ``page.js_errors``."""
    tab = browser.new_context(viewport={"width": 1320, "height": 900}, locale="zh-CN").new_page()
    tab.set_default_timeout(15000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors
    return tab


shot = shots("designer")


def wait_diagram(page: Any, selector: str = "#diagram") -> str:
    page.wait_for_selector(f"{selector}:not([data-state=loading])")
    return page.get_attribute(selector, "data-state")


def test_case_diagram_highlights_current_and_overdue_task(server: str, page: Any, rt: Runtime, people: dict,
                                                          review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "关于延长食堂供餐时间的建议"})
    complete_task(rt, people["wang"], _open(rt, case.id)[0].id, REGISTER)
    login(page, server, "wang")
    page.goto(f"{server}/cases/{case.id}")
    page.click("#case-diagram-card > summary")  # the diagram is a panel, closed until wanted
    assert wait_diagram(page, "#case-diagram") == "ok"
    assert page.locator('#case-diagram .djs-element.dk-current[data-element-id="committee_review"]').count() == 1
    assert page.locator('#case-diagram .djs-element.dk-done[data-element-id="register_proposal"]').count() == 1
    assert page.locator('#case-diagram .djs-connection.dk-done[data-element-id="f1"]').count() == 1
    page.click('#case-diagram .djs-element[data-element-id="committee_review"]', position={"x": 12, "y": 12})
    details = page.locator("#diagram-details")
    assert "提案委员会审查" in details.inner_text() and "committee" in details.inner_text()
    assert details.locator("a.btn").count() == 1  # a link to the open task
    shot(page, "01-case-diagram-current")
    page.click('#case-diagram .djs-element[data-element-id="register_proposal"]', position={"x": 12, "y": 12})
    assert "wang" in details.inner_text()  # completed by

    clock.advance(timedelta(days=40))  # past the 15 working days of the review
    page.reload()
    page.click("#case-diagram-card > summary")
    assert wait_diagram(page, "#case-diagram") == "ok"
    assert page.locator('#case-diagram .djs-element.dk-overdue[data-element-id="committee_review"]').count() == 1
    shot(page, "02-case-diagram-overdue")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.reload()
    page.click("#case-diagram-card > summary")
    assert wait_diagram(page, "#case-diagram") == "ok"
    shot(page, "02b-case-diagram-phone")
    assert page.js_errors == []


def test_upload_broken_bpmn_then_deploy_fixed(server: str, page: Any, rt: Runtime, review_process: Any,
                                              tmp_path: Path) -> None:
    broken = tmp_path / "review.bpmn"
    broken.write_text(broken_review_xml(), encoding="utf-8")
    login(page, server, "zhou")
    page.click("nav.mainnav a[href='/designer/']")
    shot(page, "03-designer-index")
    page.click("a[href='/designer/upload']")
    page.set_input_files("#bpmn", str(broken))
    page.set_input_files("#extra", [str(p) for p in sorted(FORMS.glob("*.json"))])
    page.click("button[value=deploy]")
    page.wait_for_selector("#problems")
    assert wait_diagram(page) == "ok"
    problems = page.locator("#problems").inner_text()
    assert "committee_review" in problems and "47" in problems and "mark_rehandle" in problems
    alert = page.locator("#result .alert").inner_text()
    assert "未部署" in alert or "nothing was deployed" in alert
    assert page.locator('#diagram .djs-element.dk-error[data-element-id="committee_review"]').count() == 1
    shot(page, "04-upload-broken")
    with rt.reading() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ProcessDefinition)) == 1

    fixed = tmp_path / "fixed" / "review.bpmn"
    fixed.parent.mkdir()
    fixed.write_text(review_v2_xml(), encoding="utf-8")
    page.set_input_files("#bpmn", str(fixed))
    page.click("button[value=check]")  # check first: no problem, and what differs from v1
    page.wait_for_selector("#upload-diff")
    assert wait_diagram(page) == "ok"
    assert page.locator('#diagram .djs-element.dk-added[data-element-id="notify_rep"]').count() == 1
    shot(page, "05a-upload-checked-fixed")
    page.set_input_files("#bpmn", str(fixed))
    page.click("button[value=deploy]")
    page.wait_for_url("**/designer/processes/proposal_review?v=2")
    assert wait_diagram(page) == "ok"
    assert "notify_rep" in page.locator("#diff").inner_text()
    assert page.locator('#diagram .djs-element.dk-added[data-element-id="notify_rep"]').count() == 1
    shot(page, "05b-deployed-fixed-version")
    assert page.js_errors == []


def test_modeler_edit_and_deploy(server: str, page: Any, rt: Runtime, review_process: Any) -> None:
    login(page, server, "zhou")
    page.goto(f"{server}/designer/processes/proposal_review")
    page.click("a[href^='/designer/modeler?process=proposal_review']")
    assert wait_diagram(page, "#modeler") == "ok"
    page.click('#modeler .djs-element[data-element-id="committee_review"]', position={"x": 12, "y": 12})
    page.wait_for_selector("#props[data-element=committee_review]")
    page.fill("#prop-name", "提案委员会初审")
    page.fill("#prop-dueIn", "P10D")
    page.fill("#prop-candidateGroups", "committee, presidium")
    page.select_option("#prop-calendar", "workdays")
    page.locator("#prop-candidateGroups").press("Tab")
    shot(page, "06-modeler-editing")
    page.click("#save-deploy")
    page.wait_for_url("**/designer/processes/proposal_review?v=2")
    diff = page.locator("#diff").inner_text()
    assert "committee_review" in diff and "P10D" in diff and "presidium" in diff
    shot(page, "07-modeler-deployed")
    with rt.reading() as s:
        v2 = s.scalars(sa.select(ProcessDefinition).where(ProcessDefinition.version == 2)).one()
    assert v2.deployed_by == "zhou" and 'name="提案委员会初审"' in v2.bpmn_xml
    assert 'value="committee, presidium"' in v2.bpmn_xml
    assert page.js_errors == []


def test_modeler_refuses_a_broken_diagram(server: str, page: Any, rt: Runtime, review_process: Any) -> None:
    login(page, server, "zhou")
    page.goto(f"{server}/designer/modeler?process=proposal_review")
    assert wait_diagram(page, "#modeler") == "ok"
    page.click('#modeler .djs-element[data-element-id="dept_handle"]', position={"x": 12, "y": 12})
    page.fill("#prop-dueIn", "two months")
    page.locator("#prop-dueIn").press("Tab")
    page.click("#save-deploy")
    page.wait_for_selector("#problems")
    assert "dept_handle" in page.locator("#problems").inner_text()
    assert wait_diagram(page, "#modeler") == "ok"  # the edited diagram is still there to fix
    assert page.locator('#modeler .djs-element.dk-error[data-element-id="dept_handle"]').count() == 1
    shot(page, "08-modeler-check-error")
    with rt.reading() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ProcessDefinition)) == 1


def test_migrate_running_case(server: str, page: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "关于增加体检项目的建议"})
    v2 = deploy_xml(rt, review_v2_xml())
    login(page, server, "zhou")
    page.goto(f"{server}/designer/processes/proposal_review")
    page.click("a[href*='/migrate']")
    page.wait_for_selector("#plans")
    row = page.locator(f"#plans tr[data-case='{case.id}']")
    assert "填写提案" in row.inner_text() and not row.locator("input[type=checkbox]").is_checked()  # nothing chosen
    row.locator("input[type=checkbox]").check()
    shot(page, "09-migration-dry-run")
    page.click("#migrate-form button[type=submit]")
    page.wait_for_selector("#results")
    assert case.business_key in page.locator("#results").inner_text()
    shot(page, "10-migration-done")
    with rt.reading() as s:
        assert s.get(Case, case.id).definition_id == v2.id
        assert s.scalars(sa.select(Event.actor).where(Event.kind == "case_migrated")).one() == "zhou"


@pytest.mark.skipif(not MIWG.is_dir(), reason="no MIWG reference files")
def test_miwg_reference_diagrams_render(server: str, page: Any, people: dict) -> None:
    files = sorted(MIWG.glob("*.bpmn"))
    assert files
    login(page, server, "zhou")
    failed = {}
    for path in files:
        page.goto(f"{server}/designer/upload")
        page.set_input_files("#bpmn", str(path))
        page.click("button[value=check]")
        state = wait_diagram(page)
        if state != "ok":
            failed[path.name] = page.get_attribute("#diagram", "data-error")
        assert page.locator("#diagram .djs-element").count() > 1, path.name
        if path.stem in ("A.1.0", "B.2.0", "C.1.0", "C.4.0"):
            shot(page, f"miwg-{path.stem}")
    assert failed == {}
    assert page.js_errors == []


def test_review_file_renders_in_process_page(server: str, page: Any, review_process: Any) -> None:
    login(page, server, "admin")
    page.goto(f"{server}/designer/processes/proposal_review")
    assert wait_diagram(page) == "ok"
    assert page.locator("#diagram .djs-element[data-element-id='committee_review']").count() == 1
    assert page.locator("#forms details").count() == len(list((REVIEW.parent / "forms").glob("*.json")))
    shot(page, "11-process-page")
