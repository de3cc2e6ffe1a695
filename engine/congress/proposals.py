"""Proposal commands outside the workflow: drafts, publishing, co-signing (附议), withdrawal, the implementation
grade; and who may read a proposal. Co-signing closes at the session's cutoff by the process's own timer."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import SYSTEM, Actor
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.instances import cancel_case, start_case
from engine.models import Case
from engine.queries import casework_process
from engine.runtime import Runtime
from engine.workdays import LOCAL

from .archive import reindex
from .congresses import current_session, get_congress, get_session, is_delegate, is_official
from .models import Congress, CongressSession, Cosignature, Delegate, Proposal
from .settings import effective

TEXT_FIELDS = {"title": (4, 120), "cause": (2, 2000), "analysis": (0, 5000), "suggestion": (10, 5000),
               "argument": (0, 5000)}
DRAFT_REQUIRED = ("title",)  # what a draft needs to be saved and listed; the rest may wait until it is published
CASEWORK = "proposals"


def _clean(data: dict[str, Any], categories: list[str], complete: bool = True) -> dict[str, Any]:
    """The proposal's fields, checked; Invalid lists every problem by field.

    ``complete`` is the check of a proposal being published: every required field filled in, every text long
    enough. A draft (``complete=False``) needs only its title; its other fields may be empty or short, but a
    value of the wrong type, a text over its limit or an unknown category is refused all the same.
    """
    problems: list[dict[str, str]] = []
    out: dict[str, Any] = {}
    for name, (low, high) in TEXT_FIELDS.items():
        value = data.get(name)
        value = "" if value is None else value
        if not isinstance(value, str):
            problems.append({"field": name, "message": "must be text", "code": "type"})
            continue
        value = value.strip()
        if len(value) > high:
            problems.append({"field": name, "message": f"may have at most {high} characters", "code": "max_length",
                             "limit": str(high)})
        elif (complete or name in DRAFT_REQUIRED) and len(value) < low:
            problems.append({"field": name, "message": f"needs at least {low} characters", "code": "min_length",
                             "limit": str(low)} if value else {"field": name, "message": "is required",
                                                              "code": "required"})
        out[name] = value
    category = data.get("category") or ""
    if category not in categories and (complete or category):
        problems.append({"field": "category", "message": f"must be one of {', '.join(categories)}",
                         "code": "choice" if category else "required"})
    out["category"] = category if isinstance(category, str) else ""
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
        problems.append({"field": "attachments", "message": "must be a list of file names", "code": "type"})
    out["attachments"] = [a.strip() for a in attachments if isinstance(a, str) and a.strip()][:20] \
        if isinstance(attachments, list) else []
    if problems:
        if complete:
            fields = ", ".join(dict.fromkeys(p["field"] for p in problems))
            raise Invalid(f"the proposal cannot be published until these fields are corrected: {fields}", problems,
                          reason="proposal_invalid")
        raise Invalid("the proposal has errors", problems, reason="proposal_invalid")
    return out


def _check_complete(proposal: Proposal, congress: Congress) -> None:
    """Refuse to publish an incomplete proposal: Invalid names each field to complete or correct."""
    _clean({k: getattr(proposal, k) for k in (*TEXT_FIELDS, "category", "attachments")},
           list(effective(congress)["categories"]))


def publish_problems(proposal: Proposal, congress: Congress) -> list[dict[str, Any]]:
    """What stops the draft ``proposal`` of ``congress`` from being published, by field (empty when complete)."""
    try:
        _check_complete(proposal, congress)
    except Invalid as exc:
        return exc.details
    return []


def save_draft(rt: Runtime, actor: Actor, congress_key: str, data: dict[str, Any],
               proposal_id: int | None = None, complete: bool = False) -> Proposal:
    """Create or update the actor's private draft in the congress's current session.

    A draft saves with whatever is filled in, as long as it has a title and no field holds a wrong value; the
    full check is made when it is published. ``complete`` makes the full check now (nothing is saved unless the
    proposal is ready to publish), so that one refusal names every field when saving and publishing at once."""
    now = utcnow()
    with rt.transaction() as session:
        if proposal_id is None:
            congress = get_congress(session, congress_key)
            if not is_delegate(session, congress.id, actor.username):
                raise Forbidden(f"only delegates of {congress.name} may write proposals", reason="not_delegate",
                                params={"congress": congress.name})
            sess = current_session(session, congress, now)
            row = Proposal(congress_id=congress.id, session_id=sess.id, proposer=actor.username, status="draft",
                           co_proposers=[], co_departments=[], reply={}, created_at=now, updated_at=now,
                           title="", category="", cause="", analysis="", suggestion="", argument="")
            session.add(row)
        else:
            row = _own_draft(session, actor, proposal_id)
            congress = session.get(Congress, row.congress_id)
        fields = _clean(data, list(effective(congress)["categories"]), complete=complete)
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = now
        session.flush()
        session.expunge(row)
    return row


def _own_draft(session: so.Session, actor: Actor, proposal_id: int) -> Proposal:
    row = session.get(Proposal, proposal_id, with_for_update=True)
    if row is None or row.proposer != actor.username:
        raise NotFound(f"draft {proposal_id} does not exist")
    if row.status != "draft":
        raise Conflict(f"proposal {row.business_key or proposal_id} is already published",
                       reason="already_published", params={"case": row.business_key or proposal_id})
    return row


def cosign_cutoff(proposal: Proposal, sess: CongressSession) -> Any:
    """When co-signing of ``proposal`` closes: its session's cutoff, or its own window when filed between
    sessions."""
    return proposal.cosign_until or sess.cutoff_at


def start_data(proposal: Proposal, congress: Congress, sess: CongressSession) -> dict[str, Any]:
    """The case variables a published proposal starts with (checked again when the case starts)."""
    rules = effective(congress, sess)
    return {
        "proposal_id": proposal.id, "congress": congress.key, "session_id": sess.id, "title": proposal.title,
        "category": proposal.category, "cause": proposal.cause, "analysis": proposal.analysis,
        "suggestion": proposal.suggestion, "argument": proposal.argument,
        "committee_group": congress.committee_group, "presidium_group": congress.presidium_group,
        "leader_group": congress.leader_group, "cosign_cutoff": cosign_cutoff(proposal, sess).isoformat(),
        "min_cosigners": int(rules["min_cosigners"]), "max_rehandle": int(rules["max_rehandle"]),
        "rating_workdays": int(rules["rating_workdays"]),
        "rehandle_count": 0, "reply_action": "", "co_departments": [], "consult_groups": [],
        "extension_used": False,
    }


PROTECTED = ("proposal_id", "congress", "session_id", "committee_group", "presidium_group", "leader_group",
             "cosign_cutoff", "min_cosigners", "max_rehandle", "rating_workdays", "rehandle_count")


def publish(rt: Runtime, actor: Actor, proposal_id: int) -> Case:
    """Publish a draft: its case starts and co-signing opens until the session's cutoff. Outside the session's
    collection window only a congress whose settings allow filing between sessions takes it, with a co-signing
    window of its own."""
    now = utcnow()
    with rt.reading() as session:
        row = _own_draft(session, actor, proposal_id)
        congress = session.get(Congress, row.congress_id)
        sess = session.get(CongressSession, row.session_id)
        _check_complete(row, congress)
        rules = effective(congress, sess)
        between = not (sess.opens_at <= now <= sess.cutoff_at)
        if between and not (rules.get("between_sessions") and now > sess.opens_at):
            raise Conflict(f"proposals for {sess.name} are collected from {sess.opens_at:%Y-%m-%d} to "
                           f"{sess.cutoff_at:%Y-%m-%d}", reason="collection_closed",
                           params={"session": sess.name, "opens": sess.opens_at, "closes": sess.cutoff_at})
        window = now + timedelta(days=int(rules["between_sessions_cosign_days"])) if between else None
        process = casework_process(session, CASEWORK)
    if window != row.cosign_until:
        with rt.transaction() as session:  # a proposal filed between sessions has its own co-signing window
            session.get(Proposal, proposal_id).cosign_until = window
        row.cosign_until = window
    data = start_data(row, congress, sess)
    # the proposer is a formal delegate of this congress (checked again when the case starts)
    return start_case(rt, Actor(actor.username, actor.groups | {"delegate"}), process, data)


def link_case(session: so.Session, case: Case, actor: Actor, now: Any) -> Proposal:
    """Inside start_case: tie the new case to its draft, refusing a case that was not prepared by publish."""
    data = case.data or {}
    row = session.get(Proposal, data.get("proposal_id"), with_for_update=True) if data.get("proposal_id") else None
    if row is None:
        raise Invalid("a proposal is started by publishing a draft (see /proposals)",
                      [{"field": "data.proposal_id", "message": "must name your draft"}])
    if row.proposer != actor.username or row.status != "draft":
        raise Forbidden(f"proposal {row.id} is not your unpublished draft")
    congress = session.get(Congress, row.congress_id)
    if not is_delegate(session, congress.id, actor.username):
        raise Forbidden(f"only delegates of {congress.name} may submit proposals")
    _check_complete(row, congress)  # a draft may be incomplete; the case starts only from a complete one
    expected = start_data(row, congress, session.get(CongressSession, row.session_id))
    wrong = [k for k in PROTECTED if data.get(k) != expected[k]]
    if wrong:
        raise Invalid("the case data does not match the draft", [{"field": f"data.{k}", "message": "is set by "
                                                                  "the congress"} for k in wrong])
    row.case_id, row.business_key, row.status = case.id, case.business_key, "seconding"
    row.published_at = row.updated_at = now
    return row


def active_cosigners(session: so.Session, proposal_id: int) -> list[str]:
    return list(session.scalars(sa.select(Cosignature.username).where(
        Cosignature.proposal_id == proposal_id, Cosignature.withdrawn_at.is_(None)).order_by(Cosignature.signed_at)))


def _seconding(session: so.Session, actor: Actor, proposal_id: int) -> tuple[Proposal, CongressSession]:
    row = session.get(Proposal, proposal_id, with_for_update=True)
    if row is None or row.status == "draft":
        raise NotFound(f"proposal {proposal_id} does not exist")
    if not is_delegate(session, row.congress_id, actor.username):
        raise Forbidden("only delegates of the same congress may co-sign")
    if row.proposer == actor.username or actor.username in (row.co_proposers or []):
        raise Forbidden("proposers cannot co-sign their own proposal", reason="own_proposal")
    sess = get_session(session, row.session_id)
    if row.status != "seconding" or utcnow() > cosign_cutoff(row, sess):
        raise Conflict(f"co-signing of {row.business_key} has closed", reason="cosigning_closed",
                       params={"case": row.business_key})
    return row, sess


def cosign(rt: Runtime, actor: Actor, proposal_id: int) -> int:
    """Co-sign (附议) a proposal open for seconding; returns the number of co-signers."""
    now = utcnow()
    with rt.transaction() as session:
        row, _ = _seconding(session, actor, proposal_id)
        sig = session.scalar(sa.select(Cosignature).where(Cosignature.proposal_id == row.id,
                                                          Cosignature.username == actor.username))
        if sig is None:
            session.add(Cosignature(proposal_id=row.id, username=actor.username, signed_at=now))
        elif sig.withdrawn_at is not None:
            sig.withdrawn_at, sig.signed_at = None, now
        row.updated_at = now
        session.flush()
        return len(active_cosigners(session, row.id))


def withdraw_signature(rt: Runtime, actor: Actor, proposal_id: int) -> int:
    """Take one's co-signature back while co-signing is open; returns the number of co-signers."""
    now = utcnow()
    with rt.transaction() as session:
        row, _ = _seconding(session, actor, proposal_id)
        sig = session.scalar(sa.select(Cosignature).where(Cosignature.proposal_id == row.id,
                                                          Cosignature.username == actor.username,
                                                          Cosignature.withdrawn_at.is_(None)))
        if sig is None:
            raise Conflict("you have not co-signed this proposal", reason="not_cosigned")
        sig.withdrawn_at = now
        row.updated_at = now
        session.flush()
        return len(active_cosigners(session, row.id))


def withdraw_proposal(rt: Runtime, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    """The proposer withdraws (撤回) a proposal that has not been registered yet; its case is cancelled."""
    if not reason or not reason.strip():
        raise Invalid("a reason is required", [{"field": "reason", "message": "is required"}],
                      reason="reason_required")
    with rt.reading() as session:
        row = session.get(Proposal, proposal_id)
        if row is None or row.proposer != actor.username:
            raise NotFound(f"proposal {proposal_id} does not exist")
        if row.status not in ("seconding", "review", "consulting", "presidium"):
            raise Conflict(f"proposal {row.business_key} can no longer be withdrawn ({row.status})",
                           reason="not_withdrawable", params={"case": row.business_key})
        case_id = row.case_id
    cancel_case(rt, SYSTEM, case_id, reason.strip())
    with rt.reading() as session:
        return session.get(Proposal, proposal_id)



def may_read(session: so.Session, actor: Actor, row: Proposal) -> bool:
    """Drafts: the proposer only. Published: people of the congress, the departments handling it, signers."""
    if row.proposer == actor.username or actor.username in (row.co_proposers or []):
        return True
    if row.status == "draft":
        return False
    congress = session.get(Congress, row.congress_id)
    if is_official(actor, congress) or is_delegate(session, congress.id, actor.username):
        return True
    departments = {f"dept:{d}" for d in [row.lead_department, *(row.co_departments or [])] if d}
    if actor.groups & departments:
        return True
    return actor.username in active_cosigners(session, row.id)


def visible_proposal(session: so.Session, actor: Actor, proposal_id: int) -> Proposal:
    row = session.get(Proposal, proposal_id)
    if row is None or not may_read(session, actor, row):
        raise NotFound(f"proposal {proposal_id} does not exist")
    return row


def proposals_for(session: so.Session, actor: Actor) -> dict[str, list[Proposal]]:
    """The actor's own proposals (drafts first) and those of their congresses open for co-signing."""
    mine = session.scalars(sa.select(Proposal).where(sa.or_(
        Proposal.proposer == actor.username)).order_by(Proposal.updated_at.desc())).all()
    congress_ids = session.scalars(sa.select(Delegate.congress_id).where(Delegate.username == actor.username)).all()
    seconding = session.scalars(sa.select(Proposal).where(
        Proposal.congress_id.in_(congress_ids), Proposal.status == "seconding",
        Proposal.proposer != actor.username).order_by(Proposal.published_at.desc())).all()
    signed = set(session.scalars(sa.select(Cosignature.proposal_id).where(
        Cosignature.username == actor.username, Cosignature.withdrawn_at.is_(None))))
    co_signed = session.scalars(sa.select(Proposal).where(Proposal.id.in_(signed))
                                .order_by(Proposal.published_at.desc())).all()
    return {"mine": list(mine), "seconding": list(seconding), "signed": list(co_signed)}


GRADES = ("A", "B", "C", "D")


def update_grade(rt: Runtime, actor: Actor, proposal_id: int, grade: str, note: str) -> Proposal:
    """The lead department updates its implementation grade until the session's self-check date."""
    if grade not in GRADES:
        raise Invalid("unknown grade", [{"field": "grade", "message": "must be one of A, B, C, D"}])
    if not note or not note.strip():
        raise Invalid("describe the implementation", [{"field": "grade_note", "message": "is required"}])
    now = utcnow()
    with rt.transaction() as session:
        row = session.get(Proposal, proposal_id, with_for_update=True)
        if row is None or not row.lead_department or f"dept:{row.lead_department}" not in actor.groups:
            raise NotFound(f"proposal {proposal_id} is not handled by your department")
        if row.grade is None:
            raise Conflict("grade the implementation in the proposal's task first")
        sess = session.get(CongressSession, row.session_id)
        if sess.self_check_on is not None and now > datetime.combine(sess.self_check_on, time(23, 59, 59), LOCAL):
            raise Conflict(f"implementation could be updated until {sess.self_check_on:%Y-%m-%d}")
        row.grade, row.grade_note, row.updated_at = grade, note.strip(), now
        reindex(session, row)
        session.flush()
        session.expunge(row)
    return row
