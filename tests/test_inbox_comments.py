"""Comments with @mentions and attachments (type by content, size limit, access-checked download), via the API."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from engine.inbox import attachments
from engine.instances import start_case
from engine.runtime import Runtime

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(kind: str, macro: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
        if macro:
            z.writestr("word/vbaProject.bin", b"\x00")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "uploads-here"
    monkeypatch.setenv("DOCKET_UPLOADS_DIR", str(path))
    return path


@pytest.fixture
def case_id(rt: Runtime, people: dict, review_process: Any) -> int:
    return start_case(rt, people["wang"], "proposal_review", {"title": "关于食堂的建议"}).id


def upload(api: Any, user: str, case: int, name: str, data: bytes) -> Any:
    return api.post(f"/api/v1/cases/{case}/attachments", user, data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_mention_notifies_only_people_who_may_read_the_case(api: Any, case_id: int) -> None:
    res = api.post(f"/api/v1/cases/{case_id}/comments", "wang",
                   json={"body": "请 @sun 和 @chen 以及 @nobody 看一下，谢谢", "task_id": None})
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["notified"] == ["sun"]  # a supervisor reads every case
    assert body["not_notified"] == ["chen", "nobody"]  # chen is not involved; nobody does not exist
    bell = api.get("/api/v1/notifications", "sun").get_json()
    items = bell["items"] if isinstance(bell, dict) else bell
    assert any(n["kind"] == "mention" and "请 @sun" in (n["body"] or "") for n in items)
    assert all(n["kind"] != "mention" for n in _items(api.get("/api/v1/notifications", "chen").get_json()))
    listed = api.get(f"/api/v1/cases/{case_id}/comments", "wang").get_json()
    assert [c["author"] for c in listed["comments"]] == ["wang"]


def _items(body: Any) -> list:
    return body["items"] if isinstance(body, dict) else body


def test_comment_access_and_validation(api: Any, case_id: int) -> None:
    assert api.post(f"/api/v1/cases/{case_id}/comments", "chen", json={"body": "hi"}).status_code == 403
    assert api.get(f"/api/v1/cases/{case_id}/comments", "chen").status_code == 403
    assert api.post("/api/v1/cases/99999/comments", "wang", json={"body": "hi"}).status_code == 404
    empty = api.post(f"/api/v1/cases/{case_id}/comments", "wang", json={"body": "   "})
    assert empty.status_code == 422 and empty.get_json()["error"]["details"][0]["field"] == "body"
    wrong_task = api.post(f"/api/v1/cases/{case_id}/comments", "wang", json={"body": "x", "task_id": "nope"})
    assert wrong_task.status_code == 422 and wrong_task.get_json()["error"]["details"][0]["field"] == "task_id"
    assert api.get(f"/api/v1/cases/{case_id}/comments", "wang").get_json()["comments"] == []


@pytest.mark.parametrize("name,data", [("提案附件.pdf", PDF), ("photo.PNG", PNG), ("a.docx", office("docx")),
                                       ("b.xlsx", office("xlsx")), ("说明.txt", "中文说明".encode("gb18030")),
                                       ("c.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)])
def test_allowed_files_are_kept_and_downloaded(api: Any, case_id: int, uploads: Path, name: str, data: bytes) -> None:
    res = upload(api, "wang", case_id, name, data)
    assert res.status_code == 201, res.get_json()
    meta = res.get_json()
    assert meta["filename"] == name and meta["size"] == len(data)
    assert [p.read_bytes() for p in uploads.iterdir()] == [data]  # on disk under DOCKET_UPLOADS_DIR
    got = api.get(meta["url"], "wang")
    assert got.status_code == 200 and got.data == data
    assert "attachment" in got.headers["Content-Disposition"]
    assert api.get(meta["url"], "chen").status_code == 403  # not involved in the case
    assert api.get(meta["url"], "sun").status_code == 200


@pytest.mark.parametrize("name,data,message", [
    ("virus.exe", b"MZ\x90\x00", "type not allowed"),
    ("fake.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "content does not match .pdf"),
    ("macro.docx", office("docx", macro=True), "content does not match .docx"),
    ("sheet.docx", office("xlsx"), "content does not match .docx"),
    ("bin.txt", b"abc\x00def", "content does not match .txt"),
    ("noext", b"hello", "type not allowed"),
    ("empty.txt", b"", "is empty"),
])
def test_refused_files_leave_nothing(api: Any, case_id: int, uploads: Path, name: str, data: bytes,
                                     message: str) -> None:
    res = upload(api, "wang", case_id, name, data)
    assert res.status_code == 422
    assert res.get_json()["error"]["details"][0]["field"] == "file"
    assert message in res.get_json()["error"]["details"][0]["message"]
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_size_limit(api: Any, case_id: int, uploads: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "MAX_BYTES", 1024)
    res = upload(api, "wang", case_id, "big.txt", b"a" * 1025)
    assert res.status_code == 422 and "larger than" in res.get_json()["error"]["message"]
    assert upload(api, "wang", case_id, "ok.txt", b"a" * 1024).status_code == 201


def test_upload_to_a_case_one_may_not_read_stores_nothing(api: Any, case_id: int, uploads: Path) -> None:
    assert upload(api, "chen", case_id, "a.pdf", PDF).status_code == 403
    assert list(uploads.iterdir()) == []


def test_comment_with_attachment(api: Any, case_id: int) -> None:
    file_id = upload(api, "wang", case_id, "依据.pdf", PDF).get_json()["id"]
    res = api.post(f"/api/v1/cases/{case_id}/comments", "wang", json={"body": "见附件", "attachments": [file_id]})
    assert res.status_code == 201
    listed = api.get(f"/api/v1/cases/{case_id}/comments", "sun").get_json()
    assert [a["filename"] for a in listed["comments"][0]["attachments"]] == ["依据.pdf"]
    assert listed["attachments"] == []  # no longer loose
