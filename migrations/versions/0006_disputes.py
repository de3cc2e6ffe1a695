"""dispute mediation and disciplinary appeals

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)
JSON = engine.models.JSONType


def upgrade() -> None:
    op.create_table(
        "dispute_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=128), nullable=False),
        sa.Column("persons", sa.String(length=512), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("risk_level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("follow_ups", JSON, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"], ondelete="SET NULL",
                                name=op.f("fk_dispute_warning_case_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_warning")),
    )
    op.create_index("ix_dispute_warning_status_created", "dispute_warning", ["status", "created_at"])
    op.create_table(
        "dispute_recusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("replacement", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_dispute_recusal_case_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_recusal")),
    )
    op.create_index(op.f("ix_dispute_recusal_case_id"), "dispute_recusal", ["case_id"])
    op.create_table(
        "dispute_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_dispute_consent_case_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_consent")),
    )
    op.create_index(op.f("ix_dispute_consent_case_id"), "dispute_consent", ["case_id"])
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
    op.create_table(
        "dispute_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_case_id", sa.Integer(), nullable=False),
        sa.Column("to_case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["from_case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_dispute_link_from_case_id_process_instance")),
        sa.ForeignKeyConstraint(["to_case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_dispute_link_to_case_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_link")),
    )
    op.create_index(op.f("ix_dispute_link_from_case_id"), "dispute_link", ["from_case_id"])
    op.create_index(op.f("ix_dispute_link_to_case_id"), "dispute_link", ["to_case_id"])


def downgrade() -> None:
    for name in ("dispute_link", "dispute_document", "dispute_consent", "dispute_recusal", "dispute_warning"):
        op.drop_table(name)
