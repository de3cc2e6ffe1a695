"""Load every feature once: their tables (engine.schema) and their hook subscribers."""

from __future__ import annotations

from . import schema  # noqa: F401
from .approval import subscribers as approval_subscribers  # noqa: F401
from .congress import subscribers as congress_subscribers  # noqa: F401
from .disputes import subscribers as disputes_subscribers  # noqa: F401
from .inbox import subscribers as inbox_subscribers  # noqa: F401
from .ops import subscribers as ops_subscribers  # noqa: F401
from .sla import subscribers as sla_subscribers  # noqa: F401
