"""Demo data of mediation and appeals, created by ``docket demo``: committee members, early warnings, and
cases in every state (older ones filed in the past by moving the engine clock back)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from engine.access import Actor
from engine.clock import clock
from engine.demo_people import ensure_people
from engine.errors import DocketError
from engine.instances import wake_case
from engine.models import Case, Task
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.users import actor_for, find_user

from . import commands, warnings
from .access import KINDS, kinds_by_definition
from .rules import today

GROUPS = [("mediation", "劳动人事争议调解委员会"), ("dept-union", "二级单位分工会"), ("appeals", "申诉处理委员会"),
          ("mediation-head", "调解委员会主任"), ("appeals-head", "申诉处理委员会主任"), ("dept:hr", "人事处")]
USERS = [("tang", "唐主任（调解委员会主任）", ["mediation", "mediation-head"]),
         ("song", "宋老师（调解员）", ["mediation"]), ("han", "韩老师（调解员）", ["mediation"]),
         ("xu", "许老师（物理系分工会）", ["dept-union"]), ("yang", "杨老师（申诉委员）", ["appeals"]),
         ("lin", "林主任（申诉处理委员会主任）", ["appeals", "appeals-head"]), ("zhang", "张老师（物理系）", []),
         ("qin", "秦老师（化学系）", [])]
ALL_PASS = {f"check_{c}": "pass" for c in ("procedure", "basis", "evidence", "characterisation", "proportionality")}
FIVE = {"cond_eligible": True, "cond_scope": True, "cond_in_time": True, "cond_jurisdiction": True,
        "cond_materials": True}


def _people(rt: Runtime) -> Iterator[str]:
    yield from ensure_people(rt, GROUPS, USERS)


def _actor(rt: Runtime, username: str) -> Actor:
    with rt.reading() as session:
        return actor_for(find_user(session, username))


class _Demo:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.a = {u: _actor(rt, u) for u in ("tang", "song", "han", "xu", "yang", "lin", "zhang", "qin", "wang",
                                             "chen")}

    def do(self, who: str, case: Case, task: str, data: dict[str, Any]) -> Case:
        with self.rt.reading() as session:
            task_id = session.scalar(sa.select(Task.id).where(Task.case_id == case.id, Task.name == task,
                                                              Task.state.in_(("open", "claimed"))))
        return complete_task(self.rt, self.a[who], task_id, data)

    def mediation(self, who: str, **over: Any) -> Case:
        body = {"application_mode": "written", "applicant_name": "张老师", "department": "物理学系",
                "respondent": "人事处",
                "matter": "pay", "title": "绩效工资发放争议", "claim": "补发2026年上半年绩效工资差额。",
                "facts": "学院按新办法核减了绩效工资，事先未告知。", "known_on": str(today() - timedelta(days=5))}
        return commands.file_application(self.rt, self.a[who], "mediation", {**body, **over})

    def appeal(self, who: str, **over: Any) -> Case:
        body = {"title": "对记过处分申请复核", "filed_by": "self", "appellant_name": "王老师",
                "staff_category": "staff",
                "subject": "sanction", "sanction_type": "demerit", "sanction_date": str(today() - timedelta(days=8)),
                "known_on": str(today() - timedelta(days=6)), "sanction_unit": "hr", "decision_no": "人字〔2026〕12号",
                "reasons": "处分所依据的事实不清，未听取本人陈述申辩。",
                "materials": ["application", "decision_copy", "evidence", "id_copy"]}
        return commands.file_application(self.rt, self.a[who], "appeals", {**body, **over})

    def accept(self, case: Case, mediators: str = "song") -> Case:
        return self.do("tang", case, "accept_case", {
            "acceptance": "accept", "respondent_consent": True, "mediators": mediators,
            "mediation_mode": "panel" if "," in mediators else "single",
            "acceptance_note": "属于受理范围，对方同意调解。"})

    def accepted_appeal(self, who: str = "wang", opinion: bool = False, **over: Any) -> Case:
        case = self.appeal(who, **over)
        self.do("yang", case, "acceptance_check", {**FIVE, "acceptance_decision": "accept",
                                                   "acceptance_note": "予以受理。"})
        body = {"union_has_opinion": True, "union_opinion": "工会认为处分偏重，请单位研究答复。"} if opinion else {}
        return self.do("yang", case, "hear_union", body)


def _in_the_past(days: int, make: Callable[[], Case]) -> Case:
    clock.advance(timedelta(days=-days))
    try:
        return make()
    finally:
        clock.advance(timedelta(days=days))


def _cases(rt: Runtime) -> Iterator[str]:
    d = _Demo(rt)
    settle = {"dept_result": "settled", "dept_record": "分工会组织双方协商。",
              "agreement_terms": "学院于30日内补发差额。"}
    c = d.mediation("zhang")
    yield f"{c.business_key}: department union mediating"
    c = d.mediation("qin", applicant_name="秦老师", department="化学系", title="岗位聘用合同续签争议",
                    matter="contract",
                    request_school=True, co_applicants="赵老师\n钱老师", representatives="秦老师")
    yield f"{c.business_key}: collective case awaiting acceptance"
    c = d.mediation("zhang", title="加班补贴争议", matter="welfare")
    d.do("xu", c, "dept_mediate", {"dept_result": "escalate", "dept_record": "双方分歧较大，申请人要求提交学校。"})
    d.accept(c, "song, han, tang")
    commands.request_recusal(rt, d.a["zhang"], c.id, "song", "宋老师与被申请人负责人系近亲属。")
    commands.record_consent(rt, d.a["zhang"], c.id, "applicant", True, 10, "")
    yield f"{c.business_key}: mediating, recusal pending"
    c = d.mediation("zhang", title="年休假折算争议", matter="leave", request_school=True)
    d.accept(c, "han")
    d.do("han", c, "conduct_mediation", {"session_result": "agreement", "session_record": "双方当场达成一致。",
                                         "agreement_terms": "按实际未休天数折算补发。"})
    yield f"{c.business_key}: agreement, arbitral confirmation due in 15 days"
    c = _in_the_past(40, lambda: d.mediation("qin", applicant_name="秦老师", department="化学系", title="住房补贴争议",
                                             matter="welfare"))
    _in_the_past(38, lambda: d.do("xu", c, "dept_mediate", settle))
    _in_the_past(30, lambda: d.do("qin", c, "apply_confirmation", {"confirmation": "applied"}))
    d.do("tang", c, "track_performance", {"performance": "performed", "performance_note": "已全额补发。"})
    yield f"{c.business_key}: settled at department level, performed"
    c = d.mediation("zhang", title="课时费标准争议", request_school=True)
    d.do("tang", c, "accept_case", {"acceptance": "respondent_refused",
                                    "acceptance_note": "人事处书面答复不同意调解。"})
    yield f"{c.business_key}: refused, notice sent"
    c = _in_the_past(20, lambda: d.mediation("qin", applicant_name="秦老师", department="化学系", title="科研奖励争议",
                                             request_school=True))
    _in_the_past(19, lambda: d.accept(c))
    wake_case(rt, c.id)
    yield f"{c.business_key}: expired without agreement, arbitration notice"
    c = d.mediation("zhang", title="岗位津贴争议", request_school=True)
    d.accept(c, "han")
    d.do("han", c, "conduct_mediation", {"session_result": "abandoned", "session_record": "申请人无正当理由未到场。"})
    yield f"{c.business_key}: abandoned"
    c = d.mediation("wang", applicant_name="王老师", department="数学系", title="对警告处分不服", matter="sanction")
    yield f"{c.business_key}: routed to the appeal track"
    # appeals
    c = d.appeal("wang")
    yield f"{c.business_key}: acceptance check"
    c = d.appeal("wang", title="对降低岗位等级处分申请复核", sanction_type="post_demotion", materials=["application"])
    d.do("yang", c, "acceptance_check", {**FIVE, "cond_materials": False, "acceptance_decision": "correction",
                                         "missing_materials": ["decision_copy",
                                                               "evidence"], "acceptance_note": "材料不全。"})
    yield f"{c.business_key}: missing materials, clock paused"
    c = d.accepted_appeal(opinion=True)
    yield f"{c.business_key}: review by the sanctioning unit"
    c = d.accepted_appeal(title="对记过处分申请复核（二）")
    d.do("chen", c, "review_decision", {**ALL_PASS, "outcome": "uphold",
                                        "decision_reasons": "事实清楚，程序合法，处分适当。"})
    yield f"{c.business_key}: review upheld, appellant may appeal"
    c = _in_the_past(30, lambda: d.accepted_appeal(title="对开除处分申请复核", sanction_type="dismissal"))
    _in_the_past(25, lambda: d.do("chen", c, "review_decision", {
        **ALL_PASS, "check_proportionality": "fail", "check_proportionality_note": "情节较轻，处分偏重。",
        "outcome": "vary", "varied_sanction": "post_demotion", "decision_reasons": "变更为降低岗位等级。"}))
    _in_the_past(20, lambda: d.do("wang", c, "appellant_next", {"next_step": "appeal",
                                                                "appeal_reasons": "仍认为过重。"}))
    d.do("yang", c, "body_decision", {"outcome": "extend", "decision_reasons": "需补充调查。",
                                      "extension_reasons": "涉及多名证人，案情复杂。"})
    yield f"{c.business_key}: appeal, time limit extended for a complex case"
    c = _in_the_past(15, lambda: d.accepted_appeal(opinion=True, title="对警告处分申请复核", sanction_type="warning"))
    d.do("chen", c, "review_decision", {**ALL_PASS, "check_procedure": "fail",
                                        "check_procedure_note": "未听取陈述申辩。",
                                        "outcome": "quash", "decision_reasons": "程序违法，撤销处分。",
                                        "union_reply": "采纳工会意见。"})
    d.do("wang", c, "appellant_next", {"next_step": "accept"})
    yield f"{c.business_key}: quashed, closed"
    c = d.appeal("wang", staff_category="manager", sanction_type="major_demerit", title="对记大过处分申请复核")
    d.do("yang", c, "acceptance_check", {**FIVE, "cond_jurisdiction": False, "acceptance_decision": "reject",
                                         "acceptance_note": "监察机关作出的政务处分，应向其申请复审。"})
    yield f"{c.business_key}: not accepted"
    c = _in_the_past(12, lambda: d.mediation("zhang", title="聘期考核后续聘争议", matter="contract",
                                             request_school=True))
    yield f"{c.business_key}: acceptance overdue (filed 12 days ago, for the supervisors' board)"
    c = _in_the_past(45, lambda: d.accepted_appeal(title="对降低岗位等级处分申请复核", sanction_type="post_demotion"))
    yield f"{c.business_key}: review decision overdue (filed 45 days ago, for the supervisors' board)"


def _warnings(rt: Runtime) -> Iterator[str]:
    xu, tang = _actor(rt, "xu"), _actor(rt, "tang")
    w = warnings.create_warning(rt, xu, {"persons": "物理系青年教师3人", "department": "物理学系", "category": "pay",
                                         "matter": "对新绩效分配办法意见较大，可能引发集体争议。", "risk_level": "high",
                                         "source": "dept_union"})
    warnings.follow_up(rt, xu, w.id, "已与学院领导沟通，学院承诺召开说明会。")
    warnings.create_warning(rt, tang, {"persons": "后勤集团合同制职工", "department": "后勤保障处",
                                       "category": "contract",
                                       "matter": "合同到期续签安排未及时告知。", "risk_level": "medium",
                                       "source": "petition"})
    w = warnings.create_warning(rt, xu, {"persons": "图书馆一名职工", "department": "图书馆", "category": "leave",
                                         "matter": "调休安排有异议。", "risk_level": "low", "source": "union_office"})
    warnings.follow_up(rt, xu, w.id, "经沟通已调整排班，关闭。", close=True)
    yield "early warnings: 3"


def seed(rt: Runtime) -> Iterator[str]:
    """Create what is missing; yield one line per thing created (idempotent)."""
    yield from _people(rt)
    with rt.reading() as session:
        kinds = kinds_by_definition(session)
        has_cases = session.scalar(sa.select(sa.func.count(Case.id)).where(Case.definition_id.in_(kinds)))
    if has_cases or set(kinds.values()) != set(KINDS):
        return
    try:
        yield from _cases(rt)
        yield from _warnings(rt)
    except DocketError as exc:
        yield f"mediation/appeal demo cases incomplete: {exc.message} {exc.details}"
