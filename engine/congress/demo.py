"""Demo data: the school congress and one department's 二级教代会, with proposals in every state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from engine.access import SYSTEM, Actor
from engine.approval.cc import cc_task
from engine.approval.returns import return_task
from engine.clock import clock, utcnow
from engine.demo_people import ensure_people
from engine.models import Task
from engine.queries import casework_definitions
from engine.runtime import Runtime
from engine.scheduler import wake_due
from engine.tasks import complete_task
from engine.users import actor_for, find_user
from engine.workdays import LOCAL

from . import proposals as cp
from .congresses import add_delegate, create_congress, create_session
from .models import Congress
from .proposals import CASEWORK

GROUPS = [("leader", "分管校领导"), ("specialist:welfare", "福利保障专门委员会"),
          ("specialist:teaching", "教学科研专门委员会"), ("committee:cs", "计算机学院提案工作小组"),
          ("presidium:cs", "计算机学院教代会主席团"), ("delegate", "教代会代表"), ("committee", "提案工作委员会"),
          ("presidium", "主席团"), ("dept:hr", "人事处"), ("dept:logistics", "后勤保障处")]
USERS = [("zheng", "郑老师（代表）", ["delegate"]), ("feng", "冯老师（代表）", ["delegate"]),
         ("he", "何副校长（分管校领导）", ["leader"]), ("lu", "卢教授（福利保障专委会）", ["specialist:welfare"]),
         ("ding", "丁老师（计算机学院提案小组）", ["committee:cs"]), ("ma", "马老师（计算机学院代表）", ["delegate"]),
         ("niu", "牛老师（计算机学院代表）", ["delegate"]), ("gao", "高老师（计算机学院代表）", ["delegate"])]
SCHOOL = ["wang", "li", "zhao", "zheng", "feng"]
CS = ["ma", "niu", "gao"]
TOPICS = [
    ("关于改善教职工午餐条件的建议", "welfare",
     "食堂午餐高峰排队时间长，菜品单一。",
     "建议增设教工专用窗口，延长供餐时间并增加菜品种类。"),
    ("关于延长图书馆开放时间的建议", "campus",
     "图书馆晚间闭馆过早，教职工难以利用。",
     "建议工作日开放至二十二点，考试周延长至二十四点。"),
    ("关于完善青年教师住房补贴的建议", "welfare",
     "青年教师住房压力大。",
     "建议提高住房补贴标准并简化申请流程，按年度公示发放情况。"),
    ("关于优化教学评价方式的建议", "teaching",
     "现行评价以学生打分为主。",
     "建议引入同行评议与教学档案袋，综合评价教学质量。"),
    ("关于增设校园电动车充电桩的建议", "campus",
     "教职工电动车充电难，存在私拉电线隐患。",
     "建议在各停车区增设集中充电桩，统一管理收费。"),
    ("关于简化科研经费报销流程的建议", "research",
     "报销材料繁多，往返多次。",
     "建议推行线上报销与电子票据，减少纸质签字环节。"),
    ("关于开设教职工子女暑期托管班的建议", "welfare",
     "暑假期间双职工子女无人照看。",
     "建议工会联合附属学校开设暑期托管班，按成本收费。"),
    ("关于规范会议通知时间的建议", "management",
     "临时会议通知过晚，影响教学安排。",
     "建议非紧急会议提前三个工作日通知，并避开上课时间。"),
]
REPLY = {"reply_action": "reply", "reply_type": "adopted", "reply": "经研究，已制定改进方案并落实责任部门。",
         "measures": "成立专项小组，分阶段推进。", "completion_date": "2027-06-30"}


def _ensure(rt: Runtime) -> dict[str, Actor]:
    ensure_people(rt, GROUPS, USERS)
    with rt.transaction() as session:
        actors = {}
        for username in {*SCHOOL, *CS, "he", "lu", "ding", "admin", "chen", "liu"}:
            user = find_user(session, username)
            if user is not None:
                actors[username] = actor_for(user)
    return actors


def _day(now: datetime, days: int, end: bool = False) -> datetime:
    """The start (or the end) of the local day ``days`` from ``now``: sessions collect over whole days, as the
    office sets them up."""
    day = (now + timedelta(days=days)).astimezone(LOCAL).date()
    return datetime.combine(day, time(23, 59, 59) if end else time(0), LOCAL)


def _task(rt: Runtime, case_id: int, name: str) -> str:
    with rt.reading() as session:
        return session.scalar(sa.select(Task.id).where(Task.case_id == case_id, Task.name == name,
                                                       Task.state.in_(("open", "claimed"))))


class Seeder:
    """Moves demo proposals along the process, one command at a time, as the right people."""

    def __init__(self, rt: Runtime, a: dict[str, Actor]) -> None:
        self.rt, self.a, self.n = rt, a, 0

    def submit(self, proposer: str, congress: str, signers: list[str]) -> tuple[int, int]:
        title, category, cause, suggestion = TOPICS[self.n % len(TOPICS)]
        self.n += 1
        draft = cp.save_draft(self.rt, self.a[proposer], congress, {
            "title": title, "category": category, "cause": cause, "analysis": "涉及面广，教职工反映集中。",
            "suggestion": suggestion, "argument": "兄弟院校已有成熟做法，可参照实施。"})
        case = cp.publish(self.rt, self.a[proposer], draft.id)
        for name in signers:
            cp.cosign(self.rt, self.a[name], draft.id)
        return draft.id, case.id

    def do(self, user: str, case_id: int, name: str, data: dict[str, Any]) -> None:
        complete_task(self.rt, self.a[user], _task(self.rt, case_id, name), data)

    def register(self, case_id: int, committee: str = "zhao", lead: str = "hr", accept: bool = True,
                 decision: str = "register") -> None:
        self.do(committee, case_id, "collect_cosignatures", {})
        self.do(committee, case_id, "committee_review",
                {"decision": decision, "review_opinion": "符合立案条件，同意立案。"})
        self.do(committee, case_id, "assign", {"lead_department": lead})
        if accept:
            self.do("chen" if lead == "hr" else "liu", case_id, "confirm_assignment", {"assignment": "accept"})

    def reply(self, case_id: int, lead: str = "hr") -> None:
        self.do("chen" if lead == "hr" else "liu", case_id, "draft_reply", REPLY)
        self.do("he", case_id, "sign_off", {"signoff": "approve"})


def seed(rt: Runtime) -> Iterator[str]:
    """Create what is missing; yield one line per thing created."""
    with rt.reading() as session:
        if session.scalar(sa.select(Congress.id).where(Congress.key == "school")):
            return
        if not casework_definitions(session, CASEWORK):
            yield "congress demo skipped: the proposals process is not deployed"
            return
    a = _ensure(rt)
    now = utcnow()
    with rt.transaction() as session:
        school = create_congress(session, SYSTEM, "school", "第七届教职工代表大会")
        cs = create_congress(session, SYSTEM, "cs", "计算机学院二级教代会", level="department", department="cs",
                             committee_group="committee:cs", presidium_group="presidium:cs",
                             settings={"min_cosigners": 2, "archive": "members"})
        create_session(session, SYSTEM, school, "七届二次", 7, 2, _day(now, -75), _day(now, -45, end=True))
        create_session(session, SYSTEM, school, "七届三次", 7, 3, _day(now, -20), _day(now, 20, end=True))
        create_session(session, SYSTEM, cs, "二届一次", 2, 1, _day(now, -20), _day(now, 20, end=True))
        for name in SCHOOL:
            add_delegate(session, SYSTEM, school, name, "第一代表团" if name in ("wang", "li") else "第二代表团")
        for name in CS:
            add_delegate(session, SYSTEM, cs, name, "计算机学院")
    yield "congresses: 第七届教职工代表大会 (school), 计算机学院二级教代会 (department)"
    s = Seeder(rt, a)
    saved = clock.offset
    clock.offset = saved - timedelta(days=60)  # the previous session's proposals, filed back then
    try:
        _, few = s.submit("feng", "school", ["wang"])
        _, c = s.submit("li", "school", ["wang", "zhao", "zheng"])
        s.register(c, lead="logistics")
        s.reply(c, lead="logistics")
        s.do("li", c, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "措施不够具体。"})
        s.reply(c, lead="logistics")
        s.do("li", c, "proposer_rating", {"rating": "satisfied"})
        s.do("liu", c, "grade_implementation", {"grade": "B", "grade_note": "已列入明年计划。"})
        s.do("zhao", c, "close_proposal", {})
    finally:
        clock.offset = saved
    wake_due(rt)  # the too-few one became a general opinion at its cutoff
    yield from _current(s)


def _current(s: Seeder) -> Iterator[str]:
    a = s.a
    draft = cp.save_draft(s.rt, a["wang"], "school", {
        "title": "关于增加教职工体检项目的建议", "category": "welfare", "cause": "现有体检项目较少。",
        "suggestion": "建议增加肿瘤标志物与心血管专项检查。"})
    yield f"proposal draft #{draft.id}"
    s.submit("li", "school", ["wang"])  # open for co-signing
    _, target = s.submit("zheng", "school", ["wang", "li", "zhao"])
    s.register(target, accept=False)  # registered, waiting for the department to accept
    _, c = s.submit("feng", "school", ["wang", "li", "zheng"])
    s.do("zhao", c, "collect_cosignatures", {})
    s.do("zhao", c, "committee_review", {"decision": "reject", "reject_reason": "personal",
                                         "review_opinion": "属于个人待遇问题，不属于教代会提案范围。"})
    with s.rt.reading() as session:
        from .models import Proposal

        key = session.scalar(sa.select(Proposal.business_key).where(Proposal.case_id == target))
    _, c = s.submit("wang", "school", ["li", "zheng", "feng"])
    s.do("zhao", c, "collect_cosignatures", {})
    s.do("zhao", c, "committee_review",
         {"decision": "merge", "merge_into": key, "review_opinion": "与同类提案合并办理。"})
    _, c = s.submit("li", "school", ["wang", "zheng", "feng"])
    s.register(c, decision="convert")  # an opinion, answered in writing
    _, c = s.submit("zheng", "school", ["wang", "li", "feng"])
    s.do("zhao", c, "collect_cosignatures", {})
    s.do("zhao", c, "committee_review", {"decision": "presidium", "review_opinion": "委员意见分歧，提交主席团。"})
    _, c = s.submit("feng", "school", ["wang", "li", "zheng"])
    s.do("zhao", c, "collect_cosignatures", {})
    s.do("zhao", c, "committee_review", {"decision": "consult", "consult_groups": ["specialist:welfare"],
                               "consult_due": (utcnow() + timedelta(days=14)).date().isoformat(),
                               "review_opinion": "请福利保障专门委员会论证。"})
    _, c = s.submit("wang", "school", ["li", "zheng", "feng"])
    s.register(c)
    s.reply(c)  # waiting for wang's rating
    for rating, grade in (("satisfied", None), ("basic", "A"), ("unsatisfied", None)):
        _, c = s.submit("li", "school", ["wang", "zheng", "feng"])
        s.register(c)
        s.reply(c)
        s.do("li", c, "proposer_rating", {"rating": rating, **({"rating_comment": "答复未解决实际问题。"} if rating ==
                                                    "unsatisfied" else {})})
        if grade:
            s.do("chen", c, "grade_implementation", {"grade": grade, "grade_note": "已全部落实。"})
            s.do("zhao", c, "close_proposal", {})
    _, c = s.submit("zheng", "school", ["wang"])
    cp.withdraw_proposal(s.rt, a["zheng"], _pid(s, c), "问题已通过其他渠道解决。")
    _, c = s.submit("zheng", "school", ["wang", "li", "feng"])
    s.register(c)
    s.do("chen", c, "draft_reply", REPLY)  # the leader he signs the reply off
    _, c = s.submit("feng", "school", ["wang", "li", "zheng"])
    s.register(c, accept=False)
    return_task(s.rt, a["chen"], _task(s.rt, c, "confirm_assignment"), "assign",
                "食堂和校园设施属于后勤保障处职责，请改交后勤保障处主办。")  # 退回: zhao sees why
    cc_task(s.rt, a["zhao"], _task(s.rt, c, "assign"), ["liu"], "请后勤保障处提前了解。")
    s.submit("ma", "cs", ["niu"])  # the department congress: co-signing open
    _, c = s.submit("niu", "cs", ["ma", "gao"])
    s.do("ding", c, "collect_cosignatures", {})
    s.do("ding", c, "committee_review", {"decision": "register", "review_opinion": "同意立案。"})
    yield ("proposals in every state: draft, co-signing, review outcomes, assigned, returned, replied, signed off, "
           "rated, closed")


def _pid(s: Seeder, case_id: int) -> int:
    from .models import Proposal

    with s.rt.reading() as session:
        return session.scalar(sa.select(Proposal.id).where(Proposal.case_id == case_id))
