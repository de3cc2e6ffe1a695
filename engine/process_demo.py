"""Demo data a process folder brings along: ``processes/<name>/demo.json``, read by ``docket demo``.

A process made of BPMN, forms and templates also ships its demo as data, never as Python::

    {"groups": [["union-office", "工会办公室"]],
     "users": [["guo", "郭老师（工会办公室）", ["union-office", "staff"]]],
     "members": {"staff": ["wang", "li"]},
     "cases": [{"as": "li", "days_ago": 3, "data": {"title": "..."},
                "steps": [{"task": "apply", "as": "li", "days_ago": 3, "data": {"due": "@today+14"}},
                          {"task": "report", "as": "chen", "days_ago": 1, "wake": true, "data": {...}}]}]}

Groups, users (password ``demo``) and memberships are added when missing, before the processes are deployed
(their lanes name the groups). Cases are started only while the process has none, each step completes the open
task of that BPMN id which that user may do, ``days_ago`` runs a start or a step that many days in the past on
the engine clock, ``wake`` fires the timers due by then first, and ``"@today+14"`` (or ``-3``) in the data is
that day's date, so samples stay current. Due timers are fired at the end, so a sample can stand mid-way
through a cycle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .access import Actor, may_act_on
from .clock import clock, utcnow
from .demo_people import ensure_people
from .errors import DocketError
from .instances import start_case, wake_case
from .models import Case, Group, Task, task_is_open
from .runtime import Runtime
from .tasks import complete_task
from .users import actor_for, find_user
from .workdays import LOCAL

FILE = "demo.json"
RELATIVE_DAY = re.compile(r"^@today([+-]\d+)?$")


def _dated(value: Any) -> Any:
    """``value`` with every ``@today+N`` text replaced by that date on the engine clock (ISO)."""
    if isinstance(value, dict):
        return {k: _dated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    match = RELATIVE_DAY.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    return (utcnow().astimezone(LOCAL).date() + timedelta(days=int(match.group(1) or 0))).isoformat()


def demo_files(processes: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``demo.json`` under ``processes`` with its content (a broken file is reported when seeding)."""
    found = []
    for path in sorted(processes.rglob(FILE)):
        if "tests" in path.parts:
            continue
        found.append((path, json.loads(path.read_text(encoding="utf-8"))))
    return found


def ensure_reference(rt: Runtime, processes: Path) -> Iterator[str]:
    """The groups, users and memberships the demo files name, where missing; one line per thing added."""
    for path, demo in demo_files(processes):
        groups = [tuple(g) for g in demo.get("groups", [])]
        users = [(u[0], u[1], list(u[2])) for u in demo.get("users", [])]
        yield from ensure_people(rt, groups, users)
        yield from _memberships(rt, demo.get("members", {}), path)


def _memberships(rt: Runtime, members: dict[str, list[str]], path: Path) -> Iterator[str]:
    with rt.transaction() as session:
        for key, usernames in members.items():
            group = session.scalars(sa.select(Group).where(Group.key == key)).first()
            if group is None:
                yield f"{path}: group {key} does not exist; members not added"
                continue
            for username in usernames:
                user = find_user(session, username)
                if user is not None and group not in user.groups:
                    user.groups.append(group)
                    yield f"{username} joins {key}"


def _in_the_past(days: int) -> Any:
    class Back:
        def __enter__(self) -> None:
            clock.advance(timedelta(days=-days))

        def __exit__(self, *exc: Any) -> None:
            clock.advance(timedelta(days=days))

    return Back()


def _actor(rt: Runtime, username: str) -> Actor:
    with rt.reading() as session:
        user = find_user(session, username)
        if user is None:
            raise ValueError(f"demo user {username} does not exist")
        return actor_for(user)


def _open_task(rt: Runtime, case_id: int, name: str, actor: Actor) -> Task:
    with rt.reading() as session:
        rows = session.scalars(sa.select(Task).where(Task.case_id == case_id, Task.name == name, task_is_open())
                               .order_by(Task.created_at)).all()
    for row in rows:
        if may_act_on(actor, row):
            return row
    raise ValueError(f"case {case_id} has no open task {name} that {actor.username} may do")


def _run_case(rt: Runtime, process: str, sample: dict[str, Any]) -> Case:
    starter = _actor(rt, sample["as"])
    with _in_the_past(int(sample.get("days_ago", 0))):
        case = start_case(rt, starter, process, _dated(sample.get("data", {})))
    for step in sample.get("steps", []):
        actor = _actor(rt, step["as"])
        with _in_the_past(int(step.get("days_ago", 0))):
            if step.get("wake"):
                wake_case(rt, case.id)
            task = _open_task(rt, case.id, step["task"], actor)
            case = complete_task(rt, actor, task.id, _dated(step.get("data", {})))
    return wake_case(rt, case.id)


def seed_cases(rt: Runtime, processes: Path) -> Iterator[str]:
    """The sample cases of every demo file whose process is deployed and has no case yet."""
    for path, demo in demo_files(processes):
        yield from _memberships(rt, demo.get("members", {}), path)  # people the other demos have added since
        samples = demo.get("cases", [])
        process = demo.get("process") or path.parent.name
        with rt.reading() as session:
            if not samples or session.scalar(sa.select(sa.func.count()).select_from(Case)
                                             .where(Case.process_key == process)):
                continue
        for sample in samples:
            try:
                case = _run_case(rt, process, sample)
            except (DocketError, ValueError, KeyError) as exc:
                yield f"{path}: sample case not created: {exc}"
                continue
            yield f"{case.business_key} {case.title or ''}: {sample.get('note', case.status)}"
