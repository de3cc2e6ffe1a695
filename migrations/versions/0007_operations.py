"""operations: scheduler heartbeat and other runtime records

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_heartbeat",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("beat_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("woken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeat")),
    )
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", engine.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_table("scheduler_heartbeat")
