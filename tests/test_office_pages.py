"""The administration pages without a browser, the designer's retire button and modeler checks, and the
command line: ``docket init --office`` and ``docket import``."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import HERE, ROOT, deploy_file
from openpyxl import Workbook

from engine.access import ADMIN as ADMIN_GROUP
from engine.access import Actor
from engine.cli import main
from engine.config import Settings
from engine.congress.congresses import create_congress_in_scope
from engine.runtime import Runtime


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Path, people: dict) -> Any:
    from webui import create_app

    app = create_app(Settings(database_url=database_url, secret_key="t", home=tmp_path), runtime=rt,
                     overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})

    def client(user: str) -> Any:
        c = app.test_client()
        res = c.post("/login", data={"username": user, "password": f"pw-{user}"})
        assert res.status_code == 302
        return c

    return client


def text(res: Any) -> str:
    return res.get_data(as_text=True)


ADMIN = Actor("admin", frozenset({ADMIN_GROUP}))
PAGES = ["/admin/", "/admin/units", "/admin/users", "/admin/users/wang", "/admin/users/import", "/admin/congresses",
         "/admin/calendar", "/admin/history"]


def test_only_administrators_open_the_pages_and_they_speak_chinese(web: Any) -> None:
    admin, wang = web("admin"), web("wang")
    for path in PAGES:
        page = admin.get(path)
        assert page.status_code == 200, path
        body = text(page)
        assert "管理" in body and not re.search(r">\s*(Units|Staff|Congresses|Change history)\s*<", body), path
        assert "<script>" not in body and 'style="' not in body, path
        assert wang.get(path).status_code == 403, path
    assert 'href="/admin/"' in text(admin.get("/inbox")) and 'href="/admin/"' not in text(wang.get("/inbox"))


def test_units_page_adds_renames_and_deactivates(web: Any) -> None:
    admin = web("admin")
    res = admin.post("/admin/units", data={"name": "图书馆", "key": "library", "kind": "department"},
                     follow_redirects=True)
    assert 'data-unit="library"' in text(res) and "已新增单位" in text(res)
    res = admin.post("/admin/units", data={"name": "又一个", "key": "library", "kind": "department"},
                     follow_redirects=True)
    assert "未保存" in text(res) and "已被使用" in text(res)
    res = admin.post("/admin/units/library", data={"active": "false"}, follow_redirects=True)
    assert re.search(r'data-unit="library" class="row-inactive"', text(res))
    history = text(admin.get("/admin/history?target=unit:library"))
    assert "新增单位" in history and "修改单位" in history


def test_deactivated_user_cannot_sign_in_and_the_last_admin_stays(web: Any) -> None:
    admin = web("admin")
    res = admin.post("/admin/users/wang", data={"action": "deactivate"}, follow_redirects=True)
    assert "已停用" in text(res)

    fresh = admin.application.test_client()  # the same app: sign-in is refused now
    refused = fresh.post("/login", data={"username": "wang", "password": "pw-wang"})
    assert refused.status_code == 401
    res = admin.post("/admin/users/admin", data={"action": "deactivate"}, follow_redirects=True)
    assert "须保留至少一名在用的管理员" in text(res)


def test_staff_import_page_lists_bad_rows_then_imports(web: Any) -> None:
    admin = web("admin")
    book = Workbook()
    for row in (["用户名", "姓名", "单位", "密码"], ["t1", "甲老师", "人事处", "pw-t1"], ["t2", "", "火星", "pw-t2"]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    res = admin.post("/admin/users/import", data={"dry_run": "false", "file": (io.BytesIO(data.getvalue()),
                                                                                "名单.xlsx")},
                     content_type="multipart/form-data")
    body = text(res)
    assert 'id="import-errors"' in body and body.count("第 3 行") == 2 and "没有名为“火星”的单位" in body
    users = text(admin.get("/admin/users"))  # nothing imported (a bare "t1" could stand in the page's CSRF token)
    assert 'data-user="admin"' in users and 'data-user="t1"' not in users


def test_calendar_page_enters_a_year_and_refuses_a_bad_date(web: Any) -> None:
    admin = web("admin")
    res = admin.post("/admin/calendar/2027", data={"holidays": "2027-01-01\n2026-12-31", "workdays": ""},
                     follow_redirects=True)
    assert "2026-12-31 不在 2027 年内" in text(res)
    res = admin.post("/admin/calendar/2027", data={"holidays": "2027-01-01", "workdays": "2027-02-20"},
                     follow_redirects=True)
    assert "办公室录入" in text(res) and "2027-02-20" in text(res)


def test_modeler_refuses_an_unnamed_or_empty_process(web: Any, rt: Runtime) -> None:
    from webui.designer import NEW_PROCESS

    zhou = web("zhou")
    assert 'name="key"' in text(zhou.get("/designer/modeler"))
    unnamed = zhou.post("/designer/modeler", data={"process": "", "xml": NEW_PROCESS})
    assert unnamed.status_code == 422 and "请填写流程标识" in text(unnamed) and "请填写流程名称" in text(unnamed)
    empty = zhou.post("/designer/modeler", data={"process": "", "xml": NEW_PROCESS, "key": "leave", "name": "请假"})
    assert empty.status_code == 422 and "no user task" in text(empty)
    with rt.reading() as session:
        from engine.queries import latest_definitions

        assert latest_definitions(session) == []


def test_retire_and_restore_buttons_on_the_process_page(web: Any, rt: Runtime) -> None:
    deploy_file(rt, HERE / "bpmn" / "review" / "review.bpmn")
    zhou = web("zhou")
    page = text(zhou.get("/designer/processes/proposal_review"))
    assert 'id="retire"' in page
    res = zhou.post("/designer/processes/proposal_review/retire", follow_redirects=True)
    assert 'id="retired-badge"' in text(res) and 'id="restore"' in text(res)
    assert "proposal_review" not in text(web("wang").get("/cases/"))  # gone from the start list
    zhou.post("/designer/processes/proposal_review/restore")
    assert 'id="retire"' in text(zhou.get("/designer/processes/proposal_review"))


def test_cli_init_office_then_import_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DOCKET_HOME", str(tmp_path))
    monkeypatch.setenv("DOCKET_PROCESSES_DIR", str(ROOT / "processes"))
    runner = CliRunner()
    res = runner.invoke(main, ["init", "--office"], input="s3cret\ns3cret\n")
    assert res.exit_code == 0, res.output
    assert "administrator admin created" in res.output and "proposals v1 deployed" in res.output
    again = runner.invoke(main, ["init", "--office", "--admin-password", "other"])
    assert again.exit_code != 0 and "already has users" in again.output
    staff = tmp_path / "staff.csv"
    staff.write_text("用户名,姓名,用户组,密码\nt1,甲老师,delegate,pw-t1\nt2,乙老师,nogroup,pw-t2\n", encoding="utf-8")
    res = runner.invoke(main, ["import", "users", str(staff), "--dry-run"])
    assert res.exit_code == 1 and "row 3, column 用户组: unknown group 'nogroup'" in res.output
    staff.write_text("用户名,姓名,用户组,密码\nt1,甲老师,delegate,pw-t1\n", encoding="utf-8")
    res = runner.invoke(main, ["import", "users", str(staff)])
    assert res.exit_code == 0 and "created 1" in res.output
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("用户名,姓名\nt3,丙老师\n".encode("gbk"))
    res = runner.invoke(main, ["import", "users", str(gbk)])
    assert res.exit_code == 1 and "not UTF-8" in res.output
    office = Runtime(url)
    try:
        with office.transaction() as session:
            create_congress_in_scope(session, ADMIN, "c8", "第八届教职工代表大会", "school")
    finally:
        office.dispose()
    delegates = tmp_path / "delegates.csv"
    delegates.write_text("用户名,姓名,代表团,密码\nt1,,第一代表团,\nd2,代表二,第一代表团,pw-d2\n", encoding="utf-8")
    res = runner.invoke(main, ["import", "delegates", "c8", str(delegates)])
    assert res.exit_code == 0 and "2 delegate(s) of c8" in res.output, res.output
