"""What a Chinese office expects of any approval system, as engine commands audited like any other:
退回 (return a step to an earlier one, with a reason), 撤回 (recall a step one completed while what followed is
untouched), 催办 (urge), 抄送 (copy people in), and form drafts kept per user.

The BPMN file decides where returns are allowed with two step properties, ``returnTo`` and ``returnable``
(registered in :mod:`engine.approval.returns`); Python never names a step.
"""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs

from . import returns  # noqa: F401  (registers the returnTo and returnable step properties)
from .subscribers import drop_task_drafts


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Drafts of a task go when it is completed or cancelled."""
    hooks.subscribe("task_completed", drop_task_drafts)
    hooks.subscribe("task_cancelled", drop_task_drafts)
