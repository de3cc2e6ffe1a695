"""Dispute mediation and disciplinary appeals: early warnings, deadlines, documents."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs

from . import subscribers


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Subscribe the rules of mediation and appeals to the core's hooks."""
    for kind, handler in subscribers.HANDLERS.items():
        hooks.subscribe(kind, handler)
