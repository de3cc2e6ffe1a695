"""Tables of the staff-congress feature: congresses, sessions, delegates, proposals, co-signatures,
the archive's n-gram index and the delegates' duty record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base


class Congress(Base):
    """The school's 教代会 or a department's 二级教代会; ``settings`` override the shipped defaults."""

    __tablename__ = "congress"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(256))
    level: so.Mapped[str] = so.mapped_column(sa.String(16))  # school, department
    department: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    committee_group: so.Mapped[str] = so.mapped_column(sa.String(64))
    presidium_group: so.Mapped[str] = so.mapped_column(sa.String(64))
    leader_group: so.Mapped[str] = so.mapped_column(sa.String(64))
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    created_at: so.Mapped[datetime]


class CongressSession(Base):
    """One session (届/次) with its proposal collection window and dates."""

    __tablename__ = "congress_session"
    __table_args__ = (sa.UniqueConstraint("congress_id", "term", "number", name="uq_congress_session_term"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    congress_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    term: so.Mapped[int]
    number: so.Mapped[int]
    opens_at: so.Mapped[datetime]
    cutoff_at: so.Mapped[datetime]  # collection and co-signing close
    self_check_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)


class Delegate(Base):
    """A formal delegate (正式代表) of a congress, in a delegation (代表团); a replaced delegate (撤换) is kept,
    inactive, with the time the mandate ended."""

    __tablename__ = "congress_delegate"
    __table_args__ = (sa.UniqueConstraint("congress_id", "username", name="uq_congress_delegate_member"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    congress_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress.id", ondelete="CASCADE"), index=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    delegation: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    unit: so.Mapped[str | None] = so.mapped_column(sa.String(64))  # the unit key the delegate represents
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    since: so.Mapped[datetime | None]
    until: so.Mapped[datetime | None]  # replaced (撤换) at this moment; the row stays as history


class Proposal(Base):
    """A proposal: a private draft until published, then linked to its case; the record statistics and
    the archive read."""

    __tablename__ = "congress_proposal"
    __table_args__ = (sa.Index("ix_congress_proposal_congress_status", "congress_id", "status"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    congress_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress_session.id", ondelete="CASCADE"),
                                                  index=True)
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("process_instance.id", ondelete="SET NULL"), unique=True)
    business_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    proposer: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    co_proposers: so.Mapped[list[Any]] = so.mapped_column(default=list)
    title: so.Mapped[str] = so.mapped_column(sa.String(256))
    category: so.Mapped[str] = so.mapped_column(sa.String(32))
    cause: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    analysis: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    suggestion: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    argument: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    attachments: so.Mapped[list[Any]] = so.mapped_column(default=list)
    status: so.Mapped[str] = so.mapped_column(sa.String(24))  # draft, seconding, review, ..., closed
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # registered, converted, merged, ...
    outcome_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    merged_into_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("congress_proposal.id"))
    lead_department: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    co_departments: so.Mapped[list[Any]] = so.mapped_column(default=list)
    reply: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    rating: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # satisfied, basic, unsatisfied, none
    rating_comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    rehandled: so.Mapped[int] = so.mapped_column(default=0)
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(1))
    grade_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime]
    published_at: so.Mapped[datetime | None]
    registered_at: so.Mapped[datetime | None]
    closed_at: so.Mapped[datetime | None]
    updated_at: so.Mapped[datetime]
    cosign_until: so.Mapped[datetime | None]  # filed between sessions: its own co-signing window


class ProposalAttachment(Base):
    """A file attached to a proposal by its proposer, from the draft on (checked and kept like a comment's
    attachment: on disk under the uploads directory, the database keeping name, type, size and SHA-256)."""

    __tablename__ = "congress_proposal_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress_proposal.id", ondelete="CASCADE"),
                                                   index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(128))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    uploaded_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_at: so.Mapped[datetime]


class Cosignature(Base):
    """A delegate's co-signature (附议) of a proposal; withdrawing sets ``withdrawn_at``."""

    __tablename__ = "congress_cosignature"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "username", name="uq_congress_cosignature_signer"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress_proposal.id", ondelete="CASCADE"),
                                                   index=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    signed_at: so.Mapped[datetime]
    withdrawn_at: so.Mapped[datetime | None]


class ArchiveTerm(Base):
    """The archive's n-gram index: one row per distinct term (CJK bigram or Latin word) of a proposal."""

    __tablename__ = "congress_archive_term"
    __table_args__ = (sa.Index("ix_congress_archive_term_term", "term", "proposal_id"),)

    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("congress_proposal.id", ondelete="CASCADE"), primary_key=True)
    term: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)


class DutyEntry(Base):
    """One line of a delegate's duty record (履职档案) that is not a proposal: a meeting, a survey..."""

    __tablename__ = "congress_duty_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("congress_session.id", ondelete="CASCADE"),
                                                  index=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))  # meeting, survey, other
    title: so.Mapped[str] = so.mapped_column(sa.String(256))
    happened_on: so.Mapped[date] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime]
