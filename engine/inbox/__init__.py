"""Inbox and designer: saved filters, bulk actions, comments, attachments, version diffs, case migration."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """The inbox works through the core's commands and queries alone: it adds no hook, behaviour or job."""
