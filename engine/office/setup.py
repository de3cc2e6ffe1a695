"""A new, empty instance for a union office: the administrator and the groups the shipped processes name;
units, congresses, delegates and staff are then entered in the administration pages (see the README's first-day
guide)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from engine.access import Actor
from engine.definitions.bundle import bundles_in
from engine.deploy import deploy
from engine.errors import DocketError
from engine.models import Group, User
from engine.runtime import Runtime
from engine.users import create_group, create_user

OFFICE_GROUPS = [("admin", "系统管理员"), ("designer", "流程设计"), ("supervisor", "督办（工会办公室）"),
                 ("delegate", "教代会代表"), ("committee", "提案工作委员会"), ("presidium", "主席团"),
                 ("leader", "分管校领导"), ("mediation", "劳动人事争议调解委员会"), ("dept-union", "二级单位分工会"),
                 ("appeals", "申诉处理委员会")]


def create_office(rt: Runtime, admin: str, password: str, processes: Path | None = None) -> Iterator[str]:
    """Create the groups, the administrator (in admin, designer and supervisor) and deploy the processes under
    ``processes``; refuses an instance that already has users. One line per thing done."""
    with rt.transaction() as session:
        if session.scalar(sa.select(sa.func.count(User.id))):
            raise DocketError("this database already has users: `docket init --office` only sets up an empty one")
        existing = set(session.scalars(sa.select(Group.key)))
        for key, name in OFFICE_GROUPS:
            if key not in existing:
                create_group(session, key, name)
        create_user(session, admin, password, "管理员", ["admin", "designer", "supervisor"])
    yield f"administrator {admin} created (groups admin, designer, supervisor)"
    if processes is None or not processes.is_dir():
        return
    actor = Actor(admin, frozenset({"admin"}))
    for bundle in bundles_in(processes):
        try:
            with rt.transaction() as session:
                done = deploy(session, actor, bundle)
                yield f"{done.definition.key} v{done.definition.version} deployed"
        except DocketError as exc:
            yield f"{bundle.filename}: NOT deployed: {exc.message}"
