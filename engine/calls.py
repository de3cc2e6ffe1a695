"""Call activities across files: a called process that is not in the caller's file is looked up by key when
the call starts (the latest deployed version, or the version the call pins) and remembered by the case, so the
case keeps running that version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .definitions.parse import ParsedDefinition
from .definitions.specs import CallResolutionError
from .models import ProcessDefinition
from .serializer import add_called


def called_definition(session: so.Session, key: str, version: int | None = None) -> ProcessDefinition | None:
    """The deployed definition a call of ``key`` runs: ``version`` if given, else the latest."""
    stmt = sa.select(ProcessDefinition).where(ProcessDefinition.key == key)
    if version is not None:
        stmt = stmt.where(ProcessDefinition.version == version)
    return session.scalars(stmt.order_by(ProcessDefinition.version.desc()).limit(1)).first()


class CallResolver:
    """Set on a case's workflow for one command: resolves called processes inside that command's session."""

    def __init__(self, session: so.Session, load: Callable[[so.Session, int], ParsedDefinition]) -> None:
        self.session = session
        self.load = load

    def __call__(self, workflow: Any, key: str, version: int | None) -> None:
        row = called_definition(self.session, key, version)
        if row is None:
            which = f"version {version} of process '{key}'" if version is not None else f"process '{key}'"
            raise CallResolutionError(f"the called {which} is not deployed: deploy it, then retry the case")
        add_called(workflow.subprocess_specs, key, self.load(self.session, row.id))
        workflow.called = {**(getattr(workflow, "called", None) or {}), key: row.id}
