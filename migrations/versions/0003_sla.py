"""SLA: due-date clocks, pauses, extensions, reminders, out-of-office

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sla_clock",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("original_due_at", UTC, nullable=True),
        sa.Column("next_action_at", UTC, nullable=True),
        sa.Column("paused_at", UTC, nullable=True),
        sa.Column("remaining_seconds", sa.Integer(), nullable=True),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("extended_seconds", sa.Integer(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("overdue_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_sla_clock_task_id_task"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_sla_clock")),
    )
    op.create_index("ix_sla_clock_next_action_at", "sla_clock", ["next_action_at"], unique=False)
    op.create_table(
        "sla_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("recipients", engine.models.JSONType, nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_sla_reminder_task_id_task"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_reminder")),
        sa.UniqueConstraint("task_id", "rule", "due_at", name="uq_sla_reminder_task_rule_due"),
    )
    op.create_table(
        "sla_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("deputy", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=256), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_absence")),
    )
    op.create_index("ix_sla_absence_username_ends_on", "sla_absence", ["username", "ends_on"], unique=False)
    op.create_table(
        "sla_digest",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("username", "day", name=op.f("pk_sla_digest")),
    )


def downgrade() -> None:
    op.drop_table("sla_digest")
    op.drop_index("ix_sla_absence_username_ends_on", table_name="sla_absence")
    op.drop_table("sla_absence")
    op.drop_table("sla_reminder")
    op.drop_index("ix_sla_clock_next_action_at", table_name="sla_clock")
    op.drop_table("sla_clock")
