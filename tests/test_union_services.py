"""The four union services made of BPMN, forms, DMN and DOCX templates only, each run start to end through the
HTTP API (timers fired the way the scheduler fires them): hardship aid, staff suggestions, resolution
supervision and activity sign-up."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from conftest import ROOT, UNION_STAFF

from engine.clock import clock
from engine.disputes.docx_writer import text_of
from engine.instances import wake_case
from engine.runtime import Runtime
from engine.workdays import LOCAL

PROCESSES = ROOT / "processes"


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LOCAL)


def start(api: Any, user: str, process: str, title: str = "") -> dict:
    res = api.post("/api/v1/cases", user, json={"process": process, "data": {"title": title} if title else {}})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def case_of(api: Any, case_id: int, user: str = "admin") -> dict:
    res = api.get(f"/api/v1/cases/{case_id}", user)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def task(api: Any, case_id: int, name: str, *, assignee: str | None = None, group: str | None = None) -> dict:
    found = [t for t in case_of(api, case_id)["open_tasks"] if t["name"] == name
             and (assignee is None or t["assignee"] == assignee) and (group is None or group in t["candidate_groups"])]
    assert len(found) == 1, (name, assignee, group, case_of(api, case_id)["open_tasks"])
    return found[0]


def do(api: Any, user: str, case_id: int, name: str, data: dict, **which: str) -> dict:
    res = api.post(f"/api/v1/tasks/{task(api, case_id, name, **which)['id']}/complete", user, json={"data": data})
    assert res.status_code == 200, res.get_json()
    case = res.get_json()["case"]
    assert case["status"] in ("running", "completed"), case["error"]
    return case


def notes(api: Any, user: str) -> list[dict]:
    """What connectors told ``user``, oldest first."""
    body = api.get("/api/v1/notifications", user).get_json()
    items = body["items"] if isinstance(body, dict) else body
    return [n for n in reversed(items) if n["kind"] == "process_notice"]


def wake(api: Any, rt: Runtime, case_id: int) -> None:
    """What the scheduler does for a case whose timer is due (after the clock moved: sign in again)."""
    wake_case(rt, case_id)
    api.tokens.clear()


def documents(api: Any, case_id: int, user: str) -> list[tuple[dict, str]]:
    res = api.get(f"/api/v1/cases/{case_id}/documents", user)
    assert res.status_code == 200, res.get_json()
    return [(d, text_of(api.get(f"/api/v1/documents/{d['id']}", user).data)) for d in res.get_json()]


HARDSHIP = {"applicant_name": "李老师", "department": "logistics", "on_behalf": False, "category": "illness",
            "level": "severe", "household_size": 4, "monthly_income": 1300.0,
            "description": "配偶重病住院，自付医疗费约六万元。", "phone": "13900001111", "pledge": True}


def test_hardship_aid_is_verified_approved_by_the_table_paid_and_told(api: Any, rt: Runtime, union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    case = start(api, "li", "hardship_aid", "李老师家属住院困难帮扶")
    assert case["business_key"].startswith("帮扶 ")
    do(api, "li", case["id"], "apply", HARDSHIP, assignee="li")
    verify = task(api, case["id"], "verify", group="dept-union")
    assert verify["due_at"].startswith("2026-09-08")  # 5 working days
    detail = api.get(f"/api/v1/tasks/{verify['id']}", "xu").get_json()
    assert detail["data"]["verified_level"] == "severe"  # the pre-script starts from the applicant's own view
    do(api, "xu", case["id"], "verify", {"verify_result": "verified", "verified_level": "serious",
                                         "visit_note": "上门走访，情况属实。", "verify_opinion": "同意上报。"})
    approve = task(api, case["id"], "approve", group="union-office")
    data = api.get(f"/api/v1/tasks/{approve['id']}", "guo").get_json()["data"]
    assert data["standard_amount"] == 5000 and data["approved_amount"] == 5000  # illness x serious, from the DMN
    do(api, "guo", case["id"], "approve", {"approve_result": "approved", "approved_amount": 4500.0,
                                           "amount_reason": "已获医保大病二次报销。", "approve_opinion": "同意帮扶。"})
    [(doc, text)] = documents(api, case["id"], "guo")
    assert doc["title"] == "困难职工帮扶审批表（李老师）"
    for expected in ("困难职工帮扶审批表", "后勤保障处", "大病医疗", "较重困难", "5000 元", "4500 元",
                     "已获医保大病二次报销。"):
        assert expected in text, expected
    assert "【待补" not in text
    for outsider in ("wang", "chen"):  # confidential: only the applicant and the handlers
        assert api.get(f"/api/v1/cases/{case['id']}", outsider).status_code == 403
        assert api.get(f"/api/v1/documents/{doc['id']}", outsider).status_code == 403
    assert notes(api, "li") == []
    done = do(api, "luo", case["id"], "pay_aid", {"paid_on": "2026-09-10", "pay_method": "bank",
                                               "voucher_no": "GH-0910-01"})
    assert done["status"] == "completed"
    [told] = notes(api, "li")
    assert told["title"].endswith("困难帮扶金已发放") and told["link"] == f"/cases/{case['id']}"
    assert "帮扶金 4500 元，已于 2026年9月10日 以银行转账方式发放（凭证号 GH-0910-01）" in told["body"]


def test_hardship_aid_not_verified_tells_the_applicant_why(api: Any, rt: Runtime, union: dict) -> None:
    case = start(api, "xu", "hardship_aid")  # the department union files for a member
    do(api, "xu", case["id"], "apply", {**HARDSHIP, "on_behalf": True}, assignee="xu")
    done = do(api, "xu", case["id"], "verify", {"verify_result": "rejected", "verified_level": "general",
                                                "visit_note": "家庭收入高于标准。",
                                                "verify_opinion": "不符合帮扶条件。"})
    assert done["status"] == "completed" and done["open_tasks"] == []
    [told] = notes(api, "xu")
    assert "未通过核实" in told["title"] and "分工会意见：不符合帮扶条件。" in told["body"]
    assert documents(api, case["id"], "xu") == []


SUGGESTION = {"title": "关于增设饮水点的建议", "category": "campus", "unit": "logistics",
              "content": "三号教学楼只有一楼有饮水机。", "measures": "每层增设直饮水点。",
              "publish_consent": True, "publish_anonymous": False}


def test_staff_suggestion_is_routed_answered_rated_rehandled_once_and_published(api: Any, rt: Runtime,
                                                                                union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    case = start(api, "li", "staff_suggestion")
    do(api, "li", case["id"], "submit", SUGGESTION, assignee="li")
    assert case_of(api, case["id"])["title"] == "关于增设饮水点的建议"  # the first form names the case
    triage = task(api, case["id"], "triage", group="union-office")
    assert api.get(f"/api/v1/tasks/{triage['id']}", "guo").get_json()["data"]["route_unit"] == "logistics"
    do(api, "guo", case["id"], "triage", {"triage_result": "accepted", "route_unit": "hr",
                                          "triage_note": "涉及人事处职责，改派人事处。"})
    answer = task(api, case["id"], "answer", group="dept:hr")
    assert answer["due_at"].startswith("2026-09-21")  # 15 working days (Sunday 20 September is one in 2026)
    assert api.get(f"/api/v1/tasks/{answer['id']}", "liu").status_code == 403  # routed away from Logistics
    first = {"adoption": "explained", "reply": "需统筹预算。", "plan": "纳入明年计划。", "replied_by": "人事处 陈处长"}
    do(api, "chen", case["id"], "answer", first)
    [answered] = notes(api, "li")
    assert "已答复" in answered["title"] and "暂不采纳（说明理由）" in answered["body"]
    do(api, "li", case["id"], "rate_answer", {"rating": "unsatisfied", "rating_comment": "没有时间表。"}, assignee="li")
    do(api, "chen", case["id"], "answer", {**first, "adoption": "partly", "plan": "十月底前在二、三层各增设一处。"})
    do(api, "li", case["id"], "rate_answer", {"rating": "basically"}, assignee="li")
    done = do(api, "guo", case["id"], "decide_publish", {"publish": True, "publish_note": "全校公开。"})
    assert done["status"] == "completed"
    assert done["data"]["answer_round"] == 2
    [published] = notes(api, "wang")  # every staff member hears of it, without a link to the case
    assert published["title"].endswith("职工建议答复公开：关于增设饮水点的建议") and not published["link"]
    assert "建议人：Li；承办单位：人事处；采纳情况：部分采纳。" in published["body"]
    assert api.get(f"/api/v1/cases/{case['id']}", "wang").status_code == 403


def test_staff_suggestion_unrated_after_15_days_counts_as_satisfied(api: Any, rt: Runtime, union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    case = start(api, "wang", "staff_suggestion")
    do(api, "wang", case["id"], "submit", {**SUGGESTION, "publish_consent": False}, assignee="wang")
    do(api, "guo", case["id"], "triage", {"triage_result": "accepted", "route_unit": "logistics",
                                          "triage_note": "转后勤。"})
    do(api, "liu", case["id"], "answer", {"adoption": "adopted", "reply": "已安排。", "plan": "本月完成。",
                                          "replied_by": "后勤保障处 刘科长"})
    clock.advance(timedelta(days=16))
    wake(api, rt, case["id"])
    done = case_of(api, case["id"])
    assert done["status"] == "completed" and done["data"]["rating"] == "satisfied"
    assert "逾期未评价" in done["data"]["rating_comment"]


def test_staff_suggestion_not_accepted_tells_the_author(api: Any, rt: Runtime, union: dict) -> None:
    case = start(api, "chen", "staff_suggestion")
    do(api, "chen", case["id"], "submit", SUGGESTION, assignee="chen")
    done = do(api, "guo", case["id"], "triage", {"triage_result": "declined", "route_unit": "logistics",
                                                 "triage_note": "属个人诉求，请向所在单位反映。"})
    assert done["status"] == "completed"
    [told] = notes(api, "chen")
    assert "未予受理" in told["title"] and "属个人诉求" in told["body"]


REGISTER = {"title": "推进教职工周转房建设", "source": "congress_resolution", "session_name": "第七届教代会第三次会议",
            "content": "两年内建成周转房一百二十套。", "lead_unit": "hr", "co_units": ["logistics"],
            "milestones": "2026年12月 完成设计\n2027年6月 开工", "deadline": "2027-06-30", "report_cycle": "P1M",
            "rounds": 6, "next_session": "第七届教代会第四次会议"}


def test_resolution_supervision_reports_every_cycle_urges_late_units_and_sums_up(api: Any, rt: Runtime,
                                                                                   union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    assert api.post("/api/v1/cases", "li", json={"process": "resolution_supervision"}).status_code == 403
    case = start(api, "guo", "resolution_supervision")
    do(api, "guo", case["id"], "register_matter", REGISTER, assignee="guo")
    [registered] = notes(api, "chen")
    assert "督查事项立项" in registered["title"] and "牵头单位：人事处；协办单位：后勤保障处" in registered["body"]
    assert [t["name"] for t in case_of(api, case["id"])["open_tasks"]] == ["supervise"]
    for n, month in enumerate((10, 11), start=1):
        clock.freeze(at(2026, month, 2))
        wake(api, rt, case["id"])  # the cycle timer opens a round: one report per unit
        assert {t["candidate_groups"][0] for t in case_of(api, case["id"])["open_tasks"] if t["name"] == "report"} \
            == {"dept:hr", "dept:logistics"}
        do(api, "chen", case["id"], "report", {"status": "on_track", "percent": 20 * n,
                                               "progress": f"第{n}期：完成设计招标"}, group="dept:hr")
        if n == 1:
            clock.advance(timedelta(days=11))
            wake(api, rt, case["id"])  # ten days on, the unit that has not reported is urged
            assert any(f"第 {n} 轮工作进展报送已逾期" in (x["body"] or "") for x in notes(api, "liu"))
        do(api, "liu", case["id"], "report", {"status": "delayed", "percent": 10 * n, "progress": "场地协调中",
                                              "problems": "拆迁进度慢"}, group="dept:logistics")
        do(api, "guo", case["id"], "review_round", {"progress_level": "lagging", "review_note": "后勤保障处加快进度",
                                                     "urge_units": ["logistics"] if n == 2 else []})
    assert any(x["title"].endswith("督办：推进教职工周转房建设") for x in notes(api, "liu"))
    assert not any(x["title"].endswith("督办：推进教职工周转房建设") for x in notes(api, "chen"))
    do(api, "guo", case["id"], "supervise", {"conclusion": "partly", "overall": "设计完成，建设滞后。",
                                             "suggestions": "继续列入下次大会督查。"})
    [(doc, text)] = documents(api, case["id"], "sun")
    assert doc["title"] == "督查情况报告（推进教职工周转房建设）"
    for expected in ("事项来源：教代会决议（第七届教代会第三次会议）", "牵头单位：人事处", "已报送 2 轮",
                     "第1期：完成设计招标", "第2期：完成设计招标", "进度滞后", "拆迁进度慢", "部分完成，转入常态化工作",
                     "本报告提交第七届教代会第四次会议。"):
        assert expected in text, expected
    assert "【待补" not in text
    done = do(api, "sun", case["id"], "presidium_review", {"presidium_opinion": "同意提交大会。", "to_congress": True})
    assert done["status"] == "completed" and done["wake_at"] is None  # closing the supervision stopped the cycle
    assert any("督查已办结（部分完成，转入常态化工作）" in (x["body"] or "") for x in notes(api, "chen"))


PUBLISH = {"title": "教职工羽毛球赛", "kind": "sports", "description": "单打比赛。", "place": "体育馆",
           "activity_date": "2026-09-20", "activity_time": "14:30—17:00", "signup_deadline": "2026-09-15",
           "quota": 2, "audience": ["staff"], "remind_days": 1, "contact": "郭老师 88881234"}


def test_activity_signup_first_come_waiting_list_reminder_and_attendance(api: Any, rt: Runtime, union: dict) -> None:
    clock.freeze(at(2026, 9, 1))
    case = start(api, "guo", "activity_signup")
    do(api, "guo", case["id"], "publish_activity", PUBLISH, assignee="guo")
    invited = sorted(t["assignee"] for t in case_of(api, case["id"])["open_tasks"] if t["name"] == "respond")
    assert invited == sorted(["guo", "luo", "xu", "peng", *UNION_STAFF])  # every member of the audience
    for user in ("li", "chen", "wang"):
        clock.advance(timedelta(minutes=10))
        do(api, user, case["id"], "respond", {"join": "yes", "phone": "13700000000"}, assignee=user)
    do(api, "liu", case["id"], "respond", {"join": "no"}, assignee="liu")
    assert notes(api, "li")[0]["title"].endswith("报名成功：教职工羽毛球赛")
    assert "已列入候补（第 1 位）" in notes(api, "wang")[0]["body"]
    clock.freeze(at(2026, 9, 16))
    wake(api, rt, case["id"])  # sign-up closes; the others' steps end unanswered
    now = case_of(api, case["id"])
    assert [t["name"] for t in now["open_tasks"]] == ["confirm_roster"]
    assert now["data"]["participants"] == ["li", "chen"] and now["data"]["waitlist"] == ["wang"]
    [(doc, text)] = documents(api, case["id"], "guo")
    assert doc["title"] == "报名名单（教职工羽毛球赛）"
    assert "Li" in text and "Wang" in text and "2026年9月1日 09:10" in text
    do(api, "guo", case["id"], "confirm_roster", {"withdrawn": "chen", "roster_note": "陈处长出差。"})
    assert notes(api, "wang")[-1]["title"].endswith("候补转正：教职工羽毛球赛")
    assert [t["name"] for t in case_of(api, case["id"])["open_tasks"]] == []
    clock.freeze(at(2026, 9, 19, 9) + timedelta(minutes=1))
    wake(api, rt, case["id"])  # the day before, from 09:00
    for user in ("li", "wang"):
        assert notes(api, user)[-1]["title"].endswith("活动提醒：教职工羽毛球赛")
    assert not any("活动提醒" in x["title"] for x in notes(api, "chen"))
    done = do(api, "guo", case["id"], "attendance", {"absent": "wang", "summary": "比赛顺利。"})
    assert done["status"] == "completed" and done["data"]["attendees"] == ["li"]
