"""Tables of this feature (SQLAlchemy 2 typed models on engine.models.Base)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Base


class SchedulerHeartbeat(Base):
    """The last time each scheduler process finished a round of jobs (``/readyz`` checks it is fresh)."""

    __tablename__ = "scheduler_heartbeat"

    name: so.Mapped[str] = so.mapped_column(sa.String(128), primary_key=True)  # host:pid
    beat_at: so.Mapped[datetime]
    started_at: so.Mapped[datetime]
    woken: so.Mapped[int] = so.mapped_column(default=0)
