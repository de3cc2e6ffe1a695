"""The built-in connectors: ``notify``, ``email``, ``document``, ``http`` and ``members``.

Each module registers its connector when it is imported; the composition root (``engine.features``) loads this
module like a feature, so every process that starts (and every ``docket check``) finds them.
"""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.scheduler import Jobs

from . import document, http_client, mailer, members, notify  # noqa: F401  (each registers its connector)


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """Nothing more to do: the connectors registered themselves when this module was imported."""
