"""Inbox and designer: saved filters, bulk actions, comments, attachments, version diffs, case migration."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs

from .files import case_files


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """The inbox works through the core's commands and queries; it offers a case's attachments beside its tasks
    (the ``case_documents`` hook)."""
    hooks.subscribe("case_documents", case_files)
