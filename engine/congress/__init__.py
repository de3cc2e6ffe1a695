"""Staff congress proposals: congresses, sessions, delegates, co-signing, statistics, the public archive."""

from __future__ import annotations

from types import ModuleType

from engine.behaviours import Param, Registry
from engine.scheduler import Jobs

from . import attachments, pages, rules, subscribers


def register(behaviours: Registry, hooks: ModuleType, jobs: Jobs) -> None:
    """The casework word ``proposals`` (with the stages its steps may name), the proposal's step rules, the
    ``cosigners_of`` and ``rehandle_deadline`` helpers, the hooks that keep each proposal in step with its case,
    and the proposal's files beside its tasks."""
    behaviours.casework(rules.CASEWORK, doc="Staff-congress proposals: a case per published proposal; the "
                        "proposal's status follows the `stage` of its open step and its outcome the case's "
                        "`decision`.", stages=rules.STEP_STATUSES)
    for name, spec in rules.RULES.items():
        behaviours.rule(name, **spec)
    behaviours.helper("cosigners_of", doc="The usernames that co-sign the proposal now, oldest first (a withdrawn "
                      "signature does not count).", params=[Param("proposal_id", "the case's proposal_id",
                                                                  required=True)])(rules.cosigners_of)
    behaviours.helper("rehandle_deadline", doc="When the reply of a re-handling that starts now is due (ISO "
                      "datetime): the congress's rehandle_due setting, else its reply_due period, counted from the "
                      "day of re-handling.", params=[Param("proposal_id", "the case's proposal_id", required=True)],
                      errors="ValueError when the proposal does not exist.")(rules.rehandle_deadline)
    for kind, handler in subscribers.HANDLERS.items():
        hooks.subscribe(kind, handler)
    hooks.subscribe("case_links", pages.proposal_link)
    hooks.subscribe("case_documents", attachments.case_proposal_files)
