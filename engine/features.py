"""Load every feature once: their tables (engine.schema) and their hook subscribers."""

from __future__ import annotations

from . import schema, startforms, summary  # noqa: F401  (tables; the step properties the core reads)
from .approval import returns as approval_returns  # noqa: F401
from .approval import subscribers as approval_subscribers  # noqa: F401
from .congress import pages as congress_pages  # noqa: F401
from .congress import subscribers as congress_subscribers  # noqa: F401
from .disputes import pages as disputes_pages  # noqa: F401
from .disputes import subscribers as disputes_subscribers  # noqa: F401
from .inbox import files as inbox_files  # noqa: F401
from .inbox import subscribers as inbox_subscribers  # noqa: F401
from .ops import subscribers as ops_subscribers  # noqa: F401
from .sla import subscribers as sla_subscribers  # noqa: F401
