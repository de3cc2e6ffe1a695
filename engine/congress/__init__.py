"""Staff congress proposals: congresses, sessions, delegates, co-signing, statistics, the public archive."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs

from . import subscribers
from .proposals import close_due_seconding


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Subscribe the proposal's rules to the core's hooks and add the co-signing cutoff job."""
    for kind, handler in subscribers.HANDLERS.items():
        hooks.subscribe(kind, handler)
    jobs.add("seconding", close_due_seconding)
