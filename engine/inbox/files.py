"""The files attached to a case, offered beside every task of it (the ``case_documents`` hook of engine.summary)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Case

from .models import Attachment


def case_files(session: so.Session, case: Case, documents: list[dict[str, Any]], **_: Any) -> None:
    """Every attachment of the case (the reader may read the case: the task page checked)."""
    rows = session.execute(sa.select(Attachment.id, Attachment.filename, Attachment.uploaded_at)
                           .where(Attachment.case_id == case.id)).all()
    documents.extend({"title": name, "url": f"/inbox/attachments/{file_id}", "created_at": at.isoformat()}
                     for file_id, name, at in rows)
