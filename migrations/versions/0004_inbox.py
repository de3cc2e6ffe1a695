"""inbox: saved filters, comments, attachments

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("params", engine.models.JSONType, nullable=False),
        sa.Column("shared_group", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filter")),
        sa.UniqueConstraint("owner", "name", name="uq_saved_filter_owner_name"),
    )
    op.create_index("ix_saved_filter_shared_group", "saved_filter", ["shared_group"])
    op.create_table(
        "case_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", engine.models.JSONType, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"],
                                name=op.f("fk_case_comment_case_id_process_instance"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_comment")),
    )
    op.create_index("ix_case_comment_case_id", "case_comment", ["case_id", "id"])
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"],
                                name=op.f("fk_attachment_case_id_process_instance"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["case_comment.id"],
                                name=op.f("fk_attachment_comment_id_case_comment"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_attachment_stored_name")),
    )
    op.create_index("ix_attachment_case_id", "attachment", ["case_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_attachment_case_id", table_name="attachment")
    op.drop_table("attachment")
    op.drop_index("ix_case_comment_case_id", table_name="case_comment")
    op.drop_table("case_comment")
    op.drop_index("ix_saved_filter_shared_group", table_name="saved_filter")
    op.drop_table("saved_filter")
