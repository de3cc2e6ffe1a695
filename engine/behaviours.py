"""The registry of named behaviours that a BPMN file may reference.

A process is written in BPMN alone; what it needs from Python is a *named, documented behaviour* that the
file refers to by name, never the other way round (Python never looks a process up by an element id):

``connector``
    What a service task does: ``spiffworkflow:serviceTaskOperator id="<name>"`` or
    ``camunda:type="external" camunda:topic="<name>"``. Its parameters are declared, so ``docket check``
    refuses an unknown connector or a missing required parameter with the element id.
``helper``
    A function that conditions, scripts, pre/post scripts and expression-valued properties call by name
    inside the sandbox (``workdays_after(received, 3)``, ``enough_cosigners()``).
``property``
    A ``spiffworkflow:property`` / ``camunda:property`` name that means something to the product on a
    process or a step (its stage label, the case facts shown beside its form, whether it may be returned to).
``rule``
    What happens when a user task completes, named by the task's ``rule`` property: ``check`` before the
    workflow moves (it may refuse with an engine error naming the field, or add computed values to the
    submitted data), ``record`` after the step completed, ``cancelled`` when a timer or a cancelled case
    ended the step (see ``engine.steps``).
``casework``
    A feature's word for the cases it follows, named by a process's ``casework`` property, so a renamed or
    copied process still belongs to its feature; it may list the ``stage`` values its steps use.

Features add their behaviours when they are registered (see ``engine.features``); the designer's guide
(``docs/designer.md``) documents every entry, and a test keeps the two in step.

    from engine.behaviours import behaviours, Param

    @behaviours.connector("notify", doc="Tell users or groups something.",
                          params=[Param("users", "usernames ..."), Param("message", "...", required=True)])
    def notify(call, users=None, groups=None, message=""): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("connector", "helper", "property", "rule", "casework")


@dataclass(frozen=True)
class Param:
    """One documented parameter of a behaviour."""

    name: str
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Behaviour:
    """A named behaviour: what it is for, its parameters, the errors it raises, and its Python function."""

    kind: str
    name: str
    doc: str
    params: tuple[Param, ...] = ()
    errors: str = ""
    fn: Callable[..., Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Param | None:
        """The declared parameter ``name``, if there is one."""
        return next((p for p in self.params if p.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the parameters that must be given."""
        return tuple(p.name for p in self.params if p.required)


class Registry:
    """Behaviours by kind and name. Registering a name twice is an error (two features would fight over it)."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Behaviour]] = {kind: {} for kind in KINDS}

    def add(self, behaviour: Behaviour) -> Behaviour:
        """Register ``behaviour``; a second registration of the same function is ignored.

        :raises ValueError: another behaviour of that kind already has that name, or the kind is unknown.
        """
        if behaviour.kind not in self._items:
            raise ValueError(f"unknown behaviour kind {behaviour.kind!r}; one of {', '.join(KINDS)}")
        if behaviour.kind == "helper" and (not behaviour.name.isidentifier() or behaviour.name.startswith("_")):
            raise ValueError(f"helper names must be identifiers not starting with '_': {behaviour.name!r}")
        known = self._items[behaviour.kind].get(behaviour.name)
        if known is not None and known != behaviour:
            raise ValueError(f"{behaviour.kind} {behaviour.name!r} is registered twice")
        self._items[behaviour.kind][behaviour.name] = behaviour
        return behaviour

    def connector(self, name: str, *, doc: str, params: Iterable[Param] = (), errors: str = "",
                  **extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register the function as the connector ``name`` that service tasks call."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.add(Behaviour("connector", name, doc, tuple(params), errors, fn, dict(extra)))
            return fn

        return register

    def helper(self, name: str, *, doc: str, params: Iterable[Param] = (), errors: str = "",
               **extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register the function as the sandbox helper ``name``."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.add(Behaviour("helper", name, doc, tuple(params), errors, fn, dict(extra)))
            return fn

        return register

    def property(self, name: str, *, doc: str, params: Iterable[Param] = (), **extra: Any) -> Behaviour:
        """Register the meaning of the BPMN property ``name`` (on a process or a step)."""
        return self.add(Behaviour("property", name, doc, tuple(params), "", None, dict(extra)))

    def rule(self, name: str, *, doc: str, check: Callable[..., Any] | None = None,
             record: Callable[..., Any] | None = None, cancelled: Callable[..., Any] | None = None,
             errors: str = "") -> Behaviour:
        """Register the step rule ``name``: each phase is a function of one ``engine.steps.Step``."""
        phases = {"check": check, "record": record, "cancelled": cancelled}
        return self.add(Behaviour("rule", name, doc, (), errors, check, phases))

    def casework(self, name: str, *, doc: str, stages: Iterable[str] = ()) -> Behaviour:
        """Register the casework word ``name`` a process declares in its ``casework`` property; ``stages`` (when
        given) are the only ``stage`` values its steps may carry."""
        return self.add(Behaviour("casework", name, doc, (), "", None, {"stages": tuple(stages)}))

    def find(self, kind: str, name: str) -> Behaviour | None:
        """The behaviour of ``kind`` called ``name``, or None."""
        return self._items[kind].get(name)

    def all(self, kind: str) -> list[Behaviour]:
        """Every behaviour of ``kind``, sorted by name."""
        return [self._items[kind][name] for name in sorted(self._items[kind])]

    def helper_functions(self) -> dict[str, Callable[..., Any]]:
        """The sandbox helpers by name, for the script engine."""
        return {b.name: b.fn for b in self._items["helper"].values() if b.fn is not None}


behaviours = Registry()
"""The process-wide registry every feature adds to and ``docket check`` reads."""
