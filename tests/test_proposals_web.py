"""The proposal and archive pages through the web client, signed in as different users."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_proposals_helpers import BODY, REPLY, congress, do, row, to_reply

from engine.config import Settings
from engine.congress.models import Proposal
from engine.runtime import Runtime

__all__ = ["congress"]


@pytest.fixture
def web(rt: Runtime, database_url: str, tmp_path: Path, congress: dict[str, Any]) -> Any:
    from webui import create_app

    settings = Settings(database_url=database_url, secret_key="test-secret", home=tmp_path)
    app = create_app(settings, runtime=rt, overrides={"TESTING": True, "WTF_CSRF_ENABLED": False})

    def client(user: str | None) -> Any:
        c = app.test_client()
        if user:
            res = c.post("/login", data={"username": user, "password": f"pw-{user}"})
            assert res.status_code in (302, 303)
        return c

    return client


def _latest(rt: Runtime) -> Proposal:
    import sqlalchemy as sa

    with rt.reading() as session:
        found = session.scalars(sa.select(Proposal).order_by(Proposal.id.desc())).first()
        session.expunge(found)
        return found


def test_draft_publish_cosign_and_archive_pages(rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    wang = web("wang")
    page = wang.get("/proposals/")
    assert page.status_code == 200 and 'id="new-proposal"' in page.get_data(as_text=True)
    bad = wang.post("/proposals/new", data={"congress": "school", "title": "短", "action": "save"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    res = wang.post("/proposals/new", data={"congress": "school", **BODY, "action": "save"})
    assert res.status_code == 302
    draft = _latest(rt)
    assert draft.status == "draft"
    assert web("li").get(f"/proposals/{draft.id}").status_code == 404  # private draft
    res = wang.post(f"/proposals/{draft.id}/edit", data={**BODY, "action": "publish"})
    assert res.status_code == 302 and row(rt, draft.id).status == "seconding"
    for name in ("li", "zheng", "wu"):
        client = web(name)
        assert 'id="cosign-button"' in client.get(f"/proposals/{draft.id}").get_data(as_text=True)
        assert client.post(f"/proposals/{draft.id}/cosign").status_code == 302
    assert web("zheng").post(f"/proposals/{draft.id}/unsign").status_code == 302
    assert web("zheng").post(f"/proposals/{draft.id}/cosign").status_code == 302
    detail = wang.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert "<strong>3</strong> / 3" in detail
    a = congress["actors"]
    case_id = row(rt, draft.id).case_id
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    archive = web("chen").get("/archive/?q=窗口").get_data(as_text=True)
    assert BODY["title"] in archive
    assert BODY["title"] not in web("chen").get("/archive/?q=图书馆").get_data(as_text=True)
    assert REPLY["reply"] in web("chen").get(f"/archive/{draft.id}").get_data(as_text=True)
    assert web(None).get("/archive/").status_code == 302  # staff-only archive: sign in first


def test_statistics_page_and_downloads(rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    zhao = web("zhao")
    page = zhao.get("/proposals/statistics?congress=school")
    assert page.status_code == 200
    assert 'id="completion-rate"' in page.get_data(as_text=True)
    xlsx = zhao.get("/proposals/statistics.xlsx?congress=school")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert zhao.get("/proposals/statistics.csv?congress=cs").status_code == 403
    assert web("chen").get("/proposals/statistics").status_code == 200  # empty state, no congress


def test_public_archive_can_be_read_anonymously(rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    from engine.congress.models import Congress

    with rt.transaction() as session:
        session.get(Congress, congress["ids"]["school"]).settings = {"archive": "public"}
    assert web(None).get("/archive/").status_code == 200


def test_duty_record_lists_proposals_cosignatures_and_meetings(rt: Runtime, web: Any,
                                                               congress: dict[str, Any]) -> None:
    from test_proposals_helpers import submit

    a = congress["actors"]
    submit(rt, a, proposer="wang", signers=("li", "zheng", "wu"))
    submit(rt, a, proposer="zheng", signers=("li",))
    li = web("li")
    sid = congress["ids"]["school_session"]
    assert li.post("/proposals/duty", data={"session_id": sid, "kind": "meeting", "title": "代表团分组讨论",
                                            "happened_on": "2026-11-20"}).status_code == 302
    assert li.post("/proposals/duty?user=wang", data={"session_id": sid, "kind": "meeting", "title": "冒名记录",
                                                      "happened_on": "2026-11-20"}).status_code == 302
    page = li.get("/proposals/duty").get_data(as_text=True)
    assert "代表团分组讨论" in page and page.count("badge badge-open") == 2  # two co-signatures
    assert "冒名记录" not in web("wang").get("/proposals/duty").get_data(as_text=True)  # refused
    csv_text = li.get("/proposals/duty.csv").data.decode("utf-8-sig")
    assert csv_text.count("附议") == 2 and "代表团分组讨论" in csv_text
    assert "代表团分组讨论" in web("zhao").get("/proposals/duty?user=li").get_data(as_text=True)  # committee
    assert "代表团分组讨论" not in web("wang").get("/proposals/duty?user=li").get_data(as_text=True)


def test_lead_department_updates_the_grade_on_the_page(rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    from test_proposals_helpers import submit

    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    do(rt, a["chen"], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a["wang"], case_id, "proposer_rating", {"rating": "basic"})
    do(rt, a["chen"], case_id, "grade_implementation", {"grade": "C", "grade_note": "需待条件成熟。"})
    chen = web("chen")
    assert 'id="update-grade"' in chen.get(f"/proposals/{pid}").get_data(as_text=True)
    assert 'id="update-grade"' not in web("wang").get(f"/proposals/{pid}").get_data(as_text=True)
    chen.post(f"/proposals/{pid}/grade", data={"grade": "B", "grade_note": "已列入明年计划。"})
    assert row(rt, pid).grade == "B"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_proposal_files_from_the_draft_on_with_the_checks_of_comment_files(rt: Runtime, web: Any,
                                                                           congress: dict[str, Any]) -> None:
    from io import BytesIO

    wang = web("wang")
    assert wang.post("/proposals/new", data={"congress": "school", **BODY, "action": "save"}).status_code == 302
    draft = _latest(rt)
    res = wang.post(f"/proposals/{draft.id}/attachments", data={"file": (BytesIO(PDF), "食堂调查.pdf")},
                    content_type="multipart/form-data")
    assert res.status_code == 302
    page = wang.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert "食堂调查.pdf" in page and 'id="attach-form"' in page
    fake = wang.post(f"/proposals/{draft.id}/attachments", data={"file": (BytesIO(b"MZ\x90\x00\x03"), "a.pdf")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "a.pdf" in fake.get_data(as_text=True) and "文件内容与扩展名不符" in fake.get_data(as_text=True)
    exe = wang.post(f"/proposals/{draft.id}/attachments", data={"file": (BytesIO(b"x"), "run.exe")},
                    content_type="multipart/form-data")
    assert exe.status_code == 302
    import sqlalchemy as sa

    from engine.congress.models import ProposalAttachment

    with rt.reading() as session:
        files = session.scalars(sa.select(ProposalAttachment).where(ProposalAttachment.proposal_id == draft.id)).all()
        assert [f.filename for f in files] == ["食堂调查.pdf"]
        file_id = files[0].id
    got = wang.get(f"/proposals/attachments/{file_id}")
    assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
    assert web("li").get(f"/proposals/attachments/{file_id}").status_code == 404  # a private draft's file
    assert web("li").post(f"/proposals/{draft.id}/attachments", data={"file": (BytesIO(PDF), "x.pdf")},
                          content_type="multipart/form-data").status_code == 404
    # published: the file stays with the proposal, delegates read it, the proposer may add more but not remove
    assert wang.post(f"/proposals/{draft.id}/edit", data={**BODY, "action": "publish"}).status_code == 302
    assert web("li").get(f"/proposals/attachments/{file_id}").data == PDF
    assert 'id="attach-form"' not in web("li").get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert wang.post(f"/proposals/{draft.id}/attachments", data={"file": (BytesIO(b"notes"), "补充.txt")},
                     content_type="multipart/form-data").status_code == 302
    wang.post(f"/proposals/attachments/{file_id}/remove", data={"proposal_id": draft.id})
    assert wang.get(f"/proposals/attachments/{file_id}").status_code == 200
    page = wang.get(f"/proposals/{draft.id}").get_data(as_text=True)
    assert "食堂调查.pdf" in page and "补充.txt" in page


def test_print_view_and_documents_on_the_proposal_page(rt: Runtime, web: Any, congress: dict[str, Any]) -> None:
    from test_proposals_helpers import submit

    a = congress["actors"]
    pid, case_id = submit(rt, a)
    to_reply(rt, a, case_id)
    wang = web("wang")
    page = wang.get(f"/proposals/{pid}").get_data(as_text=True)
    assert 'id="print-view"' in page and "data-print" not in page  # one print action: the proposal form
    assert f"/cases/{case_id}/documents/" in page and "提案表" in page and "交办通知书" in page
    sheet = wang.get(f"/proposals/{pid}/print").get_data(as_text=True)
    assert 'id="proposal-sheet"' in sheet and "人事处" in sheet
    assert re.search(r'id="sheet-cosigners">Li、Zheng、Wu（[^<·]*3[^<·]*）<', sheet)  # names, then how many
    assert BODY["cause"] in sheet and "welfare" not in sheet and 'data-print' in sheet
    assert web("gao").get(f"/proposals/{pid}/print").status_code == 404  # not a delegate of this congress
    css = wang.get("/static/docket.css").get_data(as_text=True)
    assert "@media print" in css
