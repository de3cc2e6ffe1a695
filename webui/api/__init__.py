"""The JSON API under /api/v1 (contract: API.md). Bearer tokens; every call checks the caller's groups.

``blueprint`` holds the blueprint and its sign-in; each route module adds its routes to it when imported here."""

from __future__ import annotations

from . import (  # noqa: F401  (each module registers its routes)
    archive,
    calendar,
    cases,
    congresses,
    disputes,
    failures,
    history,
    inbox,
    messages,
    notifications,
    openapi,
    people,
    processes,
    reports,
    signin,
    sla,
    tasks,
    tokens,
    units,
)
from .blueprint import bp

__all__ = ["bp"]
