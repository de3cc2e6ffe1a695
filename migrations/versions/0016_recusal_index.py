"""recusal bar: an index on the recused handler and the request's status

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dispute_recusal_target_status", "dispute_recusal", ["target", "status"])


def downgrade() -> None:
    op.drop_index("ix_dispute_recusal_target_status", table_name="dispute_recusal")
