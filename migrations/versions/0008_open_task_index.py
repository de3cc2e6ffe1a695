"""a partial index on open tasks, so inbox and board queries cost the same however much history there is

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('open', 'claimed')")


def upgrade() -> None:
    op.create_index("ix_task_open_due_at", "task", ["due_at"], sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_task_open_due_at", table_name="task")
