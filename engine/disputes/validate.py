"""The checks of mediation and appeal steps: the ``check`` phase of the step rules in ``engine.disputes.steps``.

Each check refuses with ``Invalid`` naming the field (nothing changes), or fills in the dates the process
needs (deadlines computed from the settings in ``rules``: the process's own BPMN properties) in the submitted
data before the workflow moves. Messages are Chinese first (the users' language) with the English in brackets.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.errors import Forbidden, Invalid
from engine.models import Case, User
from engine.notifications import members_of
from engine.steps import Step

from . import rules
from .access import COMMITTEES, MEDIATION
from .models import DisputeConsent, DisputeRecusal

STAFF_GROUPS = frozenset({"mediation", "dept-union", "appeals", "supervisor", "admin"})


def invalid(field: str, message: str) -> Invalid:
    return Invalid(message, [{"field": field, "message": message}])


def _user_exists(session: so.Session, username: str) -> bool:
    return session.scalar(sa.select(User.id).where(User.username == username, User.active.is_(True))) is not None


def recused(session: so.Session, case_id: int) -> set[str]:
    """Handlers who have been recused (or withdrew) from the case."""
    return set(session.scalars(sa.select(DisputeRecusal.target).where(
        DisputeRecusal.case_id == case_id, DisputeRecusal.status == "granted")))


def require_not_recused(session: so.Session, case: Case, actor: Actor) -> None:
    if actor.username in recused(session, case.id):
        raise Forbidden(f"您已在案件 {case.business_key} 中回避，不能办理此任务（you are recused from this case）",
                        reason="recused", params={"case": case.business_key})


def _date(data: dict[str, Any], field: str) -> Any:
    try:
        return rules.as_date(data.get(field), field)
    except ValueError:
        raise invalid(field, "须为有效日期 YYYY-MM-DD（must be a valid date）") from None


def _party(session: so.Session, data: dict[str, Any], actor: Actor, field: str, on_behalf: bool) -> str:
    """The party's username: the actor when filing for themself, else the named (existing) user."""
    named = str(data.get(field) or "").strip()
    if not on_behalf:
        if named and named != actor.username and not (actor.groups & STAFF_GROUPS):
            raise invalid(field, "本人申请时账号须为本人（when filing yourself this must be your own user name）")
        if named and named != actor.username and not _user_exists(session, named):
            raise invalid(field, f"账号 {named} 不存在（no such user）")
        return named or actor.username
    if not named:
        raise invalid(field, "代为申请或口头申请须填写当事人账号（name the party's user name）")
    if not _user_exists(session, named):
        raise invalid(field, f"账号 {named} 不存在（no such user）")
    return named


# --- mediation -------------------------------------------------------------------------------------------

def mediation_application(step: Step) -> None:
    session, actor, data, settings, today = step.session, step.actor, step.data, step.settings, rules.today()
    oral = data.get("application_mode") == "oral"
    if oral and not (actor.groups & STAFF_GROUPS):
        raise invalid("application_mode", "口头申请由工会工作人员代为记录"
                                          "（oral applications are recorded by union staff）")
    data["applicant"] = _party(session, data, actor, "applicant", oral)
    known = _date(data, "known_on")
    if known > today:
        raise invalid("known_on", f"日期 {known} 晚于今天 {today}（cannot be in the future）")
    others = [line.strip() for line in str(data.get("co_applicants") or "").splitlines() if line.strip()]
    data["applicant_count"] = 1 + len(others)
    data["collective"] = data["applicant_count"] >= rules.setting(settings, "collectiveMin")
    if data["collective"] and not str(data.get("representatives") or "").strip():
        raise invalid("representatives", f"{data['applicant_count']} 人共同申请，须推选代表人"
                                         "（a collective case must name its elected representatives）")
    data.setdefault("request_school", False)
    days = rules.setting(settings, "mediationDays")
    data["received_on"] = today.isoformat()
    data["mediation_deadline"] = rules.end_of_day(rules.plus_days(today, days))
    data["original_deadline"] = data["mediation_deadline"]
    data["extension_days_total"] = 0
    data["acceptance_from"] = data["received_on"]  # where the acceptance step's working-day clock starts
    data["acceptance_due"] = rules.plus_workdays(today, rules.setting(settings, "acceptanceWorkdays")).isoformat()
    data["limitation_ends"] = rules.plus_years(known, rules.setting(settings, "limitationYears")).isoformat()


def mediation_acceptance(step: Step) -> None:
    session, case, data = step.session, step.case, step.data
    if data.get("acceptance") != "accept":
        return
    if data.get("respondent_consent") is not True:
        raise invalid("respondent_consent", "对方当事人须同意调解；如不同意请选择“对方当事人不同意调解”"
                                            "（the other side must agree, else record its refusal）")
    names = [n.strip() for n in str(data.get("mediators") or "").replace("，", ",").split(",") if n.strip()]
    want = 3 if data.get("mediation_mode") == "panel" else 1
    if len(set(names)) != want:
        raise invalid("mediators", f"须指定 {want} 名调解员，现为 {len(set(names))} 名（name {want} mediator(s)）")
    members = set(members_of(session, [COMMITTEES[MEDIATION][0]]))
    strangers = [n for n in names if n not in members]
    if strangers:
        raise invalid("mediators", f"{'、'.join(strangers)} 不是调解委员会成员"
                                   "（not members of the mediation committee）")
    out = recused(session, case.id) & set(names)
    if out:
        raise invalid("mediators", f"{'、'.join(sorted(out))} 已回避，不能担任本案调解员（recused from this case）")
    data["mediator_list"] = names


def mediation_session(step: Step) -> None:
    data, settings, today = step.data, step.settings, rules.today()
    result = data.get("session_result")
    if result == "continue":
        notice = rules.setting(settings, "sessionNoticeDays")
        when = _date(data, "next_session_on")
        earliest = rules.plus_days(today, notice)
        if when < earliest:
            raise invalid("next_session_on", f"须提前 {notice} 日通知：最早可定于 {earliest}（今天 {today}）"
                                             f"(notice {notice} days ahead: {earliest} at the earliest)")
    if result == "extend":
        _extension(step)


def _extension(step: Step) -> None:
    session, case, data, settings = step.session, step.case, step.data, step.settings
    current = case.data or {}
    cap = rules.setting(settings, "extensionCapDays")
    used = int(current.get("extension_days_total") or 0)
    days = int(data.get("extension_days") or 0)
    if days + used > cap:
        raise invalid("extension_days", f"延长合计不得超过 {cap} 日，已延长 {used} 日"
                                        f"（extensions are capped at {cap} days）")
    consents: dict[str, DisputeConsent] = {}
    for row in session.scalars(sa.select(DisputeConsent).where(DisputeConsent.case_id == case.id)
                               .order_by(DisputeConsent.id)):
        consents[row.party] = row  # the latest word of each party counts
    missing = [name for party, name in (("applicant", "申请人"), ("respondent", "被申请人"))
               if party not in consents or not consents[party].agreed or consents[party].used
               or consents[party].days < days]
    if missing:
        raise invalid("extension_days", f"延长须有双方当事人同意的记录：缺少{'、'.join(missing)}"
                                        f"同意延长 {days} 日的记录（both parties' recorded consent is required）")
    for row in consents.values():
        row.used = True
    deadline = rules.as_date(current.get("mediation_deadline"), "mediation_deadline")
    data["extended_deadline"] = rules.end_of_day(rules.plus_days(deadline, days))
    data["extension_days_total"] = used + days


# --- appeals ---------------------------------------------------------------------------------------------

def appeal_application(step: Step) -> None:
    session, actor, data, settings, today = step.session, step.actor, step.data, step.settings, rules.today()
    relative = data.get("filed_by") == "relative"
    data["appellant"] = _party(session, data, actor, "appellant", relative or bool(
        data.get("appellant") and data.get("appellant") != actor.username))
    if data.get("subject", "sanction") == "sanction":
        allowed = rules.allowed_sanctions(str(data.get("staff_category")))
        if data.get("sanction_type") not in allowed:
            names = "、".join(rules.SANCTION_NAMES[s] for s in allowed)
            raise invalid("sanction_type", f"该类人员的处分种类只能是：{names}"
                                           "（not a sanction type of this staff category）")
    known = _date(data, "known_on")
    if known > today:
        raise invalid("known_on", f"日期 {known} 晚于今天 {today}（cannot be in the future）")
    if data.get("sanction_date"):
        decided = _date(data, "sanction_date")
        if decided > known:
            raise invalid("known_on", f"知道处分之日 {known} 早于处分决定日期 {decided}（before the decision date）")
    days = rules.setting(settings, "reviewFilingDays")
    deadline = rules.plus_days(known, days)
    if today > deadline:
        raise invalid("known_on", f"已超过申请期限：知道处分之日为 {known}，应于 {deadline} 前提出复核申请，"
                                  f"今天是 {today}，逾期不予受理"
                                  f"（late: learned on {known}, deadline {deadline}, today {today}）")
    data.update(filed_on=today.isoformat(), received_on=today.isoformat(), filing_deadline=deadline.isoformat(),
                paused_days=0, paused_on=None, correction_rounds=0)
    data.setdefault("subject", "sanction")
    data.setdefault("materials", [])


CONDITIONS = {"cond_eligible": "申请人适格", "cond_scope": "属于受理范围", "cond_in_time": "在规定期限内",
              "cond_jurisdiction": "属于本机构管辖", "cond_materials": "材料齐全"}


def appeal_acceptance(step: Step) -> None:
    data, settings, today, current = step.data, step.settings, rules.today(), step.case.data or {}
    decision = data.get("acceptance_decision")
    failed = [k for k in CONDITIONS if data.get(k) is not True]
    missing = list(data.get("missing_materials") or [])
    if decision == "accept":
        if failed:
            raise invalid(failed[0], f"受理须五项条件均满足，未满足：{'、'.join(CONDITIONS[k] for k in failed)}"
                                     "（all five conditions must hold）")
        if missing:
            raise invalid("missing_materials", "受理时不应列有待补正材料（no missing materials when accepting）")
        received = rules.as_date(current.get("received_on"), "received_on")
        paused = int(current.get("paused_days") or 0)
        days = rules.setting(settings, "reviewDecisionDays") + paused
        data["review_due"] = rules.plus_days(received, days).isoformat()
        data["accepted_on"] = today.isoformat()
        data["appeal_window"] = f"P{rules.setting(settings, 'appealFilingDays')}D"
        data["re_appeal_window"] = f"P{rules.setting(settings, 'reAppealFilingDays')}D"
    elif decision == "correction":
        if not missing:
            raise invalid("missing_materials", "须一次性列明全部需补正的材料（list every missing item at once）")
        if data.get("cond_materials") is True:
            raise invalid("cond_materials", "材料不全时“材料齐全”不能勾选（materials are incomplete）")
        data["paused_on"] = today.isoformat()
        data["correction_rounds"] = int(current.get("correction_rounds") or 0) + 1
    elif decision == "reject" and not failed:
        raise invalid("acceptance_decision", "五项条件均满足时应予受理（all conditions hold: accept）")


def appeal_supplement(step: Step) -> None:
    data, current, today = step.data, step.case.data or {}, rules.today()
    if current.get("paused_on"):
        paused_on = rules.as_date(current["paused_on"], "paused_on")
        data["paused_days"] = int(current.get("paused_days") or 0) + max((today - paused_on).days, 0)
    data["paused_on"] = None
    data["materials"] = sorted(set(current.get("materials") or []) | set(data.get("supplied_materials") or []))


CHECKS = ("procedure", "basis", "evidence", "characterisation", "proportionality")
RATING_RANK = {"incompetent": 0, "basically_competent": 1, "competent": 2, "excellent": 3}


def appeal_decision(step: Step) -> None:
    """A 复核 decision (the case's ``stage`` is ``review``: the sanctioning unit decides) or an 申诉 / 再申诉
    decision (the appeals committee decides; it alone may extend its period once)."""
    data, settings, current, actor = step.data, step.settings, step.case.data or {}, step.actor
    stage = current.get("stage", "review")
    outcome = data.get("outcome")
    if outcome == "extend":
        if stage == "review":
            raise invalid("outcome", "复核决定不能延长期限（only an appeal decision may be extended）")
        if current.get("decision_extended"):
            raise invalid("outcome", "复杂案件只能延长一次（the extension may be used once）")
        due = rules.as_date(current.get("decision_due"), "decision_due")
        data["decision_due"] = rules.plus_days(due, rules.setting(settings, "appealExtensionDays")).isoformat()
        data["decision_extended"] = True
        return
    failed = [c for c in CHECKS if data.get(f"check_{c}") == "fail"]
    if outcome == "uphold" and failed:
        raise invalid(f"check_{failed[0]}", "维持决定须五项审查均为“符合”；存在问题时应撤销或变更"
                                            "(uphold only when all five checks are sound)")
    if outcome in ("quash", "vary") and not failed:
        raise invalid("outcome", "五项审查均为“符合”时应维持原决定（all checks are sound: uphold）")
    if outcome == "vary":
        _variation(current, data)
    if stage == "review" and current.get("union_has_opinion") and not str(
            data.get("union_reply") or "").strip():
        raise invalid("union_reply", "工会已提出意见，单位须书面答复（the unit must answer the union in writing）")
    record = {"stage": stage, "outcome": outcome, "failed_checks": failed, "by": actor.username,
              "on": rules.today().isoformat(), "varied_sanction": data.get("varied_sanction"),
              "varied_rating": data.get("varied_rating")}
    data["decisions"] = [*(current.get("decisions") or []), record]
    data["decided_on"] = rules.today().isoformat()
    if outcome == "quash":
        data["current_sanction"] = ""
    elif outcome == "vary":
        data["current_sanction"] = data.get("varied_sanction") or data.get("varied_rating")


def _variation(current: dict[str, Any], data: dict[str, Any]) -> None:
    if current.get("subject", "sanction") == "appraisal":
        new, old = data.get("varied_rating"), current.get("appraisal_rating")
        if not new:
            raise invalid("varied_rating", "变更须写明变更后的考核等次（name the new rating）")
        if RATING_RANK.get(new, -1) <= RATING_RANK.get(str(old), 0):
            raise invalid("varied_rating", "变更后的考核等次须高于原等次（the new rating must be better）")
        return
    new, old = data.get("varied_sanction"), str(current.get("sanction_type"))
    if not new:
        raise invalid("varied_sanction", "变更须写明变更后的处分（name the new sanction）")
    if new not in rules.allowed_sanctions(str(current.get("staff_category"))):
        raise invalid("varied_sanction", "该处分种类不适用于此类人员（not a sanction of this staff category）")
    if rules.heavier(new, old):
        names = rules.SANCTION_NAMES
        raise invalid("varied_sanction", f"不得加重处分：{names[new]}重于原处分{names.get(old, old)}"
                                         "（an appeal may never make the sanction heavier）")
    if rules.SEVERITY.get(new) == rules.SEVERITY.get(old):
        raise invalid("varied_sanction", "变更后的处分须轻于原处分；如认为适当请选择维持"
                                         "（a variation must be lighter）")


def appeal_next(step: Step) -> None:
    data = step.data
    if data.get("next_step") != "appeal":
        return
    settings, current, today = step.settings, step.case.data or {}, rules.today()
    name = "appealDecisionDays" if current.get("stage", "review") == "review" else "reAppealDecisionDays"
    data["appeal_filed_on"] = today.isoformat()
    data["decision_due"] = rules.plus_days(today, rules.setting(settings, name)).isoformat()

