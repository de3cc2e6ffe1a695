"""SQLAlchemy 2 typed models: definitions, cases, the task projection, the audit log, users.

The ``task`` table is a projection of each case's workflow, rewritten in the same transaction as
the case; inbox, SLA and statistics queries read it (and its ``task_candidate`` rows) only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONType, list[Any]: JSONType}


membership = sa.Table(
    "membership",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("user_group.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(128))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    unit: so.Mapped[str | None] = so.mapped_column(sa.String(64))  # the key of the user's organisation unit
    created_at: so.Mapped[datetime]
    groups: so.Mapped[list[Group]] = so.relationship(secondary=membership, back_populates="members")


class Group(Base):
    __tablename__ = "user_group"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    members: so.Mapped[list[User]] = so.relationship(secondary=membership, back_populates="groups")


class ApiToken(Base):
    __tablename__ = "api_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime]
    expires_at: so.Mapped[datetime]


class ProcessDefinition(Base):
    """One deployed version of a process: its BPMN, the forms, DMN and document templates it uses, and a content
    hash."""

    __tablename__ = "process_definition"
    __table_args__ = (sa.UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    version: so.Mapped[int]
    name: so.Mapped[str] = so.mapped_column(sa.String(256))
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    bpmn_xml: so.Mapped[str] = so.mapped_column(sa.Text)
    forms: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    dmn: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    # document templates of the process folder: file name -> base64 of the file (read only by what fills them)
    templates: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict, deferred=True)
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    deployed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    deployed_at: so.Mapped[datetime]
    retired_at: so.Mapped[datetime | None]  # set on every version of a retired process: no new cases
    retired_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))


class Case(Base):
    """A process instance: the serialized workflow (spec kept out of the blob) and its summary."""

    __tablename__ = "process_instance"
    __table_args__ = (sa.Index("ix_process_instance_status_wake_at", "status", "wake_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    definition_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_definition.id"), index=True)
    process_key: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    business_key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    title: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    status: so.Mapped[str] = so.mapped_column(sa.String(16))  # running, completed, cancelled, error
    error_message: so.Mapped[str | None] = so.mapped_column(sa.Text)
    error_task: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    workflow: so.Mapped[str] = so.mapped_column(sa.Text)
    data: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    revision: so.Mapped[int] = so.mapped_column(default=1)
    wake_at: so.Mapped[datetime | None]
    # a digest of the case's open message/signal subscriptions: unchanged, their rows are not rewritten
    subscription_digest: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    started_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    started_at: so.Mapped[datetime]
    updated_at: so.Mapped[datetime]
    ended_at: so.Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": revision}

    definition: so.Mapped[ProcessDefinition] = so.relationship(lazy="select")

    # Set by the command that last saved this object (not stored): its open task rows and its definition's
    # version, so the caller can answer without querying them again.
    open_task_rows = None
    definition_version = None


OPEN_TASK_INDEX = "ix_task_open_due_at"  # the partial index of open tasks (see over_open_tasks)


class Task(Base):
    """A user task the workflow has made ready, kept in step with the workflow by every command."""

    __tablename__ = "task"
    __table_args__ = (
        sa.Index("ix_task_state_due_at", "state", "due_at"),
        sa.Index("ix_task_assignee_state", "assignee", "state"),
        sa.Index("ix_task_case_state", "case_id", "state"),
        # open work stays small while history grows: inbox, overdue and board queries start here
        sa.Index(OPEN_TASK_INDEX, "due_at", sqlite_where=sa.text("state IN ('open', 'claimed')"),
                 postgresql_where=sa.text("state IN ('open', 'claimed')")),
    )

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"))
    process_key: so.Mapped[str] = so.mapped_column(sa.String(128))
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    title: so.Mapped[str] = so.mapped_column(sa.String(256))
    form_key: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    lane: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    candidate_groups: so.Mapped[list[Any]] = so.mapped_column(default=list)
    candidate_users: so.Mapped[list[Any]] = so.mapped_column(default=list)
    assignee: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    state: so.Mapped[str] = so.mapped_column(sa.String(16))  # open, claimed, completed, cancelled
    created_at: so.Mapped[datetime]
    due_at: so.Mapped[datetime | None]
    claimed_at: so.Mapped[datetime | None]
    completed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    completed_at: so.Mapped[datetime | None]
    data: so.Mapped[dict[str, Any] | None] = so.mapped_column(JSONType)
    version: so.Mapped[int] = so.mapped_column(default=1)
    # the working-day due date was counted over a year the calendar does not know (Monday to Friday)
    calendar_warning: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    __mapper_args__ = {"version_id_col": version}

    case: so.Mapped[Case] = so.relationship(lazy="raise")
    candidates: so.Mapped[list[TaskCandidate]] = so.relationship(
        cascade="all, delete-orphan", lazy="select", passive_deletes=True
    )


class TaskCandidate(Base):
    """Who may take a task: one row per candidate group (kind 'group') or user (kind 'user'), indexed."""

    __tablename__ = "task_candidate"
    __table_args__ = (sa.Index("ix_task_candidate_principal", "kind", "principal"),)

    task_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    principal: so.Mapped[str] = so.mapped_column(sa.String(128), primary_key=True)


class Event(Base):
    """Append-only audit log: who did what to which case or task, when, with the data involved."""

    __tablename__ = "event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    actor: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    at: so.Mapped[datetime]
    data: so.Mapped[dict[str, Any] | None] = so.mapped_column(JSONType)


class CaseCounter(Base):
    """The last business-key number handed out per prefix and year."""

    __tablename__ = "case_counter"

    prefix: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    year: so.Mapped[int] = so.mapped_column(primary_key=True)
    last: so.Mapped[int] = so.mapped_column(default=0)


class Notification(Base):
    """An in-app message to one user (the bell); e-mail digests are built from the same rows."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_unread", "username", "read_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    title: so.Mapped[str] = so.mapped_column(sa.String(512))
    body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    link: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    case_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    created_at: so.Mapped[datetime]
    read_at: so.Mapped[datetime | None]
    emailed_at: so.Mapped[datetime | None]


class Draft(Base):
    """A form saved but not submitted, kept per user: a task's form (``target`` ``task:<id>``) or a process's
    start form (``start:<process key>``). Never validated; completing or starting removes it."""

    __tablename__ = "form_draft"
    __table_args__ = (sa.Index("ix_form_draft_target", "target"),)

    username: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    target: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    data: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    saved_at: so.Mapped[datetime]


class CaseReader(Base):
    """Someone copied in on a case (抄送): they may read it from then on, without acting on its tasks."""

    __tablename__ = "case_reader"
    __table_args__ = (sa.Index("ix_case_reader_username", "username"),)

    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("process_instance.id", ondelete="CASCADE"), primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    added_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    added_at: so.Mapped[datetime]
class EventSubscription(Base):
    """A message or signal someone waits for: a running case's catch event, receive task, boundary event or
    event sub-process start (``case_id`` set; written by the projection), or a process's start event
    (``case_id`` empty; written at deploy for the latest version). Deliveries look waiting cases up here by
    kind and name instead of reading workflows."""

    __tablename__ = "event_subscription"
    __table_args__ = (sa.Index("ix_event_subscription_kind_name", "kind", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))  # message, signal
    name: so.Mapped[str] = so.mapped_column(sa.String(256))
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    definition_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_definition.id", ondelete="CASCADE"))
    process_key: so.Mapped[str] = so.mapped_column(sa.String(128))
    element: so.Mapped[str] = so.mapped_column(sa.String(128))
    # correlation properties the catch declares and the values the case already holds for them
    correlation: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)


class DataStoreValue(Base):
    """The value of a BPMN data store (``bpmn:dataStore``, by id): shared by every case of every process."""

    __tablename__ = "data_store_value"

    key: so.Mapped[str] = so.mapped_column(sa.String(256), primary_key=True)
    value: so.Mapped[Any | None] = so.mapped_column(JSONType)
    updated_at: so.Mapped[datetime]


OPEN_TASK_STATES = ("open", "claimed")


def over_open_tasks(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """``stmt``, whose WHERE holds :func:`task_is_open`, read through the partial index of open tasks. SQLite is
    told so (``INDEXED BY``): with a million closed rows its planner otherwise scans the whole history (its
    statistics see two states of half a million rows each); PostgreSQL's planner finds the index by itself."""
    return stmt.with_hint(Task, f"INDEXED BY {OPEN_TASK_INDEX}", "sqlite")


def task_is_open() -> sa.ColumnElement[bool]:
    """SQL: the task is open. The states are rendered as literals so that the planner can use the partial
    index ``ix_task_open_due_at`` (open work stays small however much history the table holds)."""
    return Task.state.in_(sa.bindparam(None, list(OPEN_TASK_STATES), expanding=True, literal_execute=True))
