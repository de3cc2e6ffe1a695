"""Demo data: groups, users (password ``demo``), every process under ``processes/``; each feature's demo
module (congress, disputes, SLA, inbox) then adds sample cases in every state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .access import Actor
from .definitions.bundle import bundles_in
from .demo_people import PASSWORD, ensure_people
from .deploy import deploy
from .errors import DocketError
from .process_demo import ensure_reference, seed_cases
from .runtime import Runtime

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
__all__ = ["GROUPS", "PASSWORD", "USERS", "ensure_people", "seed"]


def seed(rt: Runtime, processes: Path) -> Iterator[str]:
    """Create what is missing; safe to run on every demo start."""
    yield from ensure_people(rt, GROUPS, USERS)
    yield from ensure_reference(rt, processes)  # the groups and people the process folders' demo files name
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
    yield from seed_cases(rt, processes)
