"""staff congress: congresses, sessions, delegates, proposals

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime(timezone=True)
JSON = engine.models.JSONType


def upgrade() -> None:
    op.create_table(
        "congress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("committee_group", sa.String(length=64), nullable=False),
        sa.Column("presidium_group", sa.String(length=64), nullable=False),
        sa.Column("leader_group", sa.String(length=64), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress")),
        sa.UniqueConstraint("key", name=op.f("uq_congress_key")),
    )
    op.create_table(
        "congress_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("congress_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opens_at", UTC, nullable=False),
        sa.Column("cutoff_at", UTC, nullable=False),
        sa.Column("self_check_on", sa.Date(), nullable=True),
        sa.Column("settings", JSON, nullable=False),
        sa.ForeignKeyConstraint(["congress_id"], ["congress.id"], name=op.f("fk_congress_session_congress_id_congress"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_session")),
        sa.UniqueConstraint("congress_id", "term", "number", name="uq_congress_session_term"),
    )
    op.create_index("ix_congress_session_congress_id", "congress_session", ["congress_id"], unique=False)
    op.create_table(
        "congress_delegate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("congress_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("delegation", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["congress_id"], ["congress.id"],
                                name=op.f("fk_congress_delegate_congress_id_congress"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_delegate")),
        sa.UniqueConstraint("congress_id", "username", name="uq_congress_delegate_member"),
    )
    op.create_index("ix_congress_delegate_congress_id", "congress_delegate", ["congress_id"], unique=False)
    op.create_index("ix_congress_delegate_username", "congress_delegate", ["username"], unique=False)
    op.create_table(
        "congress_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("congress_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("business_key", sa.String(length=64), nullable=True),
        sa.Column("proposer", sa.String(length=64), nullable=False),
        sa.Column("co_proposers", JSON, nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("analysis", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("argument", sa.Text(), nullable=False),
        sa.Column("attachments", JSON, nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("lead_department", sa.String(length=64), nullable=True),
        sa.Column("co_departments", JSON, nullable=False),
        sa.Column("reply", JSON, nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rehandled", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("grade_note", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("published_at", UTC, nullable=True),
        sa.Column("registered_at", UTC, nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"],
                                name=op.f("fk_congress_proposal_case_id_process_instance"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["congress_id"], ["congress.id"],
                                name=op.f("fk_congress_proposal_congress_id_congress"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["merged_into_id"], ["congress_proposal.id"],
                                name=op.f("fk_congress_proposal_merged_into_id_congress_proposal")),
        sa.ForeignKeyConstraint(["session_id"], ["congress_session.id"],
                                name=op.f("fk_congress_proposal_session_id_congress_session"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_proposal")),
        sa.UniqueConstraint("case_id", name=op.f("uq_congress_proposal_case_id")),
    )
    op.create_index("ix_congress_proposal_congress_status", "congress_proposal", ["congress_id", "status"],
                    unique=False)
    op.create_index("ix_congress_proposal_proposer", "congress_proposal", ["proposer"], unique=False)
    op.create_index("ix_congress_proposal_session_id", "congress_proposal", ["session_id"], unique=False)
    op.create_table(
        "congress_cosignature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("signed_at", UTC, nullable=False),
        sa.Column("withdrawn_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["proposal_id"], ["congress_proposal.id"],
                                name=op.f("fk_congress_cosignature_proposal_id_congress_proposal"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_cosignature")),
        sa.UniqueConstraint("proposal_id", "username", name="uq_congress_cosignature_signer"),
    )
    op.create_index("ix_congress_cosignature_proposal_id", "congress_cosignature", ["proposal_id"], unique=False)
    op.create_index("ix_congress_cosignature_username", "congress_cosignature", ["username"], unique=False)
    op.create_table(
        "congress_archive_term",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["congress_proposal.id"],
                                name=op.f("fk_congress_archive_term_proposal_id_congress_proposal"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("proposal_id", "term", name=op.f("pk_congress_archive_term")),
    )
    op.create_index("ix_congress_archive_term_term", "congress_archive_term", ["term", "proposal_id"], unique=False)
    op.create_table(
        "congress_duty_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["congress_session.id"],
                                name=op.f("fk_congress_duty_entry_session_id_congress_session"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_duty_entry")),
    )
    op.create_index("ix_congress_duty_entry_session_id", "congress_duty_entry", ["session_id"], unique=False)
    op.create_index("ix_congress_duty_entry_username", "congress_duty_entry", ["username"], unique=False)


def downgrade() -> None:
    for table in ("congress_duty_entry", "congress_archive_term", "congress_cosignature", "congress_proposal",
                  "congress_delegate", "congress_session", "congress"):
        op.drop_table(table)
