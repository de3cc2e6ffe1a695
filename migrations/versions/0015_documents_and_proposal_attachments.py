"""one document service: dispute documents kept as case documents; files attached to proposals

Revision ID: 0015
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)
JSON = engine.models.JSONType
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DISPUTE_KINDS = ("application", "agreement", "arbitration_notice", "correction_notice", "not_accepted_notice",
                 "refusal_notice", "decision_review", "decision_appeal", "decision_re_appeal")
COLUMNS = "case_id, kind, title, filename, content, size, facts, created_by, created_at"


def upgrade() -> None:
    op.execute(sa.text(f"INSERT INTO case_document ({COLUMNS}, media_type) "
                       f"SELECT {COLUMNS}, :docx FROM dispute_document ORDER BY id").bindparams(docx=DOCX))
    op.drop_index(op.f("ix_dispute_document_case_id"), table_name="dispute_document")
    op.drop_table("dispute_document")
    op.create_table(
        "congress_proposal_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["congress_proposal.id"], ondelete="CASCADE",
                                name=op.f("fk_congress_proposal_attachment_proposal_id_congress_proposal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_proposal_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_congress_proposal_attachment_stored_name")),
    )
    op.create_index(op.f("ix_congress_proposal_attachment_proposal_id"), "congress_proposal_attachment",
                    ["proposal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_congress_proposal_attachment_proposal_id"), table_name="congress_proposal_attachment")
    op.drop_table("congress_proposal_attachment")
    op.create_table(
        "dispute_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("filename", sa.String(length=256), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_dispute_document_case_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_document")),
    )
    op.create_index(op.f("ix_dispute_document_case_id"), "dispute_document", ["case_id"])
    kinds = sa.bindparam("kinds", DISPUTE_KINDS, expanding=True)
    op.execute(sa.text(f"INSERT INTO dispute_document ({COLUMNS}) SELECT {COLUMNS} FROM case_document "
                       "WHERE kind IN :kinds ORDER BY id").bindparams(kinds))
    op.execute(sa.text("DELETE FROM case_document WHERE kind IN :kinds").bindparams(kinds))
