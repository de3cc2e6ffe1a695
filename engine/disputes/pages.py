"""The case file of a mediation or appeal and its documents, offered beside every task of the case (the
``case_links`` and ``case_documents`` hooks of engine.summary)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.models import Case

from .access import kind_of, may_read
from .models import DisputeDocument


def case_file_link(session: so.Session, case: Case, actor: Actor, links: list[dict[str, Any]], **_: Any) -> None:
    """A mediation or appeal case links to its case file (deadlines, documents, recusal, consent)."""
    if kind_of(case) is not None and may_read(session, actor, case):
        links.append({"url": f"/disputes/cases/{case.id}", "label": {"zh": "案卷", "en": "Case file"}})


def case_file_documents(session: so.Session, case: Case, actor: Actor, documents: list[dict[str, Any]],
                        **_: Any) -> None:
    """The notices, records and decisions the case produced."""
    if kind_of(case) is None or not may_read(session, actor, case):
        return
    rows = session.execute(sa.select(DisputeDocument.id, DisputeDocument.title, DisputeDocument.created_at)
                           .where(DisputeDocument.case_id == case.id)).all()
    documents.extend({"title": title, "url": f"/disputes/documents/{doc_id}", "created_at": at.isoformat()}
                     for doc_id, title, at in rows)
