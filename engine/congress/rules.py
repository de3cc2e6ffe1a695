"""The proposal process's rules at each step, run inside the engine's commands (see subscribers.py).

``check_completion`` may refuse a completion and adds the computed variables (due dates, co-signers) to
the submitted data; ``record_completion`` and ``record_stage`` keep the proposal row in step with its case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.errors import Conflict, Invalid
from engine.models import Case, Task
from engine.notifications import members_of
from engine.workdays import as_due, due_after

from .models import Congress, CongressSession, Proposal
from .notify import tell
from .proposals import active_cosigners, cosign_cutoff
from .settings import effective

STAGES = {"seconding": "seconding", "review": "review", "consult": "consulting", "presidium_decide": "presidium",
          "assign": "assigning", "confirm_assignment": "assigned", "co_opinion": "handling",
          "draft_reply": "handling", "approve_extension": "extension", "sign_off": "signoff", "rate": "rating",
          "grade": "implementation", "close_proposal": "closing"}
OUTCOMES = {"register": "registered", "convert": "converted", "reject": "rejected", "merge": "merged",
            "withdraw": "withdrawn"}


def proposal_of(session: so.Session, case: Case) -> Proposal | None:
    pid = (case.data or {}).get("proposal_id")
    row = session.get(Proposal, pid) if pid else None
    if row is None and case.id is not None:  # a cancelled workflow keeps no variables
        row = session.scalar(sa.select(Proposal).where(Proposal.case_id == case.id))
    return row if row is not None and row.case_id == case.id else None  # None until publish linked it


def _rules(session: so.Session, row: Proposal) -> tuple[dict[str, Any], CongressSession]:
    sess = session.get(CongressSession, row.session_id)
    return effective(session.get(Congress, row.congress_id), sess), sess


def check_completion(session: so.Session, case: Case, task: Task, actor: Actor, data: dict[str, Any],
                     now: datetime) -> None:
    row = proposal_of(session, case)
    if row is None:
        return
    rules, sess = _rules(session, row)
    handler = CHECKS.get(task.name)
    if handler is not None:
        handler(session, case, task, row, rules, sess, data, now)


def _seconding(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
               sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    signers = active_cosigners(session, row.id)
    needed = int(rules["min_cosigners"])
    cutoff = cosign_cutoff(row, sess)
    if now < cutoff and len(signers) < needed:
        raise Conflict(f"co-signing is open until {cutoff:%Y-%m-%d %H:%M} UTC and has {len(signers)} of "
                       f"{needed} co-signatures")
    data.update(cosigners=signers, cosigner_count=len(signers), cosign_ok=len(signers) >= needed)


def _review(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
            sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    decision = data.get("decision")
    if decision == "merge":
        key = str(data.get("merge_into") or "").strip()
        target = session.scalar(sa.select(Proposal).where(Proposal.business_key == key))
        if target is None or target.id == row.id or target.congress_id != row.congress_id:
            raise Invalid("no other proposal of this congress has that number",
                          [{"field": "merge_into", "message": "unknown proposal number"}])
        if target.status in ("draft", "seconding") or target.outcome in ("merged", "rejected", "withdrawn"):
            raise Invalid(f"{key} cannot take merged proposals ({target.outcome or target.status})",
                          [{"field": "merge_into", "message": "must be a proposal under review or registered"}])
    if decision == "consult":
        due = data.get("consult_due")
        try:
            if due and as_due(due) <= now:
                raise Invalid("the opinions must be due in the future",
                              [{"field": "consult_due", "message": "must be a future date"}])
        except ValueError as exc:
            raise Invalid("not a date", [{"field": "consult_due", "message": str(exc)}]) from exc


def _assign(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
            sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    co = [d for d in (data.get("co_departments") or []) if isinstance(d, str)]
    if data.get("lead_department") in co:
        raise Invalid("the lead department cannot also co-handle",
                      [{"field": "co_departments", "message": "must not include the lead department"}])
    data["co_departments"] = co
    data["return_due"] = due_after(now, f"P{int(rules['return_workdays'])}D", "workdays").isoformat()
    data["co_due"] = due_after(now, str(rules["co_opinion_due"])).isoformat()
    data["reply_due"] = due_after(now, str(rules["reply_due"])).isoformat()
    data["extension_used"] = False
    data["assigned_at"] = now.isoformat()


def _confirm(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
             sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    if data.get("assignment") == "return" and task.due_at is not None and now > task.due_at:
        raise Conflict(f"a wrong assignment can be returned until {task.due_at:%Y-%m-%d}; handle it or ask the "
                       "committee")


def _reply(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
           sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    if data.get("reply_action") == "extend":
        if (case.data or {}).get("extension_used"):
            raise Conflict("the one extension of this proposal has been used")
        days = data.get("extension_days")
        if isinstance(days, int) and days > int(rules["extension_max_days"]):
            raise Invalid("the extension is too long", [{"field": "extension_days", "message":
                                                         f"at most {rules['extension_max_days']} days"}])
    elif rules.get("reply_lock") and task.due_at is not None and now > task.due_at:
        raise Conflict(f"replies closed on {task.due_at:%Y-%m-%d}; ask for an extension first")


def _extension(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
               sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    current = case.data or {}
    if data.get("extension_approved") is True:
        due = as_due(current.get("reply_due")) or now
        data["reply_due"] = (due + timedelta(days=int(current.get("extension_days") or 0))).isoformat()
    data["extension_used"] = True


def _signoff(session: so.Session, case: Case, task: Task, row: Proposal, rules: dict[str, Any],
             sess: CongressSession, data: dict[str, Any], now: datetime) -> None:
    if data.get("signoff") != "return":
        due = due_after(now, f"P{int(rules['rating_workdays'])}D", "workdays")
        data["rate_due"] = due.isoformat()
        data["rate_wait"] = f"PT{max(int((due - now).total_seconds()), 1)}S"  # the timer's duration


CHECKS = {"seconding": _seconding, "review": _review, "presidium_decide": _review, "assign": _assign,
          "confirm_assignment": _confirm, "draft_reply": _reply, "approve_extension": _extension,
          "sign_off": _signoff}


def record_stage(session: so.Session, case: Case, task: Task, now: datetime) -> None:
    """A new task: the proposal is now at that step."""
    row = proposal_of(session, case)
    if row is None or task.name not in STAGES:
        return
    row.status, row.updated_at = STAGES[task.name], now


def record_cancelled_task(session: so.Session, case: Case, task: Task, now: datetime) -> None:
    """The rating period ended in silence: recorded as no rating."""
    row = proposal_of(session, case)
    if row is not None and task.name == "rate" and case.status == "running":
        row.rating, row.rating_comment, row.updated_at = "none", None, now


def record_completion(session: so.Session, case: Case, task: Task, actor: Actor, now: datetime) -> None:
    """A completed task: copy what it decided onto the proposal row and tell the people concerned."""
    row = proposal_of(session, case)
    if row is None:
        return
    data = task.data or {}
    row.updated_at = now
    if task.name == "seconding" and not data.get("cosign_ok"):
        row.outcome, row.outcome_note = "converted", "too few co-signers at the cutoff"
        tell(session, [row.proposer], "proposal_review", row, "converted", now)
    elif task.name in ("review", "presidium_decide") and data.get("decision") in OUTCOMES:
        _decide(session, row, data, now)
    elif task.name == "assign":
        row.lead_department, row.co_departments = data.get("lead_department"), list(data.get("co_departments") or [])
    elif task.name == "draft_reply" and data.get("reply_action") == "reply":
        row.reply = {k: data.get(k) for k in ("reply_type", "reply", "measures", "completion_date")}
        row.reply.update(replied_by=actor.username, replied_at=now.isoformat())
    elif task.name == "rate":
        row.rating, row.rating_comment = data.get("rating"), data.get("rating_comment")
        before, row.rehandled = row.rehandled, int((case.data or {}).get("rehandle_count") or 0)
        if row.rehandled > before and row.lead_department:
            tell(session, members_of(session, [f"dept:{row.lead_department}"]), "proposal_rehandle", row,
                 "rehandle", now)
    elif task.name == "grade":
        row.grade, row.grade_note = data.get("grade"), data.get("grade_note")
    if row.outcome in ("registered", "converted"):
        from .archive import reindex

        reindex(session, row)


def _decide(session: so.Session, row: Proposal, data: dict[str, Any], now: datetime) -> None:
    row.outcome = OUTCOMES[data["decision"]]
    row.outcome_note = data.get("review_opinion")
    if row.outcome == "registered":
        row.registered_at = now
    if row.outcome == "merged":
        target = session.scalar(sa.select(Proposal).where(Proposal.business_key == data.get("merge_into")))
        row.merged_into_id = target.id
        joined = [p for p in [row.proposer, *(row.co_proposers or [])] if p != target.proposer]
        target.co_proposers = list(dict.fromkeys([*(target.co_proposers or []), *joined]))
        tell(session, [target.proposer], "proposal_merged", target, "merged_in", now, other=row)
    tell(session, [row.proposer, *(row.co_proposers or [])], "proposal_review", row, row.outcome, now)


def record_end(session: so.Session, case: Case, now: datetime, cancelled: bool = False) -> None:
    """The case ended: closed, or ended at review (rejected, merged, withdrawn), or cancelled."""
    row = proposal_of(session, case)
    if row is None:
        return
    row.updated_at = now
    if cancelled:
        if row.outcome in (None, "converted") and row.status in ("seconding", "review", "consulting", "presidium"):
            row.outcome, row.status = "withdrawn", "withdrawn"
        else:
            row.status = "cancelled"
        return
    decision = (case.data or {}).get("decision")
    if decision in ("reject", "merge", "withdraw"):  # ended at review (the outcome is recorded just after)
        row.status = OUTCOMES[decision]
    else:
        row.status, row.closed_at = "closed", now
        tell(session, [row.proposer, *(row.co_proposers or [])], "proposal_closed", row, "closed", now)
