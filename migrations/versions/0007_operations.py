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


def downgrade() -> None:
    op.drop_table("scheduler_heartbeat")
