"""Attachments: checked by their content (magic bytes), size-limited, stored on disk under the uploads directory.

Files live in ``DOCKET_UPLOADS_DIR`` (default ``<DOCKET_HOME>/uploads``) under random names; the database keeps
the name, type, size and SHA-256. Only PDF, DOCX, XLSX, images (PNG, JPEG, GIF, WebP) and plain text are taken,
and the content must match the extension (a renamed executable or a macro-enabled document is refused).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Invalid, NotFound
from engine.models import Task
from engine.queries import iso, visible_case
from engine.runtime import Runtime

from .models import Attachment

MAX_BYTES = int(float(os.environ.get("DOCKET_UPLOAD_MAX_MB", "10")) * 1024 * 1024)
TYPES = {  # extension -> (kind, content type)
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "png": ("png", "image/png"), "jpg": ("jpeg", "image/jpeg"), "jpeg": ("jpeg", "image/jpeg"),
    "gif": ("gif", "image/gif"), "webp": ("webp", "image/webp"), "txt": ("txt", "text/plain; charset=utf-8"),
}
ALLOWED = ", ".join(sorted({e for e in TYPES if e != "jpeg"}))


def uploads_dir(home: Path) -> Path:
    """Where files are kept: ``DOCKET_UPLOADS_DIR``, else ``<home>/uploads``."""
    configured = os.environ.get("DOCKET_UPLOADS_DIR")
    return Path(configured).resolve() if configured else Path(home).resolve() / "uploads"


def clean_filename(name: str) -> str:
    """The base name without directories, control characters or Unicode format characters (bidi overrides
    and isolates such as U+202E that make ``\u202egnp.txt`` look like ``txt.png``, zero-width characters,
    byte-order marks), NFC-normalised, at most 255 characters."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    base = re.sub(r"[\"<>|:*?]", "", base).strip(" .")
    return base[-255:]


def _office_kind(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(data: bytes) -> str | None:
    """The kind the content really is (pdf, docx, xlsx, png, jpeg, gif, webp, txt), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return "txt" if _is_text(data) else None


def check_file(filename: str, data: bytes) -> tuple[str, str, str]:
    """(clean name, kind, content type) of an acceptable file, else Invalid naming the field 'file'."""
    name = clean_filename(filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or ext not in TYPES:
        raise Invalid(f"'{name or filename}' is not an allowed type (allowed: {ALLOWED})",
                      [{"field": "file", "code": "type_not_allowed",
                        "message": f"type not allowed; allowed: {ALLOWED}"}])
    if not data:
        raise Invalid(f"'{name}' is empty", [{"field": "file", "code": "empty", "message": "is empty"}])
    if len(data) > MAX_BYTES:
        raise Invalid(f"'{name}' is larger than {MAX_BYTES // (1024 * 1024)} MB",
                      [{"field": "file", "code": "too_large",
                        "message": f"larger than {MAX_BYTES // (1024 * 1024)} MB"}])
    kind, content_type = TYPES[ext]
    if sniff(data) != kind:
        raise Invalid(f"the content of '{name}' is not a real .{ext} file",
                      [{"field": "file", "code": "content_mismatch",
                        "message": f"content does not match .{ext}"}])
    return name, kind, content_type


@contextmanager
def kept_file(directory: Path, name: str, data: bytes) -> Iterator[str]:
    """Write ``data`` under a fresh stored name (yielded) in ``directory``; remove the file again if the block
    fails, so a refused or rolled-back upload leaves nothing on disk."""
    directory.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + "." + name.rsplit(".", 1)[-1].lower()
    path = directory / stored
    path.write_bytes(data)
    try:
        yield stored
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def store_attachment(rt: Runtime, actor: Actor, directory: Path, case_id: int, filename: str, data: bytes,
                     task_id: str | None = None) -> Attachment:
    """Check and keep a file for a case the caller may read (one transaction; the file is removed on failure)."""
    name, kind, content_type = check_file(filename, data)
    with kept_file(directory, name, data) as stored, rt.transaction() as session:
        case = visible_case(session, actor, case_id)
        if task_id:
            task = session.get(Task, task_id)
            if task is None or task.case_id != case.id:
                raise Invalid(f"task {task_id} is not a task of case {case.business_key}",
                              [{"field": "task_id", "message": "not in this case"}])
        row = Attachment(case_id=case.id, task_id=task_id or None, filename=name, kind=kind,
                         content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                         stored_name=stored, uploaded_by=actor.username, uploaded_at=utcnow())
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


def open_attachment(session: so.Session, actor: Actor, directory: Path, attachment_id: int
                    ) -> tuple[Attachment, Path]:
    """The attachment and its file, if the caller may read its case (404 / 403 otherwise)."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"attachment {attachment_id} does not exist")
    visible_case(session, actor, row.case_id)
    return row, stored_file(directory, row.stored_name, attachment_id)


def stored_file(directory: Path, stored_name: str, attachment_id: int) -> Path:
    """Where an attachment's file lies on disk (NotFound when it has gone missing)."""
    path = directory / stored_name
    if not path.is_file():
        raise NotFound(f"the file of attachment {attachment_id} is missing on the server")
    return path


def attachment_json(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "case_id": a.case_id, "task_id": a.task_id, "comment_id": a.comment_id,
            "filename": a.filename, "kind": a.kind, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "uploaded_by": a.uploaded_by, "uploaded_at": iso(a.uploaded_at),
            "url": f"/api/v1/attachments/{a.id}"}
