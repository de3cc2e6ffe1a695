"""Dispute mediation and disciplinary appeals: early warnings, deadlines, documents."""

from __future__ import annotations

from types import ModuleType

from engine.access import bar_cases
from engine.behaviours import Param, Registry
from engine.documents.store import add_read_rule
from engine.scheduler import Jobs

from . import helpers, pages, step_rules, subscribers
from .access import APPEALS, MEDIATION, document_readers, recused_from


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """The casework words ``mediation`` and ``appeals``, their step rules, the ``dispute_setting`` helper, the bar
    on recused handlers, the hooks for recusal and for the notices of an ended case, and who reads a dispute
    case's documents (its parties and handlers)."""
    behaviours.casework(MEDIATION, doc="Labour and personnel dispute mediation (调解): confidential cases, the "
                        "committee's recusal and consent records, documents, statistics.")
    behaviours.casework(APPEALS, doc="Disciplinary appeals (复核, 申诉, 再申诉): confidential cases, documents, "
                        "statistics.")
    for name, spec in step_rules.RULES.items():
        behaviours.rule(name, **spec)
    behaviours.helper("dispute_setting", doc="The running case's process setting (a BPMN process property such as "
                      "mediationDays, acceptanceWorkdays, escalationNewPeriod), else Docket's default, as a whole "
                      "number.", params=[Param("name", "the setting's name", required=True)],
                      errors="ValueError for an unknown setting.")(helpers.dispute_setting)
    bar_cases(recused_from)
    for kind, handler in subscribers.HANDLERS.items():
        hooks.subscribe(kind, handler)
    hooks.subscribe("case_links", pages.case_file_link)
    add_read_rule(document_readers)
