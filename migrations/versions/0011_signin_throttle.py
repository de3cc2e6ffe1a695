"""sign-in throttling by (username, client address) and by address, replacing the per-username lockout

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_throttle",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failure_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", engine.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "username", "address", name=op.f("pk_signin_throttle")),
    )
    op.create_index(op.f("ix_signin_throttle_locked_until"), "signin_throttle", ["locked_until"])
    op.drop_table("login_throttle")


def downgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", engine.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_throttle")),
    )
    op.drop_index(op.f("ix_signin_throttle_locked_until"), table_name="signin_throttle")
    op.drop_table("signin_throttle")
