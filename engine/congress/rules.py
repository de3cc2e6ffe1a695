"""The proposal process's named rules, and how a proposal row follows its case.

The BPMN says which rule runs at which step: a user task carries ``<property name="rule" value="..."/>`` naming
one of the rules below (``engine.steps`` runs them in the engine's commands), and ``stage`` naming the status the
proposal has while the step is open. Nothing here knows an element id, so a designer may rename, add or move
steps; ``engine.congress.register`` registers the casework word ``proposals``, the rules and the helper
``cosigners_of``.

What each rule does (docs in :data:`RULES` are what ``docket check`` and the designer's guide show):
``cosigning`` refuses to close co-signing early with too few co-signatures; ``proposal_review`` checks a merge
target and a consultation date; ``proposal_assignment`` checks the departments, computes the return, opinion and
reply deadlines from the congress's settings and records the departments; ``assignment_return`` refuses a late
return; ``proposal_reply`` enforces the one extension and the reply lock and records the reply;
``reply_extension`` moves the reply deadline; the helper ``rehandle_deadline`` gives a re-handling its own
deadline from the day of re-handling; ``proposal_rating`` records the rating (silence at the end of the
rating period: no rating) and tells the department of a re-handling; ``implementation_grade`` records the grade.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.clock import utcnow
from engine.db import current_session
from engine.errors import Conflict, Invalid
from engine.models import Case
from engine.notifications import members_of
from engine.steps import Step
from engine.workdays import as_due, due_after

from .archive import reindex
from .models import Congress, CongressSession, Proposal
from .notify import tell
from .proposals import CASEWORK, active_cosigners, cosign_cutoff
from .settings import effective, rehandle_period

__all__ = ["CASEWORK", "RULES", "STEP_STATUSES", "cosigners_of", "record_end", "record_stage"]
STEP_STATUSES = ("seconding", "review", "consulting", "presidium", "assigning", "assigned", "handling", "extension",
                 "signoff", "rating", "implementation", "closing")
"""The ``stage`` values a proposal step may carry: the proposal's status while the step is open."""
OUTCOMES = {"register": "registered", "convert": "converted", "reject": "rejected", "merge": "merged",
            "withdraw": "withdrawn"}
"""The case's ``decision`` -> the proposal's outcome."""
EARLY_STATUSES = ("seconding", "review", "consulting", "presidium")


def proposal_of(session: so.Session, case: Case) -> Proposal | None:
    """The proposal whose case this is (None until publishing linked them)."""
    pid = (case.data or {}).get("proposal_id")
    row = session.get(Proposal, pid) if pid else None
    if row is None and case.id is not None:  # a cancelled workflow keeps no variables
        row = session.scalar(sa.select(Proposal).where(Proposal.case_id == case.id))
    return row if row is not None and row.case_id == case.id else None


class _Context:
    """A step of a proposal's case: the proposal, its congress's effective settings and its session."""

    def __init__(self, step: Step, row: Proposal) -> None:
        self.step, self.row = step, row
        self.session = session = step.session
        self.term = session.get(CongressSession, row.session_id)
        self.rules = effective(session.get(Congress, row.congress_id), self.term)


def _context(step: Step) -> _Context | None:
    row = proposal_of(step.session, step.case)
    return _Context(step, row) if row is not None else None


def _archive(session: so.Session, row: Proposal) -> None:
    if row.outcome in ("registered", "converted"):
        reindex(session, row)


# --- rules ------------------------------------------------------------------------------------------------

def check_cosigning(step: Step) -> None:
    ctx = _context(step)
    if ctx is None:
        return
    signers = active_cosigners(step.session, ctx.row.id)
    needed = int(ctx.rules["min_cosigners"])
    cutoff = cosign_cutoff(ctx.row, ctx.term)
    if step.now < cutoff and len(signers) < needed:
        raise Conflict(f"co-signing is open until {cutoff:%Y-%m-%d %H:%M} UTC and has {len(signers)} of "
                       f"{needed} co-signatures", [{"code": "cosigning_open", "have": len(signers), "need": needed}],
                       reason="cosigning_open", params={"until": cutoff, "have": len(signers), "need": needed})


def check_review(step: Step) -> None:
    ctx = _context(step)
    if ctx is None:
        return
    data, row = step.data, ctx.row
    decision = data.get("decision")
    if decision == "merge":
        key = str(data.get("merge_into") or "").strip()
        target = step.session.scalar(sa.select(Proposal).where(Proposal.business_key == key))
        if target is None or target.id == row.id or target.congress_id != row.congress_id:
            raise Invalid("no other proposal of this congress has that number",
                          [{"field": "merge_into", "message": "unknown proposal number"}],
                          reason="unknown_proposal")
        if target.status in ("draft", "seconding") or target.outcome in ("merged", "rejected", "withdrawn"):
            raise Invalid(f"{key} cannot take merged proposals ({target.outcome or target.status})",
                          [{"field": "merge_into", "message": "must be a proposal under review or registered"}],
                          reason="cannot_merge_into", params={"case": key})
    if decision == "consult":
        due = data.get("consult_due")
        try:
            if due and as_due(due) <= step.now:
                raise Invalid("the opinions must be due in the future",
                              [{"field": "consult_due", "message": "must be a future date"}],
                              reason="consult_due_past")
        except ValueError as exc:
            raise Invalid("not a date", [{"field": "consult_due", "message": str(exc)}]) from exc


def check_assignment(step: Step) -> None:
    ctx = _context(step)
    if ctx is None:
        return
    data, rules, now = step.data, ctx.rules, step.now
    co = [d for d in (data.get("co_departments") or []) if isinstance(d, str)]
    if data.get("lead_department") in co:
        raise Invalid("the lead department cannot also co-handle",
                      [{"field": "co_departments", "message": "must not include the lead department"}],
                      reason="lead_also_co")
    data["co_departments"] = co
    data["return_due"] = due_after(now, f"P{int(rules['return_workdays'])}D", "workdays").isoformat()
    data["co_due"] = due_after(now, str(rules["co_opinion_due"])).isoformat()
    data["reply_due"] = due_after(now, str(rules["reply_due"])).isoformat()
    data["extension_used"] = False
    data["assigned_at"] = now.isoformat()


def record_assignment(step: Step) -> None:
    row = proposal_of(step.session, step.case)
    if row is not None:
        row.lead_department, row.co_departments = step.data.get("lead_department"), list(
            step.data.get("co_departments") or [])
        row.updated_at = step.now
        _archive(step.session, row)


def check_return(step: Step) -> None:
    task = step.task
    if step.data.get("assignment") == "return" and task.due_at is not None and step.now > task.due_at:
        raise Conflict(f"a wrong assignment can be returned until {task.due_at:%Y-%m-%d}; handle it or ask the "
                       "committee", [{"code": "return_period_over", "field": "assignment"}],
                       reason="return_period_over", params={"until": task.due_at})


def check_reply(step: Step) -> None:
    ctx = _context(step)
    if ctx is None:
        return
    data, rules, task = step.data, ctx.rules, step.task
    if data.get("reply_action") == "extend":
        if (step.case.data or {}).get("extension_used"):
            raise Conflict("the one extension of this proposal has been used",
                           [{"code": "extension_used", "field": "reply_action"}])
        days = data.get("extension_days")
        if isinstance(days, int) and days > int(rules["extension_max_days"]):
            raise Invalid("the extension is too long", [{"field": "extension_days", "message":
                                                         f"at most {rules['extension_max_days']} days"}],
                          reason="extension_too_long", params={"max": rules["extension_max_days"]})
    elif rules.get("reply_lock") and task.due_at is not None and step.now > task.due_at \
            and not int((step.case.data or {}).get("rehandle_count") or 0):  # a re-handling is never locked
        raise Conflict(f"replies closed on {task.due_at:%Y-%m-%d}; ask for an extension first",
                       [{"code": "reply_locked", "field": "reply_action"}],
                       reason="reply_locked", params={"until": task.due_at})


def record_reply(step: Step) -> None:
    row = proposal_of(step.session, step.case)
    if row is None or step.data.get("reply_action") != "reply":
        return
    row.reply = {k: step.data.get(k) for k in ("reply_type", "reply", "measures", "completion_date")}
    row.reply.update(replied_by=step.actor.username if step.actor else None, replied_at=step.now.isoformat())
    row.updated_at = step.now
    _archive(step.session, row)


def check_extension(step: Step) -> None:
    current = step.case.data or {}
    if step.data.get("extension_approved") is True:
        due = as_due(current.get("reply_due")) or step.now
        step.data["reply_due"] = (due + timedelta(days=int(current.get("extension_days") or 0))).isoformat()
    step.data["extension_used"] = True


def record_rating(step: Step) -> None:
    row = proposal_of(step.session, step.case)
    if row is None:
        return
    row.rating, row.rating_comment, row.updated_at = step.data.get("rating"), step.data.get("rating_comment"), step.now
    before, row.rehandled = row.rehandled, int((step.case.data or {}).get("rehandle_count") or 0)
    if row.rehandled > before and row.lead_department:
        tell(step.session, members_of(step.session, [f"dept:{row.lead_department}"]), "proposal_rehandle", row,
             "rehandle", step.now)
    _archive(step.session, row)


def rating_lapsed(step: Step) -> None:
    row = proposal_of(step.session, step.case)
    if row is not None and step.case.status == "running":  # the rating period ended in silence
        row.rating, row.rating_comment, row.updated_at = "none", None, step.now


def record_grade(step: Step) -> None:
    row = proposal_of(step.session, step.case)
    if row is not None:
        row.grade, row.grade_note, row.updated_at = step.data.get("grade"), step.data.get("grade_note"), step.now
        _archive(step.session, row)


RULES: dict[str, dict[str, Any]] = {
    "cosigning": dict(check=check_cosigning, doc="Closing co-signing before the session's cutoff needs the "
                      "congress's minimum of co-signatures.", errors="Conflict while co-signing is open with too "
                      "few co-signatures."),
    "proposal_review": dict(check=check_review, doc="A merge names another proposal of the same congress under "
                            "review or registered (merge_into); a consultation is due in the future (consult_due).",
                            errors="Invalid naming merge_into or consult_due."),
    "proposal_assignment": dict(check=check_assignment, record=record_assignment, doc="The lead department is "
                                "not also a co-department; sets return_due, co_due and reply_due from the congress's "
                                "settings and records the departments on the proposal.",
                                errors="Invalid naming co_departments."),
    "assignment_return": dict(check=check_return, doc="A wrong assignment may be returned until the step's due "
                              "date (the congress's return_workdays).", errors="Conflict after that date."),
    "proposal_reply": dict(check=check_reply, record=record_reply, doc="One extension per handling (a "
                           "re-handling has its own), at most the congress's extension_max_days; with reply_lock, no "
                           "first reply after the due date (a re-handling's reply is never locked, so the lock never "
                           "strands it); records the reply on the proposal.",
                           errors="Conflict for a second extension or a locked reply; Invalid naming extension_days."),
    "reply_extension": dict(check=check_extension, doc="An approved extension moves reply_due by the days asked; "
                            "either way the extension is used."),
    "proposal_rating": dict(record=record_rating, cancelled=rating_lapsed, doc="Records the proposer's rating "
                            "(a re-handling is announced to the lead department); a rating period ended by its "
                            "timer records no rating."),
    "implementation_grade": dict(record=record_grade, doc="Records the implementation grade (A-D) and its note."),
}


def rehandle_deadline(proposal_id: int) -> str:
    """When the reply of a re-handling that starts now is due, as an ISO datetime: the proposal's congress
    setting ``rehandle_due`` (else its ``reply_due`` period) counted from now, the day of re-handling."""
    session = current_session()
    row = session.get(Proposal, int(proposal_id))
    if row is None:
        raise ValueError(f"proposal {proposal_id} does not exist")
    rules = effective(session.get(Congress, row.congress_id), session.get(CongressSession, row.session_id))
    return due_after(utcnow(), rehandle_period(rules)).isoformat()


def cosigners_of(proposal_id: int) -> list[str]:
    """The proposal's co-signers now (withdrawn signatures left out), oldest first."""
    return active_cosigners(current_session(), int(proposal_id))


# --- the row follows its case ---------------------------------------------------------------------------

def record_stage(session: so.Session, case: Case, stage: str | None, now: datetime) -> None:
    """A step opened: the proposal's status is its ``stage``, and the case's decision so far is its outcome."""
    row = proposal_of(session, case)
    if row is None:
        return
    if stage:
        row.status, row.updated_at = stage, now
    record_outcome(session, case, row, now)


def record_outcome(session: so.Session, case: Case, row: Proposal, now: datetime) -> None:
    """The case's ``decision`` (review, presidium, or the conversion at the co-signing cutoff) becomes the
    proposal's outcome once; the people concerned are told."""
    data = case.data or {}
    outcome = OUTCOMES.get(str(data.get("decision") or ""))
    if outcome is None or row.outcome == outcome:
        return
    row.outcome, row.updated_at = outcome, now
    row.outcome_note = "附议截止时附议人数不足" if data.get("opinion_reason") == "cosigners" \
        else data.get("review_opinion")
    if outcome == "registered":
        row.registered_at = now
    if outcome == "merged":
        target = session.scalar(sa.select(Proposal).where(Proposal.business_key == data.get("merge_into")))
        row.merged_into_id = target.id
        joined = [p for p in [row.proposer, *(row.co_proposers or [])] if p != target.proposer]
        target.co_proposers = list(dict.fromkeys([*(target.co_proposers or []), *joined]))
        tell(session, [target.proposer], "proposal_merged", target, "merged_in", now, other=row)
    tell(session, [row.proposer, *(row.co_proposers or [])], "proposal_review", row, outcome, now)
    _archive(session, row)


def record_end(session: so.Session, case: Case, now: datetime, cancelled: bool = False) -> None:
    """The case ended: closed, or ended at review (rejected, merged, withdrawn), or cancelled."""
    row = proposal_of(session, case)
    if row is None:
        return
    row.updated_at = now
    if cancelled:
        if row.outcome in (None, "converted") and row.status in EARLY_STATUSES:
            row.outcome, row.status = "withdrawn", "withdrawn"
        else:
            row.status = "cancelled"
        return
    record_outcome(session, case, row, now)
    decision = (case.data or {}).get("decision")
    if decision in ("reject", "merge", "withdraw"):  # ended at review
        row.status = OUTCOMES[decision]
    else:
        row.status, row.closed_at = "closed", now
        tell(session, [row.proposer, *(row.co_proposers or [])], "proposal_closed", row, "closed", now)
