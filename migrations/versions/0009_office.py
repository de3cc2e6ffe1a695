"""office reference data: organisation units, the working-day calendar, staff units, delegate history,
process retirement, calendar warnings on tasks

An instance that already has deployed processes had its units written into the forms; those units are
added here, so that the forms of the next deployment still offer them. A new database stays empty.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FORMER_UNITS = [  # (key, name, kind, group) as the forms of earlier versions listed them
    ("hr", "人事处", "department", "dept:hr"), ("logistics", "后勤保障处", "department", "dept:logistics"),
    ("academic", "教务处", "department", "dept:academic"), ("finance", "财务处", "department", "dept:finance"),
    ("it", "信息化办公室", "department", "dept:it"),
    ("welfare", "福利保障专门委员会", "committee", "specialist:welfare"),
    ("teaching", "教学科研专门委员会", "committee", "specialist:teaching"),
    ("finance-oversight", "财务监督专门委员会", "committee", "specialist:finance"),
]


def upgrade() -> None:
    when = engine.models.UTCDateTime(timezone=True)
    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("key", name=op.f("uq_org_unit_key")),
    )
    op.create_index(op.f("ix_org_unit_kind"), "org_unit", ["kind"])
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", engine.models.JSONType, nullable=False),
        sa.Column("workdays", engine.models.JSONType, nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", when, nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("unit", sa.String(length=64), nullable=True))
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("calendar_warning", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("process_definition") as batch:
        batch.add_column(sa.Column("retired_at", when, nullable=True))
        batch.add_column(sa.Column("retired_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("congress_delegate") as batch:
        batch.add_column(sa.Column("unit", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column("since", when, nullable=True))
        batch.add_column(sa.Column("until", when, nullable=True))
    with op.batch_alter_table("congress_proposal") as batch:
        batch.add_column(sa.Column("cosign_until", when, nullable=True))
    _keep_former_units()


def _keep_former_units() -> None:
    conn = op.get_bind()
    if not conn.execute(sa.text("SELECT count(*) FROM process_definition")).scalar():
        return
    now = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    groups = set(conn.execute(sa.text("SELECT key FROM user_group")).scalars())
    units = sa.table("org_unit", sa.column("key"), sa.column("name"), sa.column("kind"), sa.column("group_key"),
                     sa.column("active"), sa.column("created_at"), sa.column("updated_at"))
    group_table = sa.table("user_group", sa.column("key"), sa.column("name"))
    for key, name, kind, group in FORMER_UNITS:
        if group not in groups:
            conn.execute(group_table.insert().values(key=group, name=name))
        conn.execute(units.insert().values(key=key, name=name, kind=kind, group_key=group, active=True,
                                           created_at=now, updated_at=now))


def downgrade() -> None:
    with op.batch_alter_table("congress_proposal") as batch:
        batch.drop_column("cosign_until")
    with op.batch_alter_table("congress_delegate") as batch:
        batch.drop_column("until")
        batch.drop_column("since")
        batch.drop_column("active")
        batch.drop_column("unit")
    with op.batch_alter_table("process_definition") as batch:
        batch.drop_column("retired_by")
        batch.drop_column("retired_at")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("calendar_warning")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("unit")
    op.drop_table("calendar_year")
    op.drop_index(op.f("ix_org_unit_kind"), table_name="org_unit")
    op.drop_table("org_unit")
