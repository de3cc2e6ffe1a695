"""Keep documents with their cases; list and serve them to whoever may read the case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import NotFound
from engine.models import Case
from engine.queries import iso, visible_case

from .models import CaseDocument

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class DocumentFile:
    """A document's bytes with the name and media type to serve it under, and the case it belongs to."""

    case_id: int
    filename: str
    media_type: str
    content: bytes


def store(session: so.Session, case: Case, *, kind: str, title: str, content: bytes, media_type: str = DOCX,
          facts: dict[str, Any] | None = None, by: str | None = None, now: datetime | None = None) -> CaseDocument:
    """Keep ``content`` with ``case`` (inside the caller's transaction); returns the stored row."""
    extension = "docx" if media_type == DOCX else "bin"
    name = _UNSAFE.sub("", f"{case.business_key}-{title}") or f"document-{case.id}"
    row = CaseDocument(case_id=case.id, kind=kind[:128], title=title[:256], filename=f"{name[:200]}.{extension}",
                       media_type=media_type, content=content, size=len(content), facts=facts or {},
                       created_by=by, created_at=now or utcnow())
    session.add(row)
    session.flush()
    return row


def document_json(row: CaseDocument) -> dict[str, Any]:
    """A document as the API lists it (the file itself is at ``download``)."""
    return {"id": row.id, "case_id": row.case_id, "title": row.title, "created_at": iso(row.created_at),
            "media_type": row.media_type, "filename": row.filename, "size": row.size, "kind": row.kind,
            "created_by": row.created_by, "facts": row.facts, "download": f"/api/v1/documents/{row.id}"}


def case_documents(session: so.Session, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """The documents of a case the caller may read, oldest first.

    :raises NotFound: there is no such case.
    :raises Forbidden: the caller may not read the case.
    """
    visible_case(session, actor, case_id)
    rows = session.scalars(sa.select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(CaseDocument.id))
    return [document_json(r) for r in rows]


def document_file(session: so.Session, actor: Actor, document_id: int) -> DocumentFile:
    """One document's file, if the caller may read its case.

    :raises NotFound: there is no such document.
    :raises Forbidden: the caller may not read the document's case.
    """
    row = session.get(CaseDocument, document_id)
    if row is None:
        raise NotFound(f"document {document_id} does not exist")
    visible_case(session, actor, row.case_id)
    return DocumentFile(row.case_id, row.filename, row.media_type, row.content)
