"""Demo data: groups, users (password ``demo``), every process under ``processes/``, sample cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from .access import Actor
from .definitions.bundle import bundles_in
from .deploy import deploy
from .errors import DocketError
from .instances import start_case
from .models import Case, Group
from .runtime import Runtime
from .tasks import complete_task
from .users import actor_for, create_group, create_user, find_user

GROUPS = [
    ("admin", "系统管理员"), ("designer", "流程设计"), ("supervisor", "督办（工会办公室）"),
    ("delegate", "教代会代表"), ("committee", "提案工作委员会"), ("presidium", "主席团"),
    ("dept:hr", "人事处"), ("dept:logistics", "后勤保障处"), ("dept:academic", "教务处"),
    ("mediation", "劳动人事争议调解委员会"), ("dept-union", "二级单位分工会"), ("appeals", "申诉处理委员会"),
]
USERS = [
    ("admin", "管理员", ["admin", "designer", "supervisor"]),
    ("wang", "王老师（代表）", ["delegate"]),
    ("li", "李老师（代表）", ["delegate"]),
    ("zhao", "赵主任（提案委）", ["committee", "delegate"]),
    ("chen", "陈处长（人事处）", ["dept:hr"]),
    ("liu", "刘科长（后勤处）", ["dept:logistics"]),
    ("sun", "孙主席（督办）", ["supervisor", "presidium"]),
    ("zhou", "周工（流程设计）", ["designer"]),
    ("wu", "吴老师（调解委员）", ["mediation", "dept-union", "appeals"]),
]
PASSWORD = "demo"

SAMPLES = [
    {"title": "关于延长图书馆开放时间的建议", "category": "campus",
     "cause": "图书馆晚间闭馆过早，教职工难以利用", "proposal": "建议工作日开放至22点，考试周延长至24点。"},
    {"title": "关于完善青年教师住房补贴的建议", "category": "welfare",
     "cause": "青年教师住房压力大", "proposal": "建议提高住房补贴标准并简化申请流程，按年度公示发放情况。"},
    {"title": "关于优化教学评价方式的建议", "category": "teaching",
     "cause": "现行评价以学生打分为主", "proposal": "建议引入同行评议与教学档案袋，综合评价教学质量。"},
]


def _ensure_people(rt: Runtime) -> list[str]:
    out = []
    with rt.transaction() as session:
        existing = set(session.scalars(sa.select(Group.key)))
        for key, name in GROUPS:
            if key not in existing:
                create_group(session, key, name)
        for username, name, groups in USERS:
            if find_user(session, username) is None:
                create_user(session, username, PASSWORD, name, groups)
                out.append(f"user {username} ({', '.join(groups)})")
    return out


def _actor(rt: Runtime, username: str) -> Actor:
    with rt.reading() as session:
        return actor_for(find_user(session, username))


def _samples(rt: Runtime) -> Iterator[str]:
    with rt.reading() as session:
        if session.scalar(sa.select(sa.func.count(Case.id))):
            return
    wang, zhao, chen, li = (_actor(rt, u) for u in ("wang", "zhao", "chen", "li"))

    def open_task(case: Case, name: str) -> str:
        with rt.reading() as session:
            from .models import Task

            return session.scalar(sa.select(Task.id).where(Task.case_id == case.id, Task.name == name,
                                                           Task.state.in_(("open", "claimed"))))

    # 1: waiting for the proposer to fill in the proposal
    c1 = start_case(rt, li, "proposals", {"title": "关于增设教职工子女暑期托管班的建议"})
    yield f"case {c1.business_key}: registering"
    # 2: registered, waiting for committee review
    c2 = start_case(rt, wang, "proposals", {"title": SAMPLES[0]["title"]})
    complete_task(rt, wang, open_task(c2, "register_proposal"), SAMPLES[0])
    yield f"case {c2.business_key}: committee review"
    # 3: accepted, at the department
    c3 = start_case(rt, wang, "proposals", {"title": SAMPLES[1]["title"]})
    complete_task(rt, wang, open_task(c3, "register_proposal"), SAMPLES[1])
    complete_task(rt, zhao, open_task(c3, "committee_review"),
                  {"decision": "accept", "lead_department": "hr", "review_opinion": "符合立案条件，交人事处办理。"})
    yield f"case {c3.business_key}: department reply"
    # 4: closed
    c4 = start_case(rt, li, "proposals", {"title": SAMPLES[2]["title"]})
    complete_task(rt, li, open_task(c4, "register_proposal"), SAMPLES[2])
    complete_task(rt, zhao, open_task(c4, "committee_review"),
                  {"decision": "accept", "lead_department": "hr", "review_opinion": "同意立案。"})
    complete_task(rt, chen, open_task(c4, "dept_handle"),
                  {"reply_type": "planned", "reply": "已列入下一学年教学评价改革方案，秋季学期试点。",
                   "completion_date": "2027-09-01"})
    complete_task(rt, li, open_task(c4, "rate_reply"), {"rating": "satisfied", "rating_comment": "答复及时。"})
    yield f"case {c4.business_key}: closed"


def seed(rt: Runtime, processes: Path) -> Iterator[str]:
    """Create what is missing; safe to run on every demo start."""
    yield from _ensure_people(rt)
    admin = Actor("admin", frozenset({"admin"}))
    for bundle in bundles_in(processes):
        try:
            with rt.transaction() as session:
                done = deploy(session, admin, bundle)
                state = "deployed" if done.created else "unchanged"
                yield f"{done.definition.key} v{done.definition.version} {state}"
        except DocketError as exc:
            yield f"{bundle.filename}: NOT deployed: {exc.message} {exc.details}"
    try:
        yield from _samples(rt)
    except DocketError as exc:
        yield f"sample cases not created: {exc.message} {exc.details}"
    from .congress import demo as congress_demo
    from .disputes import demo as disputes_demo
    from .inbox import demo as inbox_demo
    from .sla import demo as sla_demo

    for feature in (congress_demo, disputes_demo, sla_demo, inbox_demo):
        yield from feature.seed(rt)
