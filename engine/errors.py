"""Errors raised by engine commands and queries.

Each maps to one HTTP status in the web layer; the engine itself knows nothing of HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocketError(Exception):
    """Base class: a readable message (English, for logs and the API) plus structured details.

    Errors that reach a person also carry ``reason``, a stable name of what went wrong, and ``params``, the
    values the sentence needs (datetimes, counts, business keys): the web layer words them in the reader's
    language from its catalog (``webui/catalog.py``). A detail may carry its own ``code`` and values too.
    """

    message: str
    details: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    code = "error"

    def __str__(self) -> str:
        return self.message


class NotFound(DocketError):
    """The case, task, process or user does not exist (or is invisible to the caller)."""

    code = "not_found"


class Forbidden(DocketError):
    """The caller's groups do not allow this read or write."""

    code = "forbidden"


class Conflict(DocketError):
    """The task is no longer open, the revision is stale, or someone else holds the task."""

    code = "conflict"


class Invalid(DocketError):
    """Bad input: form fields, BPMN problems, unknown options. ``details`` lists each problem."""

    code = "invalid"


class TooMany(DocketError):
    """The same action again too soon (e.g. a second 催办 of one task by one caller within 24 hours)."""

    code = "too_many_requests"
