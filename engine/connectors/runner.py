"""Calling a registered connector: check its parameters, give it the command's scope, undo its rows on failure.

A connector is a function registered with ``behaviours.connector(name, params=...)``; it is called as
``fn(call, **parameters)`` where ``call`` is a :class:`ConnectorCall`. It returns a JSON-like value (the
result the BPMN can keep) or raises :class:`ConnectorError` with a message for the people who will read it on
the case (``SMTP server mail.example.edu.cn cannot be reached``). Rows it added before failing are discarded.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.behaviours import behaviours
from engine.documents.fill import FieldLabels, field_labels, render_text
from engine.models import Case, User
from engine.office.units import served_forms
from engine.workdays import LOCAL

from .context import CommandScope, current_scope

log = logging.getLogger(__name__)


class ConnectorError(Exception):
    """A connector could not do its work; the message says why, for the case's error line."""


@dataclass
class ConnectorCall:
    """What a connector gets besides its parameters: the command's scope, the step, and the case data."""

    scope: CommandScope
    connector: str
    element_id: str
    step: str
    data: Mapping[str, Any]

    @property
    def session(self) -> so.Session:
        return self.scope.session

    @property
    def case(self) -> Case:
        return self.scope.case

    @functools.cached_property
    def labels(self) -> FieldLabels:
        """Titles and option labels of the process's form fields (units by their names, inactive ones too)."""
        return field_labels(served_forms(self.session, self.scope.forms))

    @functools.cached_property
    def values(self) -> dict[str, Any]:
        """The case data, plus ``business_key``, ``case_title`` and ``today`` where the data has none."""
        extra = {"business_key": self.case.business_key, "case_title": self.case.title or "",
                 "today": self.scope.now.astimezone(LOCAL).date().isoformat()}
        return {**extra, **self.data}

    def display_names(self, usernames: list[str]) -> dict[str, str]:
        """Usernames -> display names (unknown usernames are left out)."""
        if not usernames:
            return {}
        rows = self.session.execute(sa.select(User.username, User.display_name).where(User.username.in_(usernames)))
        return {u: name for u, name in rows}

    def fill(self, text: str) -> str:
        """``text`` with its ``{field}`` placeholders filled from the case data (missing ones are marked)."""
        filled, missing = render_text(text, self.values, self.labels, self.display_names)
        if missing:
            log.warning("%s in %s (%s): no case data for %s", self.connector, self.case.business_key,
                        self.element_id, ", ".join(missing))
        return filled


def _check_parameters(name: str, params: Mapping[str, Any]) -> Any:
    behaviour = behaviours.find("connector", name)
    if behaviour is None or behaviour.fn is None:
        known = ", ".join(b.name for b in behaviours.all("connector"))
        raise ConnectorError(f"there is no connector '{name}' (known: {known})")
    unknown = sorted(p for p in params if behaviour.param(p) is None)
    if unknown:
        raise ConnectorError(f"unknown parameter(s) {', '.join(unknown)} (it takes "
                             f"{', '.join(p.name for p in behaviour.params)})")
    missing = [p for p in behaviour.required if params.get(p) in (None, "", [])]
    if missing:
        raise ConnectorError(f"parameter(s) {', '.join(missing)} must have a value")
    return behaviour


def run_connector(task: Any, name: str, params: Mapping[str, Any]) -> Any:
    """Run connector ``name`` for the SpiffWorkflow ``task`` with evaluated ``params``.

    :raises ConnectorError: unknown connector or parameter, no command running, or the connector failed.
    """
    behaviour = _check_parameters(name, params)
    scope = current_scope()
    if scope is None:
        raise ConnectorError("it ran outside a command (no case, session or clock to work with)")
    spec = task.task_spec
    call = ConnectorCall(scope, name, spec.bpmn_id or spec.name, spec.bpmn_name or spec.bpmn_id or spec.name,
                         dict(task.data))
    before = set(scope.session.new)
    try:
        return behaviour.fn(call, **params)
    except Exception as exc:
        for row in set(scope.session.new) - before:  # rows it added and did not flush: never half done
            scope.session.expunge(row)
        if isinstance(exc, ConnectorError):
            raise
        log.exception("connector %s failed in %s", name, scope.case.business_key)
        raise ConnectorError(f"{type(exc).__name__}: {exc}") from exc
