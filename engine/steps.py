"""What a BPMN step says it means to the product: the properties the core reads, and the step rules it runs.

A user task names its rule in a property, ``<spiffworkflow:property name="rule" value="cosigning"/>`` (several:
comma-separated), and the rule is registered by a feature under that name (``behaviours.rule(...)``). The core
runs the rule's phases at the step's moments, in the command's transaction:

``check``
    after the form validated and before the workflow moves; it may refuse with an engine error (naming the
    field) so nothing changes, or add computed values to the submitted data;
``record``
    after the step completed and the workflow moved (the next steps exist already);
``cancelled``
    when the step was cancelled without completing: a boundary timer fired, another branch ended it, or
    the case was cancelled.

A process says which feature's casework it is with the process property ``casework`` (``casework="proposals"``),
so a renamed or copied process keeps its feature; ``stage`` on a step names the stage the case is at while
the step is open. Python never asks for a step by its element id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from .access import Actor
from .behaviours import Behaviour, behaviours
from .definitions.meta import ProcessMeta
from .models import Case, Task

RULE, STAGE, CASEWORK = "rule", "stage", "casework"

behaviours.property(RULE, doc="On a user task: the registered rule(s), comma-separated, run when the step "
                              "completes (check, then record) or is cancelled. `docket check` refuses an unknown "
                              "rule name.")
behaviours.property(STAGE, doc="On a user task: the stage the case is at while this step is open (for "
                               "proposals, the proposal's status). A casework may list the stages it knows; "
                               "`docket check` then refuses any other.")
behaviours.property(CASEWORK, doc="On a process: which feature's casework its cases are (e.g. proposals, "
                                  "mediation, appeals), whatever the process key. `docket check` refuses an "
                                  "unknown word.")


def names(value: str | None) -> list[str]:
    """The names in a comma-separated property value."""
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def casework_of(process: ProcessMeta | None) -> str | None:
    """The casework word the process declares, if any."""
    return (process.settings.get(CASEWORK) or "").strip() or None if process is not None else None


def step_properties(process: ProcessMeta | None, task: Task) -> dict[str, str]:
    """The BPMN properties of the user task behind ``task`` (empty when the definition no longer has it)."""
    meta = process.tasks.get(task.name) if process is not None else None
    return dict(meta.properties) if meta is not None else {}


@dataclass
class Step:
    """A user task at one moment of its life, as a rule sees it."""

    session: so.Session
    case: Case
    task: Task
    process: ProcessMeta
    now: datetime
    actor: Actor | None = None
    data: dict[str, Any] = field(default_factory=dict)
    """``check``: the submitted data, which the rule may add to; ``record``: what the step submitted."""

    @property
    def properties(self) -> dict[str, str]:
        """The step's BPMN properties."""
        return step_properties(self.process, self.task)

    @property
    def settings(self) -> dict[str, str]:
        """The process's BPMN properties."""
        return self.process.settings

    @property
    def values(self) -> dict[str, Any]:
        """The case data with the step's own data over it."""
        return {**(self.case.data or {}), **(self.data or {})}


class UnknownRule(LookupError):
    """A step names a rule no loaded feature registered (``docket check`` refuses such files)."""


def _rules(step: Step) -> Iterator[Behaviour]:
    for name in names(step.properties.get(RULE)):
        rule = behaviours.find("rule", name)
        if rule is None:
            raise UnknownRule(f"step {step.task.name!r} names the rule {name!r}, which no feature registered")
        yield rule


def _run(step: Step, phase: str) -> None:
    for rule in _rules(step):
        fn = rule.extra.get(phase)
        if fn is not None:
            fn(step)


def check_step(step: Step) -> None:
    """Run the ``check`` phase of the step's rules (they may refuse, or add to ``step.data``)."""
    _run(step, "check")


def record_step(step: Step) -> None:
    """Run the ``record`` phase of the step's rules."""
    _run(step, "record")


def cancel_step(step: Step) -> None:
    """Run the ``cancelled`` phase of the step's rules."""
    _run(step, "cancelled")
