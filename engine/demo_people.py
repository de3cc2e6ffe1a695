"""The demo's people: groups and users (password ``demo``), created when missing; feature demos add theirs.

Each person works in a unit (``UNITS``), entered as the office enters staff (``engine.office.staff.add_user``),
once the demo's units exist (``engine.office.demo``)."""

from __future__ import annotations

import sqlalchemy as sa

from .access import SYSTEM
from .models import Group
from .office.models import Unit
from .office.staff import add_user
from .runtime import Runtime
from .users import create_group, find_user

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
UNITS = {  # where each demo person works (the people of every feature's and process folder's demo); unit keys
    "admin": "it", "zhou": "it", "wang": "math", "li": "physics", "zhao": "union", "chen": "hr", "liu": "logistics",
    "sun": "union", "wu": "union", "zheng": "chemistry", "feng": "math", "lu": "cs", "ding": "cs", "ma": "cs",
    "niu": "cs", "gao": "cs", "tang": "union", "song": "hr", "han": "academic", "xu": "physics", "yang": "math",
    "lin": "union", "zhang": "physics", "qin": "chemistry", "guo": "union", "luo": "union", "cao": "logistics",
    "peng": "academic",
}

def ensure_people(rt: Runtime, groups: list[tuple[str, str]] = GROUPS,
                  users: list[tuple[str, str, list[str]]] = USERS) -> list[str]:
    """Create the groups and the users (password ``demo``, in their unit of ``UNITS`` where it exists) that are
    missing; one line per user created."""
    out = []
    with rt.transaction() as session:
        existing = set(session.scalars(sa.select(Group.key)))
        units = set(session.scalars(sa.select(Unit.key)))
        for key, name in groups:
            if key not in existing:
                create_group(session, key, name)
        for username, name, member_of in users:
            if find_user(session, username) is None:
                unit = UNITS.get(username)
                add_user(session, SYSTEM, username, PASSWORD, name, member_of, unit=unit if unit in units else None)
                out.append(f"user {username} ({', '.join(member_of) or 'staff'})")
    return out
