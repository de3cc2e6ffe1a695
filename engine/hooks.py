"""In-transaction domain events: features (SLA, notifications, proposals...) subscribe to what the
core commands do, and write their own rows in the same transaction.

    from engine.hooks import subscribe
    subscribe("task_created", on_task_created)   # fn(session, **payload)

Kinds and payloads (all inside the command's transaction; ``task_completing`` runs before the workflow moves,
with the submitted ``data``, and may raise an engine error to refuse the completion; the rest run after it):
``task_completing`` (case, task, actor, data, now), ``task_created`` (case, task, now),
``task_completed`` (case, task, actor, now),
``task_claimed`` / ``task_released`` / ``task_delegated`` (case, task, actor, now),
``task_cancelled`` (case, task, now), ``task_reopened`` (case, task, actor, now: a completed step made ready
again by 退回 or 撤回), ``case_started`` (case, actor, now),
``case_links`` (case, actor, links) and ``case_documents`` (case, actor, documents): collect a case's feature pages
and documents for the task page (see ``engine.summary``),
``case_completed`` / ``case_cancelled`` / ``case_error`` (case, now),
``events_thrown`` (rt, case, events, now): messages and signals a case threw that nothing in it caught.
Every payload also carries ``process``: the case's definition as read from its BPMN
(``engine.definitions.meta.ProcessMeta``: the process properties in ``settings``, each user task's properties), so a
subscriber recognises its feature's cases by a property (``engine.steps.casework_of``), never by a process key or
an element id. Subscribers take ``**_`` for payload entries they do not use.
A subscriber that raises aborts the command (so keep them small and correct).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import sqlalchemy.orm as so

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(kind: str, handler: Handler) -> None:
    """Call ``handler(session, **payload)`` whenever ``kind`` happens (idempotent per handler)."""
    if handler not in _handlers[kind]:
        _handlers[kind].append(handler)


def emit(session: so.Session, kind: str, **payload: Any) -> None:
    for handler in list(_handlers.get(kind, ())):
        handler(session, **payload)
