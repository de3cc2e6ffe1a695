"""Disciplinary appeals end to end through engine commands, as the right users, moving the clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from test_disputes_helpers import (
    advance_days,
    appeal_application,
    case_row,
    checks,
    disputes,
    do,
    local_today,
    open_names,
    open_task,
    task_row,
)

from engine.disputes import commands
from engine.disputes.docx_writer import text_of
from engine.documents.models import CaseDocument
from engine.errors import Invalid
from engine.instances import wake_case
from engine.runtime import Runtime
from engine.workdays import LOCAL

__all__ = ["disputes"]

CONDITIONS = {"cond_eligible": True, "cond_scope": True, "cond_in_time": True, "cond_jurisdiction": True,
              "cond_materials": True}


def documents(rt: Runtime, case_id: int) -> list[CaseDocument]:
    with rt.reading() as session:
        return list(session.scalars(sa.select(CaseDocument).options(so.undefer(CaseDocument.content))
                                    .where(CaseDocument.case_id == case_id)
                                    .order_by(CaseDocument.id)))


def accepted_case(rt: Runtime, who, union_opinion: bool = False, **over):  # type: ignore[no-untyped-def]
    case = commands.file_application(rt, who["wang"], "appeals", appeal_application(**over))
    do(rt, who["yang"], case.id, "acceptance_check", {**CONDITIONS, "acceptance_decision": "accept",
                                                      "acceptance_note": "五项条件均满足，予以受理。"})
    opinion = {"union_has_opinion": True, "union_opinion": "工会认为处分偏重，未听取申辩。"} if union_opinion else {}
    do(rt, who["yang"], case.id, "hear_union", opinion)
    return case


def test_late_appeal_is_refused_with_the_dates(rt: Runtime, disputes):
    known = local_today() - timedelta(days=31)
    body = appeal_application(known_on=known.isoformat(), sanction_date=known.isoformat())
    with pytest.raises(Invalid) as err:
        commands.file_application(rt, disputes["wang"], "appeals", body)
    detail = err.value.details[0]
    assert detail["field"] == "known_on"
    assert str(known) in detail["message"] and str(known + timedelta(days=30)) in detail["message"]
    assert str(local_today()) in detail["message"]
    with rt.reading() as session:  # nothing was started
        from engine.models import Case

        assert session.scalar(sa.select(sa.func.count(Case.id))) == 0
    last_day = (local_today() - timedelta(days=30)).isoformat()
    on_time = appeal_application(known_on=last_day, sanction_date=last_day)
    case = commands.file_application(rt, disputes["wang"], "appeals", on_time)
    assert case.data["filing_deadline"] == str(local_today())


def test_correction_notice_lists_everything_and_pauses_the_clock(rt: Runtime, disputes):
    case = commands.file_application(rt, disputes["wang"], "appeals", appeal_application(materials=["application"]))
    received = case_row(rt, case.id).data["received_on"]
    with pytest.raises(Invalid) as err:  # a correction must list the missing items
        do(rt, disputes["yang"], case.id, "acceptance_check", {
            **CONDITIONS, "cond_materials": False, "acceptance_decision": "correction", "acceptance_note": "缺件"})
    assert err.value.details[0]["field"] == "missing_materials"
    do(rt, disputes["yang"], case.id, "acceptance_check", {
        **CONDITIONS, "cond_materials": False, "acceptance_decision": "correction",
        "missing_materials": ["decision_copy", "evidence"], "acceptance_note": "缺处分决定书和证据。"})
    [notice] = documents(rt, case.id)
    text = text_of(notice.content)
    assert notice.kind == "correction_notice" and "一次性告知" in text
    assert "处分决定书复印件" in text and "相关证据材料" in text and "不计入复核决定期限" in text
    supplement = task_row(rt, open_task(rt, case.id, "supplement_materials"))
    assert supplement.assignee == "wang"
    advance_days(6)
    do(rt, disputes["wang"], case.id, "supplement_materials", {"supplied_materials": ["decision_copy", "evidence"],
                                                               "supplement_note": "已补交。"})
    assert case_row(rt, case.id).data["paused_days"] == 6
    do(rt, disputes["yang"], case.id, "acceptance_check", {**CONDITIONS, "acceptance_decision": "accept",
                                                          "acceptance_note": "材料齐全，受理。"})
    data = case_row(rt, case.id).data
    assert data["review_due"] == str(date.fromisoformat(received) + timedelta(days=36))
    do(rt, disputes["yang"], case.id, "hear_union", {})
    review = task_row(rt, open_task(rt, case.id, "review_decision"))
    assert review.candidate_groups == ["dept:hr"] and str(review.due_at.astimezone(LOCAL).date()) == data["review_due"]


def test_uphold_with_the_five_checks_and_lapse_of_the_appeal_period(rt: Runtime, disputes):
    case = accepted_case(rt, disputes)
    with pytest.raises(Invalid) as err:  # uphold needs every check sound
        do(rt, disputes["chen"], case.id, "review_decision", {**checks(evidence="证人证言矛盾"), "outcome": "uphold",
                                                               "decision_reasons": "维持。"})
    assert err.value.details[0]["field"] == "check_evidence"
    case = do(rt, disputes["chen"], case.id, "review_decision", {**checks(), "outcome": "uphold",
                                                                 "decision_reasons": "事实清楚，程序合法。"})
    [doc] = documents(rt, case.id)
    text = text_of(doc.content)
    assert doc.kind == "decision_review" and "复核决定书" in text and "维持原处理决定" in text
    for name in ("程序严谨", "依据明确", "证据充分", "定性准确", "处分恰当"):
        assert name in text
    assert "30日内提出申诉" in text and "不停止原处理决定的执行" in text
    assert "对原处分逐项审查" in text and "\n人事处\n" in text  # signed by the deciding unit
    assert "作出处分的单位" not in text
    assert task_row(rt, open_task(rt, case.id, "appellant_next")).assignee == "wang"
    advance_days(31)
    case = wake_case(rt, case.id)
    assert case.status == "completed" and case.data["final"] is True and case.data["closed_reason"] == "lapsed"


def test_quash_needs_a_failed_check_and_union_opinion_needs_an_answer(rt: Runtime, disputes):
    case = accepted_case(rt, disputes, union_opinion=True)
    with pytest.raises(Invalid) as err:
        do(rt, disputes["chen"], case.id, "review_decision", {**checks(), "outcome": "quash",
                                                              "decision_reasons": "撤销"})
    assert err.value.details[0]["field"] == "outcome"
    failing = {**checks(procedure="未听取陈述申辩"), "outcome": "quash", "decision_reasons": "程序违法，撤销处分。"}
    with pytest.raises(Invalid) as err:
        do(rt, disputes["chen"], case.id, "review_decision", failing)
    assert err.value.details[0]["field"] == "union_reply"
    case = do(rt, disputes["chen"], case.id, "review_decision", {**failing, "union_reply": "采纳工会意见，撤销处分。"})
    assert case.data["current_sanction"] == "" and case.data["decisions"][-1]["outcome"] == "quash"
    text = text_of(documents(rt, case.id)[0].content)
    assert "撤销原处理决定" in text and "采纳工会意见" in text and "存在问题" in text
    case = do(rt, disputes["wang"], case.id, "appellant_next", {"next_step": "accept"})
    assert case.status == "completed"


def test_vary_never_heavier_and_appeal_with_one_extension_then_final_re_appeal(rt: Runtime, disputes):
    case = accepted_case(rt, disputes, sanction_type="post_demotion")
    heavier = {**checks(proportionality="处分偏重"), "outcome": "vary", "varied_sanction": "dismissal",
               "decision_reasons": "变更。"}
    with pytest.raises(Invalid) as err:
        do(rt, disputes["chen"], case.id, "review_decision", heavier)
    assert err.value.details[0]["field"] == "varied_sanction" and "不得加重" in err.value.message
    with pytest.raises(Invalid):  # the same weight is no variation
        do(rt, disputes["chen"], case.id, "review_decision", {**heavier, "varied_sanction": "post_demotion"})
    with pytest.raises(Invalid):  # a manager's sanction type for a non-manager
        do(rt, disputes["chen"], case.id, "review_decision", {**heavier, "varied_sanction": "major_demerit"})
    with pytest.raises(Invalid):  # a review decision cannot be extended
        do(rt, disputes["chen"], case.id, "review_decision", {"outcome": "extend", "decision_reasons": "复杂。",
                                                               "extension_reasons": "复杂"})
    case = do(rt, disputes["chen"], case.id, "review_decision", {**heavier, "varied_sanction": "demerit"})
    assert case.data["current_sanction"] == "demerit"
    text = text_of(documents(rt, case.id)[0].content)
    assert "决定：变更原处理决定，改为记过" in text and "变更为" not in text
    # 申诉 to the supervising body: 60 days, one extension of 30 for complex cases
    do(rt, disputes["wang"], case.id, "appellant_next", {"next_step": "appeal", "appeal_reasons": "仍认为处分过重。"})
    decision = task_row(rt, open_task(rt, case.id, "body_decision"))
    assert decision.candidate_groups == ["appeals"]
    assert str(decision.due_at.astimezone(LOCAL).date()) == str(local_today() + timedelta(days=60))
    do(rt, disputes["yang"], case.id, "body_decision", {"outcome": "extend", "decision_reasons": "需补充调查。",
                                                       "extension_reasons": "涉及多名证人，案情复杂。"})
    extended = task_row(rt, open_task(rt, case.id, "body_decision"))
    assert str(extended.due_at.astimezone(LOCAL).date()) == str(local_today() + timedelta(days=90))
    with pytest.raises(Invalid) as err:
        do(rt, disputes["yang"], case.id, "body_decision", {"outcome": "extend", "decision_reasons": "再延长。",
                                                           "extension_reasons": "仍复杂"})
    assert "一次" in err.value.message
    with pytest.raises(Invalid) as err:  # never heavier than the ORIGINAL sanction, at every stage
        do(rt, disputes["yang"], case.id, "body_decision", {**checks(basis="适用条款错误"), "outcome": "vary",
                                                           "varied_sanction": "dismissal", "decision_reasons": "改重"})
    assert err.value.details[0]["field"] == "varied_sanction"
    do(rt, disputes["yang"], case.id, "body_decision", {**checks(basis="适用条款错误"), "outcome": "vary",
                                                       "varied_sanction": "warning", "decision_reasons": "改警告"})
    assert "申诉处理决定书" in text_of(documents(rt, case.id)[-1].content)
    # 再申诉: same pattern, its decision is final
    do(rt, disputes["wang"], case.id, "appellant_next", {"next_step": "appeal", "appeal_reasons": "请求撤销处分。"})
    case = do(rt, disputes["yang"], case.id, "body_decision", {**checks(), "outcome": "uphold",
                                                              "decision_reasons": "维持申诉处理决定。"})
    assert case.status == "completed" and case.data["final"] is True
    assert [d["stage"] for d in case.data["decisions"]] == ["review", "appeal", "re_appeal"]
    assert "本决定为最终决定" in text_of(documents(rt, case.id)[-1].content)


def test_appraisal_review_decision_speaks_of_the_rating_with_labels(rt: Runtime, disputes):
    case = accepted_case(rt, disputes, subject="appraisal", title="对年度考核基本合格申请复核",
                         appraisal_rating="basically_competent")
    case = do(rt, disputes["chen"], case.id, "review_decision", {
        **checks(proportionality="等次偏低"), "outcome": "vary", "varied_rating": "competent",
        "decision_reasons": "工作量核算有误，改为合格。"})
    text = text_of(documents(rt, case.id)[-1].content)
    assert "原考核等次：基本合格" in text and "决定：变更原考核结论，改为合格" in text
    assert "对原考核结论逐项审查" in text and "等次评定恰当" in text
    for wrong in ("basically_competent", "competent原", "原处分", "处分恰当", "加重处分", "作出处分的单位"):
        assert wrong not in text, wrong
    assert "\n人事处\n" in text


def test_not_accepted_and_manager_sanctions(rt: Runtime, disputes):
    with pytest.raises(Invalid) as err:  # 记大过 is a manager's (政务处分) type
        commands.file_application(rt, disputes["wang"], "appeals", appeal_application(sanction_type="major_demerit"))
    assert err.value.details[0]["field"] == "sanction_type"
    case = commands.file_application(rt, disputes["wang"], "appeals",
                                     appeal_application(staff_category="manager", sanction_type="major_demerit"))
    case = do(rt, disputes["yang"], case.id, "acceptance_check", {
        **CONDITIONS, "cond_jurisdiction": False, "acceptance_decision": "reject", "acceptance_note": "应申请复审"})
    assert case.status == "completed" and case.data["outcome"] == "not_accepted"
    [doc] = documents(rt, case.id)
    assert doc.kind == "not_accepted_notice" and "属于本机构管辖" in text_of(doc.content)


def test_relative_files_for_a_person_who_cannot_act(rt: Runtime, disputes):
    body = appeal_application(filed_by="relative", appellant="li", relative_name="李某", relation="配偶")
    case = commands.file_application(rt, disputes["zhang"], "appeals", body)
    assert case.data["appellant"] == "li" and open_names(rt, case.id) == ["acceptance_check"]
