"""What ``docket check`` and deploy say about a service task: the connector exists, its parameters are known
and the required ones are given, and whatever the connector itself checks (a template exists, a group exists).

A connector adds its own check by registering ``check=fn``: ``fn(params, context)`` gets the parameters as
written (:class:`~engine.connectors.reading.Parameter`, with the value when it is a constant) and returns
:class:`Finding` items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.behaviours import behaviours
from engine.documents.fill import Placeholder, placeholders

from .reading import Parameter, ServiceCall


@dataclass(frozen=True)
class Finding:
    """One problem with a connector call: the line, the message and ``error`` or ``warning``."""

    line: int
    message: str
    severity: str = "error"


@dataclass
class CheckContext:
    """What a connector's own check may look at: the deployed files and what exists in the database."""

    templates: dict[str, bytes] = field(default_factory=dict)
    known_groups: set[str] | None = None  # None: not known (``docket check`` without --groups)
    known_fields: set[str] = field(default_factory=set)  # case-data fields the process can have


ConnectorCheck = Callable[[dict[str, Parameter], CheckContext], list[Finding]]


def check_call(call: ServiceCall, context: CheckContext) -> list[Finding]:
    """Every problem of one service task's connector call."""
    found = [Finding(line, message) for line, message in call.problems]
    if call.connector is None:
        return found
    behaviour = behaviours.find("connector", call.connector)
    if behaviour is None:
        known = ", ".join(b.name for b in behaviours.all("connector"))
        where = call.connector_line or call.line
        return [*found, Finding(where, f"unknown connector '{call.connector}' (known: {known})")]
    params = {p.name: p for p in call.params}
    for param in call.params:
        if behaviour.param(param.name) is None:
            takes = ", ".join(p.name for p in behaviour.params)
            found.append(Finding(param.line, f"connector '{call.connector}' has no parameter '{param.name}' "
                                             f"(it takes {takes})"))
    for name in behaviour.required:
        if name not in params:
            found.append(Finding(call.line, f"connector '{call.connector}' needs the parameter '{name}'"))
        elif params[name].is_literal and params[name].literal in (None, "", []):
            found.append(Finding(params[name].line, f"parameter '{name}' of connector '{call.connector}' is empty"))
    own: Any = behaviour.extra.get("check")
    if callable(own):
        found.extend(own(params, context))
    return found


def unknown_fields(found: Iterable[Placeholder], context: CheckContext) -> list[str]:
    """The placeholders (as written) whose field the process never sets, each once."""
    return list(dict.fromkeys(p.text for p in found if p.root not in context.known_fields and p.root != "#"))


def text_fields_finding(param: Parameter | None, context: CheckContext) -> list[Finding]:
    """A warning for ``{field}`` placeholders in a constant text parameter that name no known field."""
    if param is None or not param.is_literal or not isinstance(param.literal, str):
        return []
    unknown = unknown_fields(placeholders(param.literal), context)
    if not unknown:
        return []
    return [Finding(param.line, f"parameter '{param.name}' uses {', '.join(unknown)}, which no form, script, DMN "
                                "table or connector of this process sets (it will print as a marked blank)",
                    "warning")]
