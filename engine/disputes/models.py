"""Tables of mediation and appeals beyond the case itself: early warnings, recusals, consents to extend,
and links between cases (SQLAlchemy 2 typed models on engine.models.Base)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base


class DisputeWarning(Base):
    """An emerging dispute logged by a department union or the union office (预警)."""

    __tablename__ = "dispute_warning"
    __table_args__ = (sa.Index("ix_dispute_warning_status_created", "status", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reported_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    department: so.Mapped[str] = so.mapped_column(sa.String(128))
    persons: so.Mapped[str] = so.mapped_column(sa.String(512))  # who is involved
    matter: so.Mapped[str] = so.mapped_column(sa.Text)
    category: so.Mapped[str] = so.mapped_column(sa.String(32))  # a MATTER_NAMES key
    risk_level: so.Mapped[str] = so.mapped_column(sa.String(16))  # low, medium, high
    source: so.Mapped[str] = so.mapped_column(sa.String(32))  # dept_union, union_office, petition, congress, other
    status: so.Mapped[str] = so.mapped_column(sa.String(16))  # open, following, closed, converted
    follow_ups: so.Mapped[list[Any]] = so.mapped_column(default=list)  # [{"at", "by", "note"}]
    case_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime]
    updated_at: so.Mapped[datetime]
    closed_at: so.Mapped[datetime | None]


class DisputeRecusal(Base):
    """A request that a mediator, reviewer or panel member step aside (回避), or their own withdrawal."""

    __tablename__ = "dispute_recusal"
    __table_args__ = (sa.Index("ix_dispute_recusal_target_status", "target", "status"),)  # the recusal bar

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    target: so.Mapped[str] = so.mapped_column(sa.String(64))  # the handler's username
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))  # request (by a party), withdrawal (by the handler)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    requested_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[str] = so.mapped_column(sa.String(16))  # pending, granted, refused
    decided_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    decision_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    replacement: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime]
    decided_at: so.Mapped[datetime | None]


class DisputeConsent(Base):
    """A party's recorded consent (or refusal) to extend the mediation period."""

    __tablename__ = "dispute_consent"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    party: so.Mapped[str] = so.mapped_column(sa.String(16))  # applicant, respondent
    agreed: so.Mapped[bool]
    days: so.Mapped[int]
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    recorded_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    used: so.Mapped[bool] = so.mapped_column(default=False)  # consumed by an extension
    created_at: so.Mapped[datetime]


class DisputeLink(Base):
    """Two cases that belong together, e.g. a mediation application routed to the appeal track."""

    __tablename__ = "dispute_link"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    from_case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    to_case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))  # routed_to_appeal
    created_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime]
