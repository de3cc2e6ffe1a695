"""Hook subscribers of mediation and appeals (see engine.hooks); subscribed by ``engine.disputes.register``.

Rules are checked before a task completes (``validate``); documents are generated and the parties told
when a step that produces one has happened, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so

from engine.access import Actor
from engine.models import Case, Task
from engine.notifications import members_of, notify

from . import documents, rules
from .validate import on_task_completing, require_not_recused


def _settings(case: Case) -> dict[str, Any]:
    return dict(case.definition.settings or {})


def _merged(case: Case, task: Task | None = None) -> dict[str, Any]:
    return {**(case.data or {}), **((task.data or {}) if task is not None else {})}


def _tell(session: so.Session, case: Case, users: list[str], title: str, body: str, now: datetime) -> None:
    notify(session, users, "dispute", title, body, case=case, link=f"/disputes/cases/{case.id}", now=now)


def _applicant(data: dict[str, Any]) -> list[str]:
    return [u for u in (data.get("applicant"), data.get("appellant"), data.get("initiator")) if u]


def on_task_claimed(session: so.Session, case: Case, task: Task, actor: Actor, now: datetime) -> None:
    if case.process_key in ("mediation", "appeals"):
        require_not_recused(session, case, actor)


def on_task_completed(session: so.Session, case: Case, task: Task, actor: Actor, now: datetime) -> None:
    if task.name in ("apply", "file_review") and case.process_key in ("mediation", "appeals"):
        title = str((task.data or {}).get("title") or "").strip()
        if title and title != case.title:
            case.title = title[:512]  # cases opened from the web page start without one
    if case.process_key == "mediation":
        _mediation_step(session, case, task, actor, now)
    elif case.process_key == "appeals":
        _appeal_step(session, case, task, actor, now)


def _mediation_step(session: so.Session, case: Case, task: Task, actor: Actor, now: datetime) -> None:
    data, settings = _merged(case, task), _settings(case)
    if task.name == "apply" and data.get("outcome") != "routed":
        documents.store(session, case, "application", documents.application_record(case, data, settings),
                        actor.username, now)
    elif task.name in ("dept_mediate", "conduct_mediation") and data.get("outcome") == "agreement":
        built = documents.agreement(case, data, settings)
        doc = documents.store(session, case, "agreement", built, actor.username, now)
        due = doc.facts.get("confirmation_due")
        _tell(session, case, _applicant(data), f"{case.business_key} 已达成调解协议",
              f"调解协议书已生成（一式三份）。双方可于 {due} 前共同申请仲裁审查确认。", now)
    elif task.name == "track_performance" and data.get("performance") == "not_performed":
        built = documents.mediation_notice(case, data, settings, "not_performed")
        documents.store(session, case, "arbitration_notice", built, actor.username, now)
        _tell(session, case, _applicant(data), f"{case.business_key} 调解协议未履行",
              "对方未履行调解协议，你可以依法申请仲裁，详见告知书。", now)
    elif task.name == "conduct_mediation" and data.get("session_result") == "continue":
        _tell(session, case, _applicant(data), f"{case.business_key} 调解通知",
              f"下次调解定于 {data.get('next_session_on')} 在 {data.get('next_session_place')} 进行，请准时参加；"
              "无正当理由缺席的，视为放弃调解。", now)


def _appeal_step(session: so.Session, case: Case, task: Task, actor: Actor, now: datetime) -> None:
    data, settings = _merged(case, task), _settings(case)
    if task.name == "acceptance_check" and data.get("acceptance_decision") == "correction":
        documents.store(session, case, "correction_notice", documents.correction_notice(case, data, settings),
                        actor.username, now)
        _tell(session, case, _applicant(data), f"{case.business_key} 请补正材料",
              "申请材料不全，已一次性告知需补正的全部材料；补正期间复核期限暂停计算。", now)
    elif task.name in ("review_decision", "body_decision") and data.get("outcome") in documents.OUTCOMES:
        doc = documents.store(session, case, f"decision_{data.get('stage', 'review')}",
                              documents.decision(case, data, settings), actor.username, now)
        _tell(session, case, _applicant(data), f"{case.business_key} {doc.title}已作出",
              f"决定：{documents.OUTCOMES[data['outcome']]}。", now)


def on_case_completed(session: so.Session, case: Case, now: datetime) -> None:
    data = case.data or {}
    if case.process_key == "mediation":
        outcome = data.get("outcome")
        if outcome in documents.ENDINGS:
            kind = "refusal_notice" if outcome == "refused" else "arbitration_notice"
            built = documents.mediation_notice(case, data, _settings(case), str(outcome))
            documents.store(session, case, kind, built, None, now)
            _tell(session, case, _applicant(data), f"{case.business_key} 调解程序结束",
                  f"{documents.ENDINGS[str(outcome)]}。你可以依法申请仲裁，"
                  f"仲裁时效至 {data.get('limitation_ends')}。", now)
        elif outcome == "routed":
            _tell(session, case, sorted(set(_applicant(data)) | set(members_of(session, ["mediation"]))),
                  f"{case.business_key} 属于申诉事项",
                  f"{rules.MATTER_NAMES.get(str(data.get('matter')), '')}争议应通过复核、申诉程序处理，"
                  "已转入申诉程序。", now)
    elif case.process_key == "appeals" and data.get("outcome") == "not_accepted":
        documents.store(session, case, "not_accepted_notice",
                        documents.not_accepted_notice(case, data, _settings(case)), None, now)


HANDLERS = {"task_completing": on_task_completing, "task_claimed": on_task_claimed,
            "task_completed": on_task_completed, "case_completed": on_case_completed}
