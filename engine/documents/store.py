"""Keep documents with their cases; list and serve them to whoever may read the case."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Forbidden, NotFound
from engine.models import Case
from engine.queries import iso, visible_case

from .models import CaseDocument

ReadRule = Callable[[so.Session, Actor, Case], "bool | None"]
_read_rules: list[ReadRule] = []

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class DocumentFile:
    """A document's bytes with the name and media type to serve it under, and the case it belongs to."""

    case_id: int
    filename: str
    media_type: str
    content: bytes


def add_read_rule(rule: ReadRule) -> None:
    """Let a feature decide who reads the documents of its own cases: ``rule(session, actor, case)`` answers
    True or False for a case of that feature and None for any other (then the core's rule applies: whoever may
    read the case). Idempotent per rule."""
    if rule not in _read_rules:
        _read_rules.append(rule)


def readable_case(session: so.Session, actor: Actor, case_id: int) -> Case:
    """The case, if ``actor`` may read its documents.

    :raises NotFound: there is no such case.
    :raises Forbidden: the caller may not read the case's documents.
    """
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    for rule in _read_rules:
        answer = rule(session, actor, case)
        if answer is not None:
            if not answer:
                raise Forbidden(f"you may not see the documents of case {case.business_key}")
            return case
    return visible_case(session, actor, case_id)


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
    readable_case(session, actor, case_id)
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
    readable_case(session, actor, row.case_id)
    return DocumentFile(row.case_id, row.filename, row.media_type, row.content)


def document_links(session: so.Session, case: Case, documents: list[dict[str, Any]], **_: Any) -> None:
    """Every document of the case, for the list beside its tasks (the ``case_documents`` hook of engine.summary;
    the task page has checked that the reader may read the case)."""
    rows = session.execute(sa.select(CaseDocument.id, CaseDocument.title, CaseDocument.created_at)
                           .where(CaseDocument.case_id == case.id).order_by(CaseDocument.id)).all()
    documents.extend({"title": title, "url": f"/cases/{case.id}/documents/{doc_id}", "created_at": at.isoformat()}
                     for doc_id, title, at in rows)
