"""Demo data: groups, users (password ``demo``), every process under ``processes/``; each feature's demo
module (congress, disputes, SLA, inbox) then adds sample cases in every state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from .access import Actor
from .definitions.bundle import bundles_in
from .deploy import deploy
from .errors import DocketError
from .models import Group
from .notifications import keep_newest_unread
from .runtime import Runtime
from .users import create_group, create_user, find_user

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
UNREAD_AT_START = 5

def ensure_people(rt: Runtime, groups: list[tuple[str, str]] = GROUPS,
                  users: list[tuple[str, str, list[str]]] = USERS) -> list[str]:
    """Create the groups and the users (password ``demo``) that are missing; one line per user created."""
    out = []
    with rt.transaction() as session:
        existing = set(session.scalars(sa.select(Group.key)))
        for key, name in groups:
            if key not in existing:
                create_group(session, key, name)
        for username, name, member_of in users:
            if find_user(session, username) is None:
                create_user(session, username, PASSWORD, name, member_of)
                out.append(f"user {username} ({', '.join(member_of) or 'staff'})")
    return out


def seed(rt: Runtime, processes: Path) -> Iterator[str]:
    """Create what is missing; safe to run on every demo start."""
    yield from ensure_people(rt)
    admin = Actor("admin", frozenset({"admin"}))
    for bundle in bundles_in(processes):
        try:
            with rt.transaction() as session:
                done = deploy(session, admin, bundle)
                state = "deployed" if done.created else "unchanged"
                yield f"{done.definition.key} v{done.definition.version} {state}"
        except DocketError as exc:
            yield f"{bundle.filename}: NOT deployed: {exc.message} {exc.details}"
    from .congress import demo as congress_demo
    from .disputes import demo as disputes_demo
    from .inbox import demo as inbox_demo
    from .sla import demo as sla_demo

    for feature in (congress_demo, disputes_demo, sla_demo, inbox_demo):
        yield from feature.seed(rt)
    with rt.transaction() as session:
        marked = keep_newest_unread(session, UNREAD_AT_START)
    yield f"notifications: the newest {UNREAD_AT_START} per user left unread ({marked} older ones marked read)"
