"""API routes of this feature (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from . import bp  # noqa: F401
