"""Sandbox helpers of the mediation and appeal processes: what their scripts and expressions call by name
(registered by ``engine.disputes.register``)."""

from __future__ import annotations

from engine.connectors.context import current_scope
from engine.models import ProcessDefinition

from . import rules


def dispute_setting(name: str) -> int:
    """The running case's process setting ``name`` (its BPMN process property of that name, else the default in
    ``engine.disputes.rules.DEFAULTS``), so a script counts with the numbers the designer set.

    :raises ValueError: an unknown setting. :raises RuntimeError: called outside a command moving a case.
    """
    if name not in rules.DEFAULTS:
        raise ValueError(f"unknown setting {name!r} (known: {', '.join(rules.DEFAULTS)})")
    scope = current_scope()
    if scope is None:
        raise RuntimeError("dispute_setting runs only while a command moves a case")
    definition = scope.session.get(ProcessDefinition, scope.definition_id)
    return rules.setting(definition.settings if definition is not None else None, name)
