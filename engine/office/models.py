"""Tables of the office's reference data: organisation units and the working-day calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base


class Unit(Base):
    """An organisation unit: a department (职能部门), a college (二级单位), a specialist committee (专门委员会) or
    any other kind a process needs. ``group_key`` names the group whose members act for it."""

    __tablename__ = "org_unit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    group_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime]
    updated_at: so.Mapped[datetime]


class CalendarYear(Base):
    """A year of the working-day calendar entered by the office: its holidays and the weekend days that are
    official working days (调休). ``stamp`` changes on every write, so each process's cache sees the change."""

    __tablename__ = "calendar_year"

    year: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    holidays: so.Mapped[list[Any]] = so.mapped_column(default=list)
    workdays: so.Mapped[list[Any]] = so.mapped_column(default=list)
    stamp: so.Mapped[str] = so.mapped_column(sa.String(32))
    updated_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    updated_at: so.Mapped[datetime]
