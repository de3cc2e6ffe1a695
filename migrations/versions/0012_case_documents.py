"""case documents (filled templates and notices) and the document templates deployed with a process

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)
JSON = engine.models.JSONType


def upgrade() -> None:
    op.add_column("process_definition", sa.Column("templates", JSON, nullable=False, server_default=sa.text("'{}'")))
    op.create_table(
        "case_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("filename", sa.String(length=256), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_case_document_case_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_document")),
    )
    op.create_index(op.f("ix_case_document_case_id"), "case_document", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_document_case_id"), table_name="case_document")
    op.drop_table("case_document")
    op.drop_column("process_definition", "templates")
