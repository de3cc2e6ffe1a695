"""The command a connector runs in: set by every command around advancing a workflow.

A connector writes rows (notifications, documents) in the command's own transaction, for the command's case,
at the command's time. The command says so by advancing the workflow inside ``running(scope)``; a connector
reached outside any command (which would be a bug) fails with a clear message instead of writing elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy.orm as so

if TYPE_CHECKING:
    from engine.models import Case


@dataclass(frozen=True)
class CommandScope:
    """The session, case, acting user (None for the scheduler), clock reading, and the definition (id and
    forms) the case runs on in one command."""

    session: so.Session
    case: Case
    actor: str | None
    now: datetime
    definition_id: int
    forms: dict[str, Any]


_current: ContextVar[CommandScope | None] = ContextVar("docket_command_scope", default=None)


@contextmanager
def running(scope: CommandScope | None) -> Iterator[None]:
    """Connectors reached inside the block run in ``scope`` (None leaves whatever scope is current)."""
    if scope is None:
        yield
        return
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


def current_scope() -> CommandScope | None:
    """The scope of the command running now, if any."""
    return _current.get()
