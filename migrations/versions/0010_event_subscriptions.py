"""messages and signals: the subscriptions of waiting cases and of message/signal start events; the values
of BPMN data stores

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=128), nullable=False),
        sa.Column("element", sa.String(length=128), nullable=False),
        sa.Column("correlation", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                  nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_event_subscription_case_id_process_instance")),
        sa.ForeignKeyConstraint(["definition_id"], ["process_definition.id"], ondelete="CASCADE",
                                name=op.f("fk_event_subscription_definition_id_process_definition")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_subscription")),
    )
    op.create_index("ix_event_subscription_kind_name", "event_subscription", ["kind", "name"])
    op.create_index(op.f("ix_event_subscription_case_id"), "event_subscription", ["case_id"])
    op.create_table(
        "data_store_value",
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("value", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                  nullable=True),
        sa.Column("updated_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_data_store_value")),
    )
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("subscription_digest", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("subscription_digest")
    op.drop_table("data_store_value")
    op.drop_table("event_subscription")
