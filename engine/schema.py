"""Every table of Docket: the core models plus each feature's models (for Alembic and test cleanup)."""

from __future__ import annotations

from . import models, signin  # noqa: F401  (signin: its table)
from .congress import models as congress_models  # noqa: F401
from .disputes import models as disputes_models  # noqa: F401
from .inbox import models as inbox_models  # noqa: F401
from .office import models as office_models  # noqa: F401
from .ops import models as ops_models  # noqa: F401
from .sla import models as sla_models  # noqa: F401

metadata = models.Base.metadata
