"""The case file of a mediation or appeal case: the case, its deadlines, documents, recusals, consents and
linked cases, for the parties and handlers who may read it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.models import Case
from engine.queries import case_json, iso

from . import rules
from .access import MEDIATION, dispute_case, is_committee, is_head, kind_of, kinds_by_definition, may_read, parties
from .commands import consents, links, recusals
from .documents import document_json, list_documents

MEDIATION_OUTCOMES = {"agreement": "达成调解协议", "refused": "不予受理／对方不同意调解", "failed": "调解不成",
                      "expired": "期满未达成协议", "abandoned": "视为放弃", "withdrawn": "撤回申请",
                      "routed": "已转申诉程序", "extend": "延长期限"}
APPEAL_OUTCOMES = {"uphold": "维持", "quash": "撤销", "vary": "变更", "not_accepted": "不予受理", "extend": "延长期限"}
STAGES = {"review": "复核", "appeal": "申诉", "re_appeal": "再申诉"}


def deadlines(case: Case, kind: str | None) -> list[dict[str, str]]:
    """The legal dates of the case as recorded in its data, with what each one is."""
    d = case.data or {}
    if kind == MEDIATION:
        rows = [("received_on", "收到申请之日"), ("committee_received_on", "学校调解委员会收到之日"),
                ("acceptance_due", "受理期限（3个工作日）"),
                ("mediation_deadline", "调解期限"), ("original_deadline", "原定调解期限"),
                ("limitation_ends", "仲裁时效届满（1年）")]
    else:
        rows = [("filed_on", "提出复核申请之日"), ("filing_deadline", "复核申请期限（知道处分之日起30日）"),
                ("paused_on", "补正材料，期限暂停自"), ("review_due", "复核决定期限"),
                ("decision_due", "申诉（再申诉）决定期限")]
    out = []
    for key, label in rows:
        value = d.get(key)
        if value and not (key == "original_deadline" and value == d.get("mediation_deadline")):
            out.append({"key": key, "label": label, "value": str(value)[:10]})
    if d.get("paused_days"):
        out.append({"key": "paused_days", "label": "补正期间不计入（日）", "value": str(d["paused_days"])})
    return out


def outcome_label(case: Case, kind: str | None) -> str:
    d = case.data or {}
    if kind == MEDIATION:
        return MEDIATION_OUTCOMES.get(str(d.get("outcome") or ""), "")
    decisions = d.get("decisions") or []
    if d.get("outcome") == "not_accepted":
        return APPEAL_OUTCOMES["not_accepted"]
    if decisions:
        last = decisions[-1]
        return f"{STAGES.get(last.get('stage'), '')}：{APPEAL_OUTCOMES.get(last.get('outcome'), '')}"
    return ""


def case_file(session: so.Session, actor: Actor, case_id: int) -> dict[str, Any]:
    case = dispute_case(session, actor, case_id)
    kind = kind_of(case)
    out = case_json(session, case, history=True)
    d = case.data or {}
    out["kind"] = kind
    out["deadlines"] = deadlines(case, kind)
    out["outcome_label"] = outcome_label(case, kind)
    out["documents"] = [document_json(r) for r in list_documents(session, actor, case_id)]
    out["recusals"] = [{"id": r.id, "target": r.target, "kind": r.kind, "reason": r.reason,
                        "requested_by": r.requested_by, "status": r.status, "decided_by": r.decided_by,
                        "decision_note": r.decision_note, "replacement": r.replacement,
                        "created_at": iso(r.created_at), "decided_at": iso(r.decided_at)}
                       for r in recusals(session, case_id)]
    out["consents"] = [{"id": c.id, "party": c.party, "agreed": c.agreed, "days": c.days, "note": c.note,
                        "recorded_by": c.recorded_by, "used": c.used, "created_at": iso(c.created_at)}
                       for c in consents(session, case_id)]
    out["links"] = [{"direction": direction, "id": other.id, "business_key": other.business_key,
                     "process": other.process_key, "status": other.status}
                    for direction, other in links(session, case_id)]
    out["parties"] = sorted(parties(case))
    out["may"] = {
        "recuse": case.status == "running",
        "decide_recusal": is_head(actor, kind),
        "consent_applicant": kind == MEDIATION and case.status == "running"
        and (actor.username == d.get("applicant") or is_committee(actor, MEDIATION)),
        "consent_respondent": kind == MEDIATION and case.status == "running" and is_committee(actor, MEDIATION),
        "route": kind == MEDIATION and d.get("outcome") == "routed" and not out["links"]
        and (actor.username in parties(case) or is_committee(actor, MEDIATION)),
    }
    out["sanction_name"] = rules.SANCTION_NAMES.get(str(d.get("sanction_type") or ""), "")
    out["matter_name"] = rules.MATTER_NAMES.get(str(d.get("matter") or ""), "")
    return out


def my_cases(session: so.Session, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """Mediation and appeal cases the caller may read, newest first (parties included); ``kind`` is the casework
    (``mediation``, ``appeals``) and ``process`` the process key."""
    kinds = kinds_by_definition(session)
    rows = session.scalars(sa.select(Case).where(Case.definition_id.in_(kinds))
                           .order_by(Case.id.desc()).limit(limit * 5))
    out = []
    for case in rows:
        if may_read(session, actor, case):
            d = case.data or {}
            due = d.get("mediation_deadline") or d.get("decision_due") or d.get("review_due") or ""
            kind = kinds[case.definition_id]
            out.append({"id": case.id, "business_key": case.business_key, "process": case.process_key,
                        "kind": kind, "title": case.title or d.get("title"), "status": case.status,
                        "started_at": iso(case.started_at), "outcome_label": outcome_label(case, kind),
                        "deadline": str(due)[:10] if case.status == "running" else ""})
            if len(out) >= limit:
                break
    return out
