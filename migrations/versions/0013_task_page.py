"""task page: form drafts per user, people copied in on a case

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("data", engine.models.JSONType, nullable=False),
        sa.Column("saved_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("username", "target", name=op.f("pk_form_draft")),
    )
    op.create_index("ix_form_draft_target", "form_draft", ["target"])
    op.create_table(
        "case_reader",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"],
                                name=op.f("fk_case_reader_case_id_process_instance"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "username", name=op.f("pk_case_reader")),
    )
    op.create_index("ix_case_reader_username", "case_reader", ["username"])


def downgrade() -> None:
    op.drop_index("ix_case_reader_username", table_name="case_reader")
    op.drop_table("case_reader")
    op.drop_index("ix_form_draft_target", table_name="form_draft")
    op.drop_table("form_draft")
