"""In Debian's chromium, as a new union office would: from an instance with only an administrator, create two
departments, a congress with a session, import 20 delegates from an .xlsx file (a file with one bad row is
refused first, naming the row), and a delegate files a proposal that the committee assigns to a new department."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from browser_support import needs_chromium, shots, sign_in
from conftest import ROOT
from openpyxl import Workbook

from engine.clock import utcnow
from engine.congress.models import Proposal
from engine.models import Task
from engine.office.setup import create_office
from engine.runtime import Runtime
from engine.workdays import LOCAL

pytestmark = needs_chromium
shot = shots("office")
HEADER = ["用户名", "姓名", "单位", "代表团", "用户组", "密码"]
TITLE = "关于延长图书馆周末开放时间的建议"


@pytest.fixture
def server(rt: Runtime, server: str) -> str:
    """`docket init --office`: the administrator (password pw-admin) and the processes, nothing else."""
    lines = list(create_office(rt, "admin", "pw-admin", ROOT / "processes"))
    assert lines[0].startswith("administrator admin")
    return server


def delegates_file(path: Path, bad_row: bool) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(1, 21):
        unit = "图书馆" if n % 2 else "国际交流处"
        groups = "committee" if n == 20 else ""
        sheet.append([f"d{n:02d}", f"代表{n:02d}", unit, f"第{(n - 1) // 5 + 1}代表团", groups, f"pw-d{n:02d}"])
    if bad_row:
        sheet.append(["d21", "", "后勤处", "第五代表团", "", "pw-d21"])  # no name, an unknown unit
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def submit_task(page: Any, server: str, rt: Runtime, case_id: int, name: str, fill: Any = None) -> None:
    with rt.reading() as session:
        task_id = session.scalar(sa.select(Task.id).where(Task.case_id == case_id, Task.name == name,
                                                          Task.state.in_(("open", "claimed"))))
    assert task_id, f"no open task {name}"
    page.goto(f"{server}/tasks/{task_id}")
    if fill:
        fill(page)
    with page.expect_navigation():  # on to the next step of the case, or the inbox
        page.click("form.stack button[type=submit].primary")


def test_a_new_office_sets_up_and_runs_its_first_proposal(server: str, browser: Any, rt: Runtime,
                                                           tmp_path: Path) -> None:
    admin = sign_in(browser, server, "admin")
    admin.click("nav.mainnav a[href='/admin/']")
    admin.wait_for_url("**/admin/")
    shot(admin, "01-admin-overview")

    admin.goto(f"{server}/admin/units")
    for key, name in (("library", "图书馆"), ("intl", "国际交流处")):
        admin.fill("#add-unit input[name=name]", name)
        admin.fill("#add-unit input[name=key]", key)
        admin.select_option("#add-unit select[name=kind]", "department")
        admin.click("#add-unit-button")
        admin.wait_for_selector(f"tr[data-unit={key}]")
    assert admin.locator("#units tbody tr").count() == 2
    shot(admin, "02-two-departments")

    admin.goto(f"{server}/admin/congresses")
    admin.fill("#add-congress input[name=name]", "第八届教职工代表大会")
    admin.fill("#add-congress input[name=key]", "c8")
    admin.fill("#add-congress input[name=s_min_cosigners]", "1")
    admin.click("#create-congress")
    admin.wait_for_url("**/admin/congresses/c8")
    admin.fill("#open-session input[name=name]", "八届一次")
    closes = (utcnow() + timedelta(days=30)).astimezone(LOCAL).date().isoformat()
    admin.fill("#open-session input[name=closes_at]", closes)
    admin.click("#open-session-button")
    admin.wait_for_selector("#sessions tr[data-session]")
    assert "征集中" in admin.locator("#sessions tr[data-session]").inner_text()
    shot(admin, "03-congress-with-session")

    admin.click("#import-delegates")
    admin.set_input_files("#import-file", str(delegates_file(tmp_path / "代表名单.xlsx", bad_row=True)))
    admin.click("#import-now")
    admin.wait_for_selector("#import-errors")
    errors = admin.locator("#import-errors tbody tr").all_inner_texts()
    assert all("第 22 行" in e for e in errors) and any("姓名" in e for e in errors) and \
        any("后勤处" in e for e in errors), errors
    shot(admin, "04-import-refused")
    with rt.reading() as session:  # nothing was imported
        assert session.scalar(sa.text("SELECT count(*) FROM user_account")) == 1

    admin.set_input_files("#import-file", str(delegates_file(tmp_path / "代表名单.xlsx", bad_row=False)))
    admin.click("#dry-run")
    admin.wait_for_selector("#import-result .flash-success")
    admin.set_input_files("#import-file", str(delegates_file(tmp_path / "代表名单.xlsx", bad_row=False)))
    admin.click("#import-now")
    admin.wait_for_selector("#import-done")
    assert "20" in admin.locator("#import-done").inner_text()
    shot(admin, "05-import-done")
    admin.goto(f"{server}/admin/congresses/c8")
    assert admin.locator("#delegates tr[data-delegate]").count() == 20
    shot(admin, "06-delegates")

    d01 = sign_in(browser, server, "d01")
    d01.goto(f"{server}/proposals/")
    d01.click("#new-proposal")
    d01.fill("input[name=title]", TITLE)
    d01.select_option("select[name=category]", "campus")
    d01.fill("textarea[name=cause]", "图书馆周末下午五点闭馆，教职工难以利用。")
    d01.fill("textarea[name=suggestion]", "建议周末开放至晚上九点，并增加自助借还设备。")
    d01.click("#publish")
    d01.wait_for_selector("#cosign-count, .cosign-count")
    shot(d01, "07-proposal-published")
    with rt.reading() as session:
        proposal = session.scalars(sa.select(Proposal).where(Proposal.title == TITLE)).one()
        pid, case_id = proposal.id, proposal.case_id

    d02 = sign_in(browser, server, "d02")
    d02.goto(f"{server}/proposals/{pid}")
    d02.click("#cosign-button")
    d02.wait_for_selector("#unsign")

    committee = sign_in(browser, server, "d20")
    submit_task(committee, server, rt, case_id, "collect_cosignatures")
    submit_task(committee, server, rt, case_id, "committee_review", lambda p: (
        p.check("input[name=decision][value=register]") if p.locator("input[name=decision]").count()
        else p.select_option("select[name=decision]", "register"),
        p.fill("textarea[name=review_opinion]", "符合立案条件，同意立案。")))
    with rt.reading() as session:
        task_id = session.scalar(sa.select(Task.id).where(Task.case_id == case_id, Task.name == "assign"))
    committee.goto(f"{server}/tasks/{task_id}")
    options = committee.locator("select[name=lead_department] option").all_inner_texts()
    assert "图书馆" in options and "国际交流处" in options, options
    committee.select_option("select[name=lead_department]", "library")
    shot(committee, "08-assign-to-new-department")
    with committee.expect_navigation():
        committee.click("form.stack button[type=submit].primary")
    shot(committee, "09-assigned")
    with rt.reading() as session:
        assert session.get(Proposal, pid).lead_department == "library"
        groups = session.scalar(sa.select(Task.candidate_groups).where(Task.case_id == case_id,
                                                                       Task.name == "confirm_assignment"))
    assert groups == ["dept:library"]
