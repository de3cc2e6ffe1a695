"""Demo reference data: the units the demo processes offer (departments, colleges, specialist committees) and
those the demo's people work in."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import SYSTEM, Actor
from engine.runtime import Runtime

from .models import Unit
from .units import create_unit

UNITS = [  # key, name, kind, group (None: dept:<key>)
    ("hr", "人事处", "department", None), ("logistics", "后勤保障处", "department", None),
    ("academic", "教务处", "department", None), ("finance", "财务处", "department", None),
    ("it", "信息化办公室", "department", None),
    ("cs", "计算机学院", "college", None), ("math", "数学科学学院", "college", None),
    ("welfare", "福利保障专门委员会", "committee", "specialist:welfare"),
    ("teaching", "教学科研专门委员会", "committee", "specialist:teaching"),
    ("young-staff", "青年教师专门委员会", "committee", "specialist:young-staff"),
    ("cadre-review", "民主评议领导干部专门委员会", "committee", "specialist:cadre-review"),
    ("assets", "国有资产监督管理专门委员会", "committee", "specialist:assets"),
    ("finance-oversight", "财务监督专门委员会", "committee", "specialist:finance"),
]
STAFF_UNITS = [  # where demo people work besides the units above (``engine.demo_people.UNITS``)
    ("physics", "物理系", "college", None), ("chemistry", "化学系", "college", None),
    ("union", "校工会", "department", None),
]


def ensure_units(session: so.Session, actor: Actor = SYSTEM, units: list[tuple[str, str, str, str | None]] = UNITS
                 ) -> list[str]:
    """Add the demo units that are missing (with their groups); the keys added."""
    existing = set(session.scalars(sa.select(Unit.key)))
    added = []
    for key, name, kind, group in units:
        if key not in existing:
            create_unit(session, actor, key, name, kind, group)
            added.append(key)
    return added


def seed(rt: Runtime) -> Iterator[str]:
    """Create what is missing (the units the forms offer and those the demo's people work in); one line when units
    were added."""
    with rt.transaction() as session:
        added = ensure_units(session, units=UNITS + STAFF_UNITS)
    if added:
        yield f"units: {len(added)} (departments, colleges, specialist committees)"
