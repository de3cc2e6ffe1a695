"""The stored documents of cases (SQLAlchemy 2 typed model on engine.models.Base)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base


class CaseDocument(Base):
    """A document a case's process produced (a filled template, a notice): the file and what it states."""

    __tablename__ = "case_document"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(128))  # what made it: the template's file name, a notice kind
    title: so.Mapped[str] = so.mapped_column(sa.String(256))
    filename: so.Mapped[str] = so.mapped_column(sa.String(256))
    media_type: so.Mapped[str] = so.mapped_column(sa.String(128))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    size: so.Mapped[int]
    facts: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)  # e.g. the template's blank fields
    created_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime]
