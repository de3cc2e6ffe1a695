"""Tables of the SLA feature: each timed task's clock, the reminders sent, absences, e-mail digests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base, Task


class TaskClock(Base):
    """The SLA state of one task that has a due date; ``next_action_at`` is the scheduler's work queue."""

    __tablename__ = "sla_clock"
    __table_args__ = (sa.Index("ix_sla_clock_next_action_at", "next_action_at"),)

    task_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    original_due_at: so.Mapped[datetime | None]
    next_action_at: so.Mapped[datetime | None]
    paused_at: so.Mapped[datetime | None]
    remaining_seconds: so.Mapped[int | None]  # time left on the clock while it is paused
    paused_seconds: so.Mapped[int] = so.mapped_column(default=0)
    extended_seconds: so.Mapped[int] = so.mapped_column(default=0)
    extensions: so.Mapped[int] = so.mapped_column(default=0)
    overdue_at: so.Mapped[datetime | None]

    task: so.Mapped[Task] = so.relationship(lazy="raise")  # orders the INSERT after its task's


class Reminder(Base):
    """One reminder rule that fired (or was skipped in a catch-up) for a task and the due date it referred to."""

    __tablename__ = "sla_reminder"
    __table_args__ = (sa.UniqueConstraint("task_id", "rule", "due_at", name="uq_sla_reminder_task_rule_due"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    task_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"))
    rule: so.Mapped[str] = so.mapped_column(sa.String(32))
    due_at: so.Mapped[datetime]
    recipients: so.Mapped[list[Any]] = so.mapped_column(default=list)
    skipped: so.Mapped[bool] = so.mapped_column(default=False)
    sent_at: so.Mapped[datetime]


class Absence(Base):
    """Out of office: from ``starts_on`` to ``ends_on`` (inclusive, local dates) ``deputy`` acts for ``username``."""

    __tablename__ = "sla_absence"
    __table_args__ = (sa.Index("ix_sla_absence_username_ends_on", "username", "ends_on"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64))
    deputy: so.Mapped[str] = so.mapped_column(sa.String(64))
    starts_on: so.Mapped[date]
    ends_on: so.Mapped[date]
    note: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    created_at: so.Mapped[datetime]


class Digest(Base):
    """The one e-mail digest a person got on a (local) day."""

    __tablename__ = "sla_digest"

    username: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    day: so.Mapped[date] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(256))
    items: so.Mapped[int] = so.mapped_column(default=0)
    sent_at: so.Mapped[datetime]
