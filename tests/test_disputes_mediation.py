"""Mediation end to end through engine commands, as the right users, moving the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from test_disputes_helpers import (
    accept_mediation,
    advance_days,
    case_row,
    disputes,
    do,
    local_today,
    mediation_application,
    open_names,
    open_task,
    task_row,
)

from engine.disputes import commands
from engine.disputes.docx_writer import text_of
from engine.documents.models import CaseDocument
from engine.errors import Conflict, Forbidden, Invalid
from engine.instances import wake_case
from engine.runtime import Runtime
from engine.tasks import claim_task

__all__ = ["disputes"]


def documents(rt: Runtime, case_id: int) -> list[CaseDocument]:
    with rt.reading() as session:
        return list(session.scalars(sa.select(CaseDocument).options(so.undefer(CaseDocument.content))
                                    .where(CaseDocument.case_id == case_id)
                                    .order_by(CaseDocument.id)))


def test_department_level_settlement_with_agreement_and_confirmation_reminder(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application())
    assert open_names(rt, case.id) == ["dept_mediate"]
    data = case_row(rt, case.id).data
    assert data["applicant"] == "zhang" and data["collective"] is False
    case = do(rt, disputes["xu"], case.id, "dept_mediate", {
        "dept_result": "settled", "dept_record": "分工会组织双方协商。", "agreement_terms": "学院于30日内补发差额。"})
    assert open_names(rt, case.id) == ["apply_confirmation"]
    reminder = task_row(rt, open_task(rt, case.id, "apply_confirmation"))
    assert reminder.assignee == "zhang" and reminder.due_at is not None
    assert 14 <= (reminder.due_at - reminder.created_at).days <= 15
    docs = documents(rt, case.id)
    assert [d.kind for d in docs] == ["application", "agreement"]
    assert "劳动人事争议调解申请书" in text_of(docs[0].content)
    text = text_of(docs[1].content)
    assert text.count("调解协议书") >= 3 and "第3联（调解委员会存档）" in text and "学院于30日内补发差额" in text
    assert "二级单位分工会调解小组" in text and docs[1].facts["copies"] == 3
    do(rt, disputes["zhang"], case.id, "apply_confirmation", {"confirmation": "applied"})
    case = do(rt, disputes["ma"], case.id, "track_performance",
              {"performance": "performed", "performance_note": "已付"})
    assert case.status == "completed" and case.data["settled_level"] == "department"


def test_escalation_to_school_committee_then_agreement(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application())
    do(rt, disputes["xu"], case.id, "dept_mediate", {"dept_result": "escalate", "dept_record": "双方分歧较大。"})
    accept = task_row(rt, open_task(rt, case.id, "accept_case"))
    assert accept.candidate_groups == ["mediation"] and accept.due_at is not None
    assert case_row(rt, case.id).data["escalated"] is True
    accept_mediation(rt, disputes, case.id)
    case = do(rt, disputes["ma"], case.id, "conduct_mediation", {
        "session_result": "agreement", "session_record": "达成一致。", "agreement_terms": "补发差额。"})
    assert case.data["settled_level"] == "school" and open_names(rt, case.id) == ["apply_confirmation"]
    assert "学校劳动人事争议调解委员会" in text_of(documents(rt, case.id)[-1].content)


def test_refused_acceptance_sends_written_notice(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    assert open_names(rt, case.id) == ["accept_case"]
    with pytest.raises(Invalid) as err:  # accepting needs the other side's consent
        do(rt, disputes["gao"], case.id, "accept_case", {"acceptance": "accept", "respondent_consent": False,
                                                         "mediation_mode": "single", "mediators": "ma",
                                                         "acceptance_note": "受理。"})
    assert err.value.details[0]["field"] == "respondent_consent"
    case = do(rt, disputes["gao"], case.id, "accept_case", {"acceptance": "respondent_refused",
                                                            "acceptance_note": "人事处书面答复不同意调解。"})
    assert case.status == "completed" and case.data["outcome"] == "refused"
    doc = documents(rt, case.id)[-1]
    text = text_of(doc.content)
    assert doc.kind == "refusal_notice" and "不同意调解" in text and case.data["limitation_ends"] in doc.facts.values()
    assert "仲裁时效期间至" in text


def test_expiry_on_day_16_without_consent_sends_arbitration_notice(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    accept_mediation(rt, disputes, case.id)
    with pytest.raises(Invalid) as err:  # no consent recorded: no extension
        do(rt, disputes["ma"], case.id, "conduct_mediation", {"session_result": "extend", "session_record": "延长期限",
                                                              "extension_days": 10})
    assert err.value.details[0]["field"] == "extension_days" and "双方当事人同意" in err.value.message
    advance_days(15)
    assert wake_case(rt, case.id).status == "running"  # day 15 still within the period
    advance_days(1)
    case = wake_case(rt, case.id)
    assert case.status == "completed" and case.data["outcome"] == "expired"
    doc = documents(rt, case.id)[-1]
    text = text_of(doc.content)
    assert doc.kind == "arbitration_notice" and "视为调解不成" in text and "申请仲裁" in text
    assert doc.facts["limitation_ends"] == case.data["limitation_ends"]


def test_consented_extension_moves_the_deadline(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    accept_mediation(rt, disputes, case.id)
    with pytest.raises(Forbidden):  # only the applicant records their own consent
        commands.record_consent(rt, disputes["wei"], case.id, "applicant", True, 10)
    commands.record_consent(rt, disputes["zhang"], case.id, "applicant", True, 10)
    commands.record_consent(rt, disputes["gao"], case.id, "respondent", True, 10, note="人事处书面同意")
    with pytest.raises(Invalid):  # above the cap of 15 days
        do(rt, disputes["ma"], case.id, "conduct_mediation", {"session_result": "extend", "session_record": "延长。",
                                                              "extension_days": 16})
    before = case_row(rt, case.id).data["mediation_deadline"]
    case = do(rt, disputes["ma"], case.id, "conduct_mediation", {"session_result": "extend",
                                                                 "session_record": "同意延长", "extension_days": 10})
    assert case.data["extended"] is True and case.data["mediation_deadline"] > before
    assert open_names(rt, case.id) == ["conduct_mediation"]
    advance_days(16)
    assert wake_case(rt, case.id).status == "running"  # the old deadline passed, the case goes on
    case = do(rt, disputes["ma"], case.id, "conduct_mediation", {"session_result": "agreement",
                                                                 "session_record": "达成协议",
                                                                 "agreement_terms": "补发差额"})
    assert case.data["outcome"] == "agreement"
    advance_days(10)
    assert wake_case(rt, case.id).status == "running"


def test_recusal_requested_by_party_and_decided_by_head(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    accept_mediation(rt, disputes, case.id)
    recusal = commands.request_recusal(rt, disputes["zhang"], case.id, "ma", "调解员马老师与被申请人负责人系近亲属")
    with pytest.raises(Forbidden):  # only the committee head decides
        commands.decide_recusal(rt, disputes["he"], recusal.id, True)
    commands.decide_recusal(rt, disputes["gao"], recusal.id, True, "准予回避", replacement="he")
    with pytest.raises(Conflict):
        commands.decide_recusal(rt, disputes["gao"], recusal.id, False)
    task_id = open_task(rt, case.id, "conduct_mediation")
    with pytest.raises(Forbidden):
        claim_task(rt, disputes["ma"], task_id)
    with pytest.raises(Forbidden):
        do(rt, disputes["ma"], case.id, "conduct_mediation", {"session_result": "failed", "session_record": "x."})
    # a mediator with a conflict withdraws of their own accord
    withdrawal = commands.request_recusal(rt, disputes["feng"], case.id, "feng", "本人曾为申请人的导师")
    assert withdrawal.status == "granted" and withdrawal.kind == "withdrawal"
    case = do(rt, disputes["he"], case.id, "conduct_mediation", {
        "session_result": "continue", "session_record": "首次调解，安排补充材料。",
        "next_session_on": (local_today() + timedelta(days=6)).isoformat(),
        "next_session_place": "工会会议室"})
    assert open_names(rt, case.id) == ["conduct_mediation"]


def test_session_notice_must_be_five_days_ahead_and_absence_is_abandonment(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    accept_mediation(rt, disputes, case.id)
    with pytest.raises(Invalid) as err:
        do(rt, disputes["ma"], case.id, "conduct_mediation", {
            "session_result": "continue", "session_record": "改期。", "next_session_place": "工会会议室",
            "next_session_on": (local_today() + timedelta(days=2)).isoformat()})
    assert err.value.details[0]["field"] == "next_session_on" and "5" in err.value.message
    case = do(rt, disputes["ma"], case.id, "conduct_mediation", {"session_result": "abandoned",
                                                                 "session_record": "申请人无正当理由未到场。"})
    assert case.status == "completed" and case.data["outcome"] == "abandoned"
    assert documents(rt, case.id)[-1].kind == "arbitration_notice"


def test_collective_case_needs_representatives(rt: Runtime, disputes):
    body = mediation_application(co_applicants="李老师\n赵老师", title="集体绩效工资争议")
    with pytest.raises(Invalid) as err:
        commands.file_application(rt, disputes["zhang"], "mediation", body)
    assert err.value.details[0]["field"] == "representatives"
    case = commands.file_application(rt, disputes["zhang"], "mediation", {**body, "representatives": "张老师、李老师"})
    assert case.data["collective"] is True and case.data["applicant_count"] == 3


def test_oral_application_recorded_by_union_staff(rt: Runtime, disputes):
    with pytest.raises(Invalid):  # an applicant cannot record an oral application
        commands.file_application(rt, disputes["wei"], "mediation", mediation_application(application_mode="oral",
                                                                                           applicant="zhang"))
    case = commands.file_application(rt, disputes["xu"], "mediation",
                                     mediation_application(application_mode="oral", applicant="zhang"))
    assert case.data["applicant"] == "zhang" and case.started_by == "xu"
    [record] = documents(rt, case.id)
    assert "口头申请记录" in text_of(record.content) and "记录人：xu" in text_of(record.content)


def test_sanction_is_routed_from_mediation_to_appeals(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["wang"], "mediation",
                                     mediation_application(matter="sanction", title="对记过处分不服"))
    mediation = case_row(rt, case.id)
    assert mediation.status == "completed" and mediation.data["outcome"] == "routed"
    assert documents(rt, case.id) == []
    with rt.reading() as session:
        [(direction, appeal)] = commands.links(session, case.id)
    assert direction == "to" and appeal.process_key == "appeals"
    assert appeal.data["linked_case"] == mediation.business_key
    assert open_names(rt, appeal.id) == ["file_review"]
    assert task_row(rt, open_task(rt, appeal.id, "file_review")).assignee == "wang"
    with pytest.raises(Conflict):
        commands.route_to_appeal(rt, disputes["wang"], case.id)


def test_scheduler_ends_expired_mediation_and_unperformed_agreement_gets_notice(rt: Runtime, disputes):
    from engine.scheduler import wake_due

    late = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application(request_school=True))
    agreed = commands.file_application(rt, disputes["zhang"], "mediation", mediation_application())
    do(rt, disputes["xu"], agreed.id, "dept_mediate", {"dept_result": "settled", "dept_record": "协商一致。",
                                                       "agreement_terms": "学院补发差额。"})
    advance_days(16)
    assert wake_due(rt) >= 1
    assert case_row(rt, late.id).data["outcome"] == "expired"
    assert case_row(rt, agreed.id).status == "running"  # an agreement is no longer on the mediation clock
    do(rt, disputes["zhang"], agreed.id, "apply_confirmation", {"confirmation": "not_applied"})
    do(rt, disputes["ma"], agreed.id, "track_performance", {"performance": "not_performed",
                                                            "performance_note": "学院逾期未补发。"})
    kinds = [d.kind for d in documents(rt, agreed.id)]
    assert kinds == ["application", "agreement", "arbitration_notice"]
    assert "未履行协议" in text_of(documents(rt, agreed.id)[-1].content)
