"""Commands of mediation and appeals beyond the core's task commands: filing an application in one call,
routing a sanction dispute to the appeal track, recusal (回避), consent to extend. One transaction each.

A kind (``mediation``, ``appeals``) is served by the process deployed last that declares it as its casework; its
application step is the one whose ``rule`` is the kind's application rule."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.approval.people import display_name
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.forms import validate_submission
from engine.instances import start_case
from engine.models import Case, Event, ProcessDefinition, Task
from engine.notifications import members_of, notify
from engine.office.units import served_form
from engine.queries import casework_process, latest_definition
from engine.runtime import Runtime
from engine.steps import RULE, Step, check_step, names
from engine.tasks import complete_task

from . import rules
from .access import APPEALS, COMMITTEES, HEADS, KINDS, MEDIATION, dispute_case, is_committee, is_head, kind_of, parties
from .models import DisputeConsent, DisputeLink, DisputeRecusal

APPLICATION_RULES = {MEDIATION: "mediation_application", APPEALS: "appeal_application"}


def _definition(session: so.Session, kind: str) -> ProcessDefinition:
    """The latest version of the process that serves ``kind``.

    :raises NotFound: no deployed process declares it.
    """
    return latest_definition(session, casework_process(session, kind))


def precheck(rt: Runtime, actor: Actor, kind: str, data: dict[str, Any]) -> None:
    """Run the application step's form and rule checks before any case exists, so a refused filing leaves nothing
    behind."""
    with rt.reading() as session:
        definition = _definition(session, kind)
        meta = rt.definition(session, definition.id).meta
        step = next((t for t in meta.tasks.values() if APPLICATION_RULES[kind] in names(t.properties.get(RULE))), None)
        if step is None:
            raise NotFound(f"process '{definition.key}' has no step with the rule {APPLICATION_RULES[kind]}")
        schema = served_form(session, (definition.forms or {}).get(step.form_key or ""))
        if schema is not None:
            errors = validate_submission(schema, data)
            if errors:
                raise Invalid("the form has errors", [e.detail() for e in errors], reason="form_invalid")
        draft = Case(process_key=definition.key, data={}, business_key="", definition=definition)
        check_step(Step(session, draft, Task(name=step.element_id, form_key=step.form_key), meta, utcnow(), actor,
                        dict(data)))


def open_application(rt: Runtime, actor: Actor, kind: str, data: dict[str, Any] | None = None) -> tuple[Case, str]:
    """Start a case of ``kind``; returns it and the id of its application step (the case's one open task)."""
    if kind not in KINDS:
        raise Invalid(f"'{kind}' is not mediation or appeals", [{"field": "process", "message": "invalid"}])
    with rt.reading() as session:
        process = casework_process(session, kind)
    case = start_case(rt, actor, process, data or {})
    rows = case.open_task_rows or []
    if not rows:
        raise Conflict(f"case {case.business_key} has no application step open",
                       reason="no_application_step", params={"case": case.business_key})
    return case, rows[0].id


def file_application(rt: Runtime, actor: Actor, kind: str, data: dict[str, Any]) -> Case:
    """Start a mediation or appeal case and complete its application form in one call.

    A sanction or appraisal dispute filed for mediation ends its mediation case at once and is routed to the
    appeal track (the new appeal case is linked; its applicant completes the sanction details there)."""
    if kind not in KINDS:
        raise Invalid(f"'{kind}' is not mediation or appeals", [{"field": "process", "message": "invalid"}])
    precheck(rt, actor, kind, data)
    if kind == MEDIATION and data.get("matter") in rules.APPEAL_TRACK_MATTERS:
        _appeal_track_in_time(rt, data)
    case, task_id = open_application(rt, actor, kind, {"title": str(data.get("title") or "")})
    case = complete_task(rt, actor, task_id, data)
    if kind == MEDIATION and (case.data or {}).get("outcome") == "routed":
        route_to_appeal(rt, actor, case.id)
    return case


def _appeal_track_in_time(rt: Runtime, data: dict[str, Any]) -> None:
    """A sanction or appraisal dispute goes to the appeal track, whose 30-day filing limit then applies."""
    with rt.reading() as session:
        days = rules.setting(_definition(session, APPEALS).settings, "reviewFilingDays")
    known, today = rules.as_date(data.get("known_on"), "known_on"), rules.today()
    deadline = rules.plus_days(known, days)
    if today > deadline:
        message = (f"处分、考核事项须走复核申诉程序，已超过申请期限：知道之日为 {known}，"
                   f"应于 {deadline} 前提出，今天是 {today}"
                   f"（appeal track: late, learned on {known}, deadline {deadline}, today {today}）")
        raise Invalid(message, [{"field": "known_on", "message": message}],
                      reason="appeal_late", params={"known": known, "deadline": deadline, "today": today})


def route_to_appeal(rt: Runtime, actor: Actor, case_id: int) -> Case:
    """Open the appeal case for a mediation application about a sanction or an appraisal, linked to it."""
    with rt.reading() as session:
        case = dispute_case(session, actor, case_id)
        data = dict(case.data or {})
        if data.get("outcome") != "routed":
            raise Conflict(f"case {case.business_key} is not a sanction or appraisal dispute routed to appeals",
                           reason="not_routable", params={"case": case.business_key})
        if session.scalar(sa.select(DisputeLink.id).where(DisputeLink.from_case_id == case_id,
                                                          DisputeLink.kind == "routed_to_appeal")):
            raise Conflict(f"case {case.business_key} has already been routed to the appeal track",
                           reason="already_routed", params={"case": case.business_key})
        if actor.username not in parties(case) and not is_committee(actor, MEDIATION):
            raise Forbidden("only the applicant or the mediation committee may route this case",
                            reason="route_forbidden")
        source_key = case.business_key
        process = casework_process(session, APPEALS)
    carried = {"title": data.get("title"), "initiator": data.get("applicant"), "appellant": data.get("applicant"),
               "appellant_name": data.get("applicant_name"), "subject": data.get("matter"),
               "known_on": data.get("known_on"), "reasons": f"{data.get('claim', '')}\n{data.get('facts', '')}".strip(),
               "linked_case": source_key}
    appeal = start_case(rt, actor, process, carried)
    with rt.transaction() as session:
        now = utcnow()
        session.add(DisputeLink(from_case_id=case_id, to_case_id=appeal.id, kind="routed_to_appeal",
                                created_by=actor.username, created_at=now))
        session.add(Event(case_id=case_id, actor=actor.username, kind="dispute_routed", at=now,
                          data={"reason": f"→ {appeal.business_key}", "to": appeal.business_key}))
        session.add(Event(case_id=appeal.id, actor=actor.username, kind="dispute_routed", at=now,
                          data={"reason": f"← {source_key}", "from": source_key}))
    return appeal


def request_recusal(rt: Runtime, actor: Actor, case_id: int, target: str, reason: str) -> DisputeRecusal:
    """A party asks that a handler step aside, or a handler with a conflict withdraws (granted at once)."""
    if not (reason or "").strip():
        raise Invalid("a reason is required", [{"field": "reason", "message": "is required"}], reason="reason_required")
    target = (target or "").strip()
    if not target:
        raise Invalid("name the handler", [{"field": "target", "message": "is required"}], reason="handler_required")
    now = utcnow()
    with rt.transaction() as session:
        case = dispute_case(session, actor, case_id)
        if case.status != "running":
            raise Conflict(f"case {case.business_key} is {case.status}",
                           reason="case_not_running", params={"case": case.business_key})
        if target in parties(case):
            raise Invalid(f"{target} is a party to the case, not a handler",
                          [{"field": "target", "message": "a party cannot be recused"}],
                          reason="party_not_handler", params={"person": target})
        withdrawal = target == actor.username
        kind = kind_of(case)
        if not withdrawal and actor.username not in parties(case) and not is_committee(actor, kind):
            raise Forbidden("only a party or the committee may ask for a recusal", reason="recusal_forbidden")
        if session.scalar(sa.select(DisputeRecusal.id).where(
                DisputeRecusal.case_id == case_id, DisputeRecusal.target == target,
                DisputeRecusal.status.in_(("pending", "granted")))):
            raise Conflict(f"a recusal of {target} is already pending or granted in this case",
                           reason="recusal_pending", params={"person": target})
        row = DisputeRecusal(case_id=case_id, target=target, kind="withdrawal" if withdrawal else "request",
                             reason=reason.strip(), requested_by=actor.username,
                             status="granted" if withdrawal else "pending", created_at=now,
                             decided_by=actor.username if withdrawal else None, decided_at=now if withdrawal else None,
                             decision_note="本人存在利害关系，主动回避" if withdrawal else None)
        session.add(row)
        session.add(Event(case_id=case_id, actor=actor.username, kind="recusal_requested", at=now,
                          data={"reason": f"{target}: {reason.strip()}", "target": target, "kind": row.kind}))
        if withdrawal:
            _hand_back(session, case, target, actor, now)
        else:
            notify(session, members_of(session, [HEADS[kind]]), "dispute",
                   f"{case.business_key} 回避申请待决定",
                   f"请求 {display_name(session, target)} 回避：{reason.strip()}", case=case,
                   link=f"/disputes/cases/{case.id}", now=now)
        session.flush()
        return row


def decide_recusal(rt: Runtime, actor: Actor, recusal_id: int, granted: bool, note: str = "",
                   replacement: str | None = None) -> DisputeRecusal:
    """The committee head grants or refuses a pending recusal request."""
    now = utcnow()
    with rt.transaction() as session:
        row = session.get(DisputeRecusal, recusal_id)
        if row is None:
            raise NotFound(f"recusal {recusal_id} does not exist", reason="recusal_missing")
        case = dispute_case(session, actor, row.case_id)
        kind = kind_of(case)
        if not is_head(actor, kind):
            raise Forbidden("only the committee head decides on a recusal", reason="recusal_head_only")
        if row.target == actor.username:
            raise Forbidden("the person to be recused cannot decide on it", reason="recusal_own")
        if row.status != "pending":
            raise Conflict(f"recusal {recusal_id} is already {row.status}", reason="recusal_decided")
        replacement = (replacement or "").strip() or None
        if granted and replacement and replacement not in members_of(session, [COMMITTEES[kind][0]]):
            raise Invalid(f"{replacement} is not a committee member", [{"field": "replacement", "message": "invalid"}],
                          reason="not_committee_member", params={"person": replacement})
        row.status, row.decided_by, row.decided_at = ("granted" if granted else "refused"), actor.username, now
        row.decision_note, row.replacement = (note or "").strip() or None, replacement if granted else None
        if granted:
            _hand_back(session, case, row.target, actor, now)
        session.add(Event(case_id=case.id, actor=actor.username, kind="recusal_decided", at=now,
                          data={"reason": f"{row.target}: {row.status}", "target": row.target, "status": row.status}))
        notify(session, [row.requested_by, row.target], "dispute", f"{case.business_key} 回避申请已决定",
               f"{display_name(session, row.target)}：{'准予回避' if granted else '不予回避'}", case=case,
               link=f"/disputes/cases/{case.id}", now=now)
        return row


def _hand_back(session: so.Session, case: Case, target: str, actor: Actor, now: Any) -> None:
    """A granted recusal: the open steps of the case that the recused handler holds go back to their groups
    (from now on the handler neither reads the case nor acts on it)."""
    for task in session.scalars(sa.select(Task).where(Task.case_id == case.id, Task.assignee == target,
                                                      Task.state.in_(("open", "claimed")))):
        if task.candidate_groups or task.candidate_users:
            task.assignee, task.state, task.claimed_at = None, "open", None
            session.add(Event(case_id=case.id, task_id=task.id, actor=actor.username, kind="task_released", at=now,
                              data={"task": task.name, "title": task.title, "from": target, "reason": "回避"}))


def record_consent(rt: Runtime, actor: Actor, case_id: int, party: str, agreed: bool, days: int,
                   note: str = "") -> DisputeConsent:
    """Record a party's consent (or refusal) to extend the mediation period by ``days``."""
    if party not in ("applicant", "respondent"):
        raise Invalid("party must be applicant or respondent", [{"field": "party", "message": "invalid"}],
                      reason="party_unknown")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise Invalid("days must be a positive whole number", [{"field": "days", "message": "invalid"}],
                      reason="days_positive")
    now = utcnow()
    with rt.transaction() as session:
        case = dispute_case(session, actor, case_id)
        if kind_of(case) != MEDIATION or case.status != "running":
            raise Conflict(f"case {case.business_key} is not a running mediation",
                           reason="not_running_mediation", params={"case": case.business_key})
        cap = rules.setting(case.definition.settings, "extensionCapDays")
        if days > cap:
            raise Invalid(f"at most {cap} days", [{"field": "days", "message": f"must be at most {cap}"}],
                          reason="days_too_many", params={"max": cap})
        own = party == "applicant" and actor.username == (case.data or {}).get("applicant")
        if not own and not is_committee(actor, MEDIATION):
            raise Forbidden("the applicant records their own consent; the committee records the respondent's",
                            reason="consent_forbidden")
        if not own and not (note or "").strip():
            raise Invalid("say how the party's consent was given", [{"field": "note", "message": "is required"}],
                          reason="consent_note_required")
        row = DisputeConsent(case_id=case_id, party=party, agreed=bool(agreed), days=days, note=(note or "").strip(),
                             recorded_by=actor.username, created_at=now)
        session.add(row)
        session.add(Event(case_id=case_id, actor=actor.username, kind="extension_consent", at=now,
                          data={"reason": f"{party}: {'同意' if agreed else '不同意'}延长 {days} 日", "party": party}))
        session.flush()
        return row


def recusals(session: so.Session, case_id: int) -> list[DisputeRecusal]:
    return list(session.scalars(sa.select(DisputeRecusal).where(DisputeRecusal.case_id == case_id)
                                .order_by(DisputeRecusal.id)))


def consents(session: so.Session, case_id: int) -> list[DisputeConsent]:
    return list(session.scalars(sa.select(DisputeConsent).where(DisputeConsent.case_id == case_id)
                                .order_by(DisputeConsent.id)))


def links(session: so.Session, case_id: int) -> list[tuple[str, Case]]:
    """(direction, other case) for every link of the case."""
    out: list[tuple[str, Case]] = []
    for link in session.scalars(sa.select(DisputeLink).where(
            sa.or_(DisputeLink.from_case_id == case_id, DisputeLink.to_case_id == case_id))):
        other = link.to_case_id if link.from_case_id == case_id else link.from_case_id
        out.append(("to" if link.from_case_id == case_id else "from", session.get(Case, other)))
    return out
