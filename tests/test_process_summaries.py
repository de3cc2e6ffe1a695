"""What the task pages of the union services show beside their forms: each step's case summary (the facts the
BPMN's ``summary`` properties name, with the forms' Chinese labels and option names) and the opinion trail of
the deciding steps (their ``opinion`` properties), read through ``GET /api/v1/tasks/<id>``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import ROOT, UNION_SERVICES

from engine.clock import clock
from engine.definitions.bundle import bundle_from_file
from engine.definitions.check import check_bundle
from engine.instances import wake_case
from engine.runtime import Runtime
from engine.workdays import LOCAL

PROCESSES = ROOT / "processes"


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LOCAL)


def start(api: Any, user: str, process: str) -> int:
    res = api.post("/api/v1/cases", user, json={"process": process, "data": {}})
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def task_id(api: Any, case_id: int, name: str, *, assignee: str | None = None, group: str | None = None) -> str:
    open_tasks = api.get(f"/api/v1/cases/{case_id}", "admin").get_json()["open_tasks"]
    found = [t for t in open_tasks if t["name"] == name and (assignee is None or t["assignee"] == assignee)
             and (group is None or group in t["candidate_groups"])]
    assert len(found) == 1, (name, open_tasks)
    return found[0]["id"]


def page(api: Any, user: str, case_id: int, name: str, lang: str = "zh_CN", **which: str) -> dict:
    """The task as its handler reads it."""
    res = api.get(f"/api/v1/tasks/{task_id(api, case_id, name, **which)}?lang={lang}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def do(api: Any, user: str, case_id: int, name: str, data: dict, **which: str) -> None:
    res = api.post(f"/api/v1/tasks/{task_id(api, case_id, name, **which)}/complete", user, json={"data": data})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["case"]["status"] in ("running", "completed")


def summary(body: dict) -> dict[str, str]:
    return {item["label"]: item["value"] for item in body["summary"]}


def trail(body: dict) -> list[tuple[str, dict[str, str]]]:
    """The opinion trail: (step title, {label: value}) oldest first."""
    return [(o["step"], {i["label"]: i["value"] for i in o["items"]}) for o in body["opinions"]]


def wake(api: Any, rt: Runtime, case_id: int) -> None:
    """What the scheduler does for a case whose timer is due (after the clock moved: sign in again)."""
    wake_case(rt, case_id)
    api.tokens.clear()


@pytest.mark.parametrize("name", UNION_SERVICES)
def test_every_summary_and_opinion_field_is_labelled_by_a_form(name: str) -> None:
    bundle = bundle_from_file(PROCESSES / name / f"{name}.bpmn", PROCESSES / "forms")
    assert [p.message for p in check_bundle(bundle)] == []


SUGGESTION = {"title": "关于增设饮水点的建议", "category": "campus", "unit": "logistics",
              "content": "三号教学楼只有一楼有饮水机。", "measures": "每层增设直饮水点。",
              "publish_consent": True, "publish_anonymous": True}


def test_staff_suggestion_steps_show_the_suggestion_and_the_earlier_decisions(api: Any, union: dict) -> None:
    case = start(api, "li", "staff_suggestion")
    do(api, "li", case, "submit", SUGGESTION, assignee="li")

    triage = page(api, "guo", case, "triage")
    assert summary(triage) == {"建议标题": "关于增设饮水点的建议", "建议人": "Li", "建议类别": "校园建设",
                               "建议承办单位": "后勤保障处", "建议内容": "三号教学楼只有一楼有饮水机。",
                               "具体措施": "每层增设直饮水点。"}
    assert trail(triage) == []
    do(api, "guo", case, "triage", {"triage_result": "accepted", "route_unit": "hr",
                                    "triage_note": "涉及人事处职责，改派人事处。"})

    answer = page(api, "chen", case, "answer")
    assert summary(answer) == {"建议标题": "关于增设饮水点的建议", "建议类别": "校园建设",
                               "建议内容": "三号教学楼只有一楼有饮水机。", "具体措施": "每层增设直饮水点。"}
    assert trail(answer) == [("受理并分办", {"受理结论": "受理并转承办单位", "承办单位": "人事处",
                                             "受理意见": "涉及人事处职责，改派人事处。"})]
    english = page(api, "chen", case, "answer", lang="en")
    assert {"label": "Category", "value": "Campus and facilities"} in english["summary"]
    assert ("受理并分办", {"Decision": "Accepted and sent to the unit", "Unit to answer": "Human Resources",
                           "Note": "涉及人事处职责，改派人事处。"}) in trail(english)
    do(api, "chen", case, "answer", {"adoption": "partly", "reply": "需统筹预算。", "plan": "十月底前增设两处。",
                                     "replied_by": "人事处 陈处长"})

    rating = page(api, "li", case, "rate_answer", assignee="li")
    assert summary(rating)["采纳情况"] == "部分采纳" and summary(rating)["答复内容"] == "需统筹预算。"
    assert [step for step, _ in trail(rating)] == ["受理并分办", "答复建议"]
    do(api, "li", case, "rate_answer", {"rating": "basically", "rating_comment": "希望尽快落实。"}, assignee="li")

    publish = page(api, "guo", case, "decide_publish")
    shown = summary(publish)
    assert shown["承办单位"] == "人事处" and shown["满意度"] == "基本满意" and shown["公开时隐去本人姓名"] == "是"
    assert trail(publish)[-1] == ("评价答复", {"满意度": "基本满意", "评价意见": "希望尽快落实。"})


HARDSHIP = {"applicant_name": "李老师", "department": "logistics", "on_behalf": False, "category": "illness",
            "level": "severe", "household_size": 4, "monthly_income": 1300,
            "description": "配偶重病住院，自付医疗费约六万元。", "phone": "13900001111", "pledge": True}


def test_hardship_aid_steps_show_the_application_the_visit_and_the_approval(api: Any, union: dict) -> None:
    case = start(api, "li", "hardship_aid")
    do(api, "li", case, "apply", HARDSHIP, assignee="li")

    verify = page(api, "xu", case, "verify")
    assert summary(verify) == {"申请人姓名": "李老师", "所在单位": "后勤保障处", "由分工会代为申请": "否",
                               "困难类别": "大病医疗", "困难程度（自评）": "特别困难", "家庭人口": "4",
                               "家庭月人均收入（元）": "1300", "困难情况说明": "配偶重病住院，自付医疗费约六万元。",
                               "联系电话": "13900001111"}
    english = summary(page(api, "xu", case, "verify", lang="en"))
    assert english["Kind of hardship"] == "Serious illness" and english["Unit"] == "Logistics"
    do(api, "xu", case, "verify", {"verify_result": "verified", "verified_level": "serious",
                                   "visit_note": "上门走访，情况属实。", "verify_opinion": "同意上报。"})

    approve = page(api, "guo", case, "approve")
    assert summary(approve)["核定困难程度"] == "较重困难" and summary(approve)["困难类别"] == "大病医疗"
    assert trail(approve) == [("分工会走访核实", {"核实结论": "情况属实，同意上报", "核定困难程度": "较重困难",
                                                  "走访核实情况": "上门走访，情况属实。", "分工会意见": "同意上报。"})]
    do(api, "guo", case, "approve", {"approve_result": "approved", "approved_amount": 4500,
                                     "amount_reason": "已获医保二次报销。", "approve_opinion": "同意帮扶。"})

    pay = page(api, "luo", case, "pay_aid")
    assert summary(pay) == {"申请人姓名": "李老师", "所在单位": "后勤保障处", "联系电话": "13900001111",
                            "困难类别": "大病医疗", "核准金额（元）": "4500"}
    assert trail(pay)[-1] == ("工会办公室审批", {"审批结论": "同意帮扶", "核准金额（元）": "4500",
                                                "金额调整理由": "已获医保二次报销。", "审批意见": "同意帮扶。"})


REGISTER = {"title": "推进教职工周转房建设", "source": "congress_resolution", "session_name": "第七届教代会第三次会议",
            "content": "两年内建成周转房一百二十套。", "lead_unit": "hr", "co_units": ["logistics"],
            "milestones": "2026年12月 完成设计", "deadline": "2027-06-30", "report_cycle": "P1M",
            "rounds": 6, "next_session": "第七届教代会第四次会议"}


def test_resolution_supervision_reports_see_the_matter_and_the_last_review(api: Any, rt: Runtime,
                                                                           union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    case = start(api, "guo", "resolution_supervision")
    do(api, "guo", case, "register_matter", REGISTER, assignee="guo")

    supervise = summary(page(api, "guo", case, "supervise"))
    assert supervise == {"督查事项": "推进教职工周转房建设", "事项来源": "教代会决议",
                         "届次会议": "第七届教代会第三次会议", "决议内容及工作要求": "两年内建成周转房一百二十套。",
                         "牵头单位": "人事处", "协办单位": "后勤保障处", "节点安排": "2026年12月 完成设计",
                         "完成时限": "2027-06-30", "报送周期": "每月", "报送轮次": "6",
                         "提交会议": "第七届教代会第四次会议"}
    for n, month in enumerate((10, 11), start=1):
        clock.freeze(at(2026, month, 2))
        wake(api, rt, case)
        report = page(api, "chen", case, "report", group="dept:hr")
        shown = summary(report)
        assert shown["当前轮次"] == str(n) and shown["牵头单位"] == "人事处" and shown["完成时限"] == "2027-06-30"
        if n == 2:  # the units see the union office's remarks on the last round
            assert trail(report)[-1] == ("审核本轮进展", {"总体进展": "部分滞后", "督办意见": "后勤保障处加快进度",
                                                         "需重点督办的单位": "后勤保障处"})
        do(api, "chen", case, "report", {"status": "on_track", "percent": 20 * n, "progress": f"第{n}期：完成设计招标"},
           group="dept:hr")
        do(api, "liu", case, "report", {"status": "delayed", "percent": 10 * n, "progress": "场地协调中",
                                        "problems": "拆迁进度慢"}, group="dept:logistics")
        review = page(api, "guo", case, "review_round")
        assert summary(review)["当前轮次"] == str(n)
        reports = trail(review)[-2:]  # one per unit, named by the instance of the step
        assert all(step.startswith("报送工作进展") for step, _ in reports)
        assert [items for _, items in reports] == [
            {"推进情况": "按计划推进", "完成进度（%）": str(20 * n), "本期工作进展": f"第{n}期：完成设计招标"},
            {"推进情况": "进度滞后", "完成进度（%）": str(10 * n), "本期工作进展": "场地协调中",
             "存在的困难和问题": "拆迁进度慢"}]
        do(api, "guo", case, "review_round", {"progress_level": "lagging", "review_note": "后勤保障处加快进度",
                                              "urge_units": ["logistics"]})
    do(api, "guo", case, "supervise", {"conclusion": "partly", "overall": "设计完成，建设滞后。",
                                       "suggestions": "继续列入下次大会督查。"})

    presidium = page(api, "sun", case, "presidium_review")
    assert summary(presidium)["已报送轮次"] == "2" and summary(presidium)["提交会议"] == "第七届教代会第四次会议"
    assert trail(presidium)[-1] == ("督查办结", {"办结结论": "部分完成，转入常态化工作",
                                                "总体评价": "设计完成，建设滞后。",
                                                "对下次大会的建议": "继续列入下次大会督查。"})


PUBLISH = {"title": "教职工羽毛球赛", "kind": "sports", "description": "单打比赛。", "place": "体育馆",
           "activity_date": "2026-09-20", "activity_time": "14:30—17:00", "signup_deadline": "2026-09-15",
           "quota": 2, "audience": ["staff"], "remind_days": 1, "contact": "郭老师 88881234"}


def test_activity_signup_steps_show_the_activity_and_who_takes_part(api: Any, rt: Runtime, union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    case = start(api, "guo", "activity_signup")
    do(api, "guo", case, "publish_activity", PUBLISH, assignee="guo")

    respond = page(api, "li", case, "respond", assignee="li")
    assert summary(respond) == {"活动名称": "教职工羽毛球赛", "活动类别": "文体活动", "活动内容": "单打比赛。",
                                "活动地点": "体育馆", "活动日期": "2026-09-20", "活动时间": "14:30—17:00",
                                "报名截止日期": "2026-09-15", "名额": "2", "联系人及电话": "郭老师 88881234"}
    for user in ("li", "chen", "wang"):
        clock.advance(timedelta(minutes=10))
        do(api, user, case, "respond", {"join": "yes", "phone": "13700000000"}, assignee=user)
    clock.freeze(at(2026, 9, 16))
    wake(api, rt, case)  # sign-up closes

    roster = summary(page(api, "guo", case, "confirm_roster"))
    assert roster["报名范围"] == "全体教职工"
    assert roster["参加人员"] == "Li、Chen" and roster["候补人员"] == "Wang"
    do(api, "guo", case, "confirm_roster", {"withdrawn": "chen", "roster_note": "陈处长出差，由候补递补。"})
    clock.freeze(at(2026, 9, 19, 9) + timedelta(minutes=1))
    wake(api, rt, case)  # the reminder goes out; attendance is next

    attendance = page(api, "guo", case, "attendance")
    assert summary(attendance)["参加人员"] == "Li、Wang" and "候补人员" not in summary(attendance)
    assert trail(attendance) == [("确认名单（处理取消报名）", {"名单说明": "陈处长出差，由候补递补。"})]
