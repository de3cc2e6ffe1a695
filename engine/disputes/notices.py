"""What a mediation or appeal step leaves behind when it completes, and a case when it ends: the documents
generated from the case data and the parties' notifications, in the command's transaction.

These are the ``record`` phases of the step rules (``engine.disputes.step_rules``) and the case-end hook.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.models import Case
from engine.notifications import members_of, notify
from engine.office.units import unit_names
from engine.steps import Step

from . import documents, rules
from .access import APPEALS, MEDIATION

log = logging.getLogger(__name__)


def _tell(session: so.Session, case: Case, users: list[str], title: str, body: str, now: datetime) -> None:
    notify(session, users, "dispute", title, body, case=case, link=f"/disputes/cases/{case.id}", now=now)


def _applicant(data: dict[str, Any]) -> list[str]:
    return [u for u in (data.get("applicant"), data.get("appellant"), data.get("initiator")) if u]


def _by(step: Step) -> str | None:
    return step.actor.username if step.actor is not None else None


def _unit_name(session: so.Session, data: dict[str, Any]) -> str:
    """The name of the unit that made the original decision, as the office's unit table spells it."""
    key = str(data.get("sanction_unit") or "")
    name = unit_names(session).get(key, "") if key else ""
    if not name:
        log.warning("deciding unit %r is not in the unit table; the decision is signed with a marked blank", key)
    return name


def take_title(step: Step) -> None:
    """A case opened from the web page starts without a title: the application's title becomes it."""
    title = str((step.data or {}).get("title") or "").strip()
    if title and title != step.case.title:
        step.case.title = title[:512]


def mediation_applied(step: Step) -> None:
    take_title(step)
    data = step.values
    if data.get("outcome") != "routed":
        documents.store(step.session, step.case, "application",
                        documents.application_record(step.case, data, step.settings), _by(step), step.now)


def mediation_held(step: Step) -> None:
    """An agreement: the 调解协议书 (three copies) and the applicant told of the confirmation period; another
    session: the parties told when and where."""
    session, case, data = step.session, step.case, step.values
    if data.get("outcome") == "agreement":
        doc = documents.store(session, case, "agreement", documents.agreement(case, data, step.settings), _by(step),
                              step.now)
        due = doc.facts.get("confirmation_due")
        _tell(session, case, _applicant(data), f"{case.business_key} 已达成调解协议",
              f"调解协议书已生成（一式三份）。双方可于 {due} 前共同申请仲裁审查确认。", step.now)
    elif data.get("session_result") == "continue":
        _tell(session, case, _applicant(data), f"{case.business_key} 调解通知",
              f"下次调解定于 {data.get('next_session_on')} 在 {data.get('next_session_place')} 进行，请准时参加；"
              "无正当理由缺席的，视为放弃调解。", step.now)


def performance_followed(step: Step) -> None:
    session, case, data = step.session, step.case, step.values
    if data.get("performance") == "not_performed":
        built = documents.mediation_notice(case, data, step.settings, "not_performed")
        documents.store(session, case, "arbitration_notice", built, _by(step), step.now)
        _tell(session, case, _applicant(data), f"{case.business_key} 调解协议未履行",
              "对方未履行调解协议，您可以依法申请仲裁，详见告知书。", step.now)


def acceptance_recorded(step: Step) -> None:
    session, case, data = step.session, step.case, step.values
    if data.get("acceptance_decision") == "correction":
        documents.store(session, case, "correction_notice", documents.correction_notice(case, data, step.settings),
                        _by(step), step.now)
        _tell(session, case, _applicant(data), f"{case.business_key} 请补正材料",
              "申请材料不全，已一次性告知需补正的全部材料；补正期间复核期限暂停计算。", step.now)


def decision_recorded(step: Step) -> None:
    session, case, data = step.session, step.case, step.values
    if data.get("outcome") in documents.OUTCOMES:
        doc = documents.store(session, case, f"decision_{data.get('stage', 'review')}",
                              documents.decision(case, data, step.settings, _unit_name(session, data)), _by(step),
                              step.now)
        _tell(session, case, _applicant(data), f"{case.business_key} {doc.title}已作出",
              f"决定：{documents.OUTCOMES[data['outcome']]}。", step.now)


def case_ended(session: so.Session, case: Case, kind: str, settings: dict[str, Any], now: datetime) -> None:
    """A mediation ended without agreement: the notice of the right to arbitrate (or of refusal); routed to the
    appeal track: the applicant and committee told. An appeal not accepted: its notice."""
    data = case.data or {}
    if kind == MEDIATION:
        outcome = data.get("outcome")
        if outcome in documents.ENDINGS:
            doc_kind = "refusal_notice" if outcome == "refused" else "arbitration_notice"
            built = documents.mediation_notice(case, data, settings, str(outcome))
            documents.store(session, case, doc_kind, built, None, now)
            _tell(session, case, _applicant(data), f"{case.business_key} 调解程序结束",
                  f"{documents.ENDINGS[str(outcome)]}。您可以依法申请仲裁，"
                  f"仲裁时效至 {data.get('limitation_ends')}。", now)
        elif outcome == "routed":
            _tell(session, case, sorted(set(_applicant(data)) | set(members_of(session, [MEDIATION]))),
                  f"{case.business_key} 属于申诉事项",
                  f"{rules.MATTER_NAMES.get(str(data.get('matter')), '')}争议应通过复核、申诉程序处理，"
                  "已转入申诉程序。", now)
    elif kind == APPEALS and data.get("outcome") == "not_accepted":
        documents.store(session, case, "not_accepted_notice", documents.not_accepted_notice(case, data, settings),
                        None, now)
