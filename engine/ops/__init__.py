"""Operations: health, metrics, scheduler heartbeat, backup and restore."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.runtime import Runtime
from engine.scheduler import Jobs

from .health import beat


def heartbeat(rt: Runtime) -> int:
    """Tell /readyz this scheduler process is alive."""
    beat(rt)
    return 1


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Add the ``heartbeat`` scheduler job, run after the other jobs of each round."""
    jobs.add("heartbeat", heartbeat)
