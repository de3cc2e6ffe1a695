"""Dispute mediation and disciplinary appeals: early warnings, deadlines, documents."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Registry
from engine.documents.store import add_read_rule
from engine.scheduler import Jobs

from . import pages, step_rules, subscribers
from .access import APPEALS, MEDIATION, document_readers


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """The casework words ``mediation`` and ``appeals``, their step rules, and the hooks for recusal and for the
    notices of an ended case; who reads a dispute case's documents (its parties and handlers)."""
    behaviours.casework(MEDIATION, doc="Labour and personnel dispute mediation (调解): confidential cases, the "
                        "committee's recusal and consent records, documents, statistics.")
    behaviours.casework(APPEALS, doc="Disciplinary appeals (复核, 申诉, 再申诉): confidential cases, documents, "
                        "statistics.")
    for name, spec in step_rules.RULES.items():
        behaviours.rule(name, **spec)
    for kind, handler in subscribers.HANDLERS.items():
        hooks.subscribe(kind, handler)
    hooks.subscribe("case_links", pages.case_file_link)
    add_read_rule(document_readers)
