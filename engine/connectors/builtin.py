"""The built-in connectors: ``notify``, ``email``, ``document``, ``http`` and ``members``.

Each module registers its connector when it is imported; the composition root (``engine.features``) loads this
module like a feature, so every process that starts (and every ``docket check``) finds them.
"""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.documents.store import document_links
from engine.scheduler import Jobs

from . import document, http_client, mailer, members, notify  # noqa: F401  (each registers its connector)


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """The connectors registered themselves when this module was imported; the documents they (and features)
    keep with a case are offered beside its tasks (the ``case_documents`` hook)."""
    hooks.subscribe("case_documents", document_links)
