"""The inbox pages (no browser): one list query whatever the size, filters, saved filters, bulk, delegate,
comments with files on the case and task pages, en and zh."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_inbox_api import make_task, review_tasks

from engine.clock import utcnow
from engine.config import Settings
from engine.instances import start_case
from engine.runtime import Runtime

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Path, people: dict, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app with CSRF off (form posts from the test client); uploads under the test's folder."""
    from webui import create_app

    monkeypatch.setenv("DOCKET_UPLOADS_DIR", str(tmp_path / "uploads"))
    app = create_app(Settings(database_url=database_url, secret_key="t", home=tmp_path), runtime=rt,
                     overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})
    return app


def signed_in(web: Any, user: str) -> Any:
    client = web.test_client()
    res = client.post("/login", data={"username": user, "password": f"pw-{user}"})
    assert res.status_code == 302, res.data[:300]
    return client


def count_statements(rt: Runtime, call: Any, statements: list[str] | None = None) -> tuple[int, Any]:
    statements = [] if statements is None else statements

    def listen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(rt.db, "before_cursor_execute", listen)
    try:
        result = call()
    finally:
        sa.event.remove(rt.db, "before_cursor_execute", listen)
    return len(statements), result


def test_inbox_page_query_count_does_not_grow_with_tasks(web: Any, rt: Runtime, review_process: Any) -> None:
    client = signed_in(web, "qian")
    now = utcnow()
    for i in range(5):
        make_task(rt, review_process, f"审查 {i}", ["committee"], now + timedelta(days=i - 2))
    client.get("/inbox")  # warm caches (login, babel)
    few, res = count_statements(rt, lambda: client.get("/inbox"))
    assert res.status_code == 200 and res.data.count(b'class="task-link"') == 5
    for i in range(495):
        make_task(rt, review_process, f"审查 {i + 5}", ["committee"], now + timedelta(hours=i - 100))
    seen: list[str] = []
    many, res = count_statements(rt, lambda: client.get("/inbox"), seen)
    assert res.status_code == 200 and res.data.count(b'class="task-link"') == 50  # one page of 500
    assert "500" in re.search(r'class="count">(\d+)<', res.get_data(as_text=True)).group(0)
    assert many == few, f"{few} statements with 5 tasks, {many} with 500"
    print(f"inbox page: {many} SQL statements with 500 tasks")
    assert many <= 15, many
    listing = [s for s in seen if s.startswith("SELECT task.id") and "LIMIT" in s]
    assert len(listing) == 1, listing  # the list itself: one statement (with its total as a window count)


def test_filters_tabs_and_views_on_the_page(web: Any, rt: Runtime, review_process: Any) -> None:
    now = utcnow()
    make_task(rt, review_process, "逾期的审查", ["committee"], now - timedelta(days=2), case_title="关于食堂")
    make_task(rt, review_process, "以后的审查", ["committee"], now + timedelta(days=20))
    client = signed_in(web, "qian")
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index("逾期的审查") < page.index("以后的审查")
    assert "2 d overdue" in page or "逾期 2 天" in page
    assert "以后的审查" not in client.get("/inbox?view=overdue").get_data(as_text=True)
    assert "逾期的审查" not in client.get("/inbox?q=以后").get_data(as_text=True)
    assert "逾期的审查" in client.get("/inbox?q=食堂").get_data(as_text=True)
    empty = client.get("/inbox?view=today").get_data(as_text=True)
    assert 'class="task-link"' not in empty and 'class="empty"' in empty


def test_saved_filter_form_and_a_colleague_sees_it(web: Any, rt: Runtime, review_process: Any) -> None:
    now = utcnow()
    make_task(rt, review_process, "逾期的审查", ["committee"], now - timedelta(days=2))
    make_task(rt, review_process, "以后的审查", ["committee"], now + timedelta(days=20))
    zhao = signed_in(web, "zhao")
    res = zhao.post("/inbox/filters", data={"name": "逾期待审", "view": "overdue", "shared_group": "committee"})
    assert res.status_code == 302 and "filter=" in res.headers["Location"]
    qian = signed_in(web, "qian")
    page = qian.get("/inbox").get_data(as_text=True)
    fid = re.search(r'href="/inbox\?filter=(\d+)" data-filter="逾期待审"', page).group(1)
    shown = qian.get(f"/inbox?filter={fid}").get_data(as_text=True)
    assert "逾期的审查" in shown and "以后的审查" not in shown
    assert qian.post(f"/inbox/filters/{fid}/delete").status_code == 403  # only zhao may delete it
    assert 'data-filter="逾期待审"' not in signed_in(web, "chen").get("/inbox").get_data(as_text=True)


def test_bulk_claim_from_the_page_reports_each_task(web: Any, rt: Runtime, people: dict,
                                                    review_process: Any) -> None:
    ids = review_tasks(rt, people, 3)
    signed_in(web, "qian").post(f"/tasks/{ids[2]}/claim")
    zhao = signed_in(web, "zhao")
    res = zhao.post("/inbox/bulk", data={"action": "claim", "task": ids}, follow_redirects=True)
    page = res.get_data(as_text=True)
    assert "2 of 3 tasks claimed." in page or "3 项任务中已认领 2 项。" in page
    assert page.count("flash-error") == 2  # the summary, and the one task qian holds
    mine = zhao.get("/inbox?scope=mine").get_data(as_text=True)
    assert mine.count('class="task-link"') == 2
    refused = zhao.post("/inbox/bulk", data={"action": "reassign", "task": ids, "user": "qian"},
                        follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in refused and "只有督办人员可以改派任务" in refused  # only supervisors reassign
    assert zhao.get("/inbox?scope=mine").get_data(as_text=True).count('class="task-link"') == 2
    sun = signed_in(web, "sun")
    assert 'name="user"' in sun.get("/inbox").get_data(as_text=True)  # the reassign picker
    sun.post("/inbox/bulk", data={"action": "reassign", "task": ids[:2], "user": "qian"})
    assert signed_in(web, "qian").get("/inbox?scope=mine").get_data(as_text=True).count('class="task-link"') == 3


def test_delegate_from_the_task_page(web: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    (task_id,) = review_tasks(rt, people, 1)
    zhao = signed_in(web, "zhao")
    page = zhao.get(f"/tasks/{task_id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\w+)">', page[page.index('id="delegate-user"'):])
    assert options == ["qian"]  # the people allowed to do it, not oneself
    assert zhao.post(f"/inbox/tasks/{task_id}/delegate", data={"user": "chen"}).status_code == 422
    res = zhao.post(f"/inbox/tasks/{task_id}/delegate", data={"user": "qian"})
    assert res.status_code == 302
    assert signed_in(web, "qian").get("/inbox?scope=mine").get_data(as_text=True).count('class="task-link"') == 1
    supervisor = signed_in(web, "sun").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="delegate-user"' in supervisor  # sun may reassign qian's task


def test_comment_with_attachment_on_the_case_page(web: Any, rt: Runtime, people: dict,
                                                  review_process: Any) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {"title": "关于食堂的建议"})
    wang = signed_in(web, "wang")
    res = wang.post(f"/inbox/cases/{case.id}/comments", data={
        "body": "请 @sun 阅", "file": (io.BytesIO(PDF), "依据.pdf"), "next": f"/cases/{case.id}"},
        content_type="multipart/form-data")
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/cases/{case.id}#comments")
    page = wang.get(f"/cases/{case.id}").get_data(as_text=True)
    assert page.count('id="comments"') == 1  # rendered once, in the body
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "comment" not in title and "<" not in title
    assert "请 @sun 阅" in page
    link = re.search(r'href="(/inbox/attachments/\d+)"', page).group(1)
    assert wang.get(link).data == PDF
    assert signed_in(web, "chen").get(link).status_code == 403
    bad = wang.post(f"/inbox/cases/{case.id}/comments", data={"body": "x", "file": (io.BytesIO(b"MZ"), "a.pdf")},
                    content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in bad and bad.count('class="comment"') == 1  # nothing was posted
    assert '>x</textarea>' in bad  # the refused comment's text is kept for another try
    assert '>x</textarea>' not in wang.get(f"/cases/{case.id}").get_data(as_text=True)


def test_inbox_in_english_and_chinese(web: Any, rt: Runtime, review_process: Any) -> None:
    make_task(rt, review_process, "审查", ["committee"], utcnow() + timedelta(days=1))
    client = signed_in(web, "qian")
    zh = client.get("/inbox").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "<h1>待办" in zh.replace("\n", "")
    en = client.get("/inbox?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "<h1>Inbox</h1>" in en and "How late" in en and "Due today" in en
