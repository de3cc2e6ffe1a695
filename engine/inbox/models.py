"""Tables of the inbox: saved filters (private or shared with a group), comments and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base


class SavedFilter(Base):
    """A named set of inbox filters, owned by one user and optionally shared with one of their groups."""

    __tablename__ = "saved_filter"
    __table_args__ = (
        sa.UniqueConstraint("owner", "name", name="uq_saved_filter_owner_name"),
        sa.Index("ix_saved_filter_shared_group", "shared_group"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner: so.Mapped[str] = so.mapped_column(sa.String(64))
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    params: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    shared_group: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime]


class Comment(Base):
    """A remark on a case, optionally about one of its tasks; @mentions notify the people named."""

    __tablename__ = "case_comment"
    __table_args__ = (sa.Index("ix_case_comment_case_id", "case_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    author: so.Mapped[str] = so.mapped_column(sa.String(64))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    mentions: so.Mapped[list[Any]] = so.mapped_column(default=list)
    created_at: so.Mapped[datetime]


class Attachment(Base):
    """A checked file kept on disk (``stored_name`` under the uploads directory), attached to a case."""

    __tablename__ = "attachment"
    __table_args__ = (sa.Index("ix_attachment_case_id", "case_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    comment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("case_comment.id", ondelete="SET NULL"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(128))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    uploaded_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_at: so.Mapped[datetime]
