"""The demo: every process deployed with sample cases, a handful of unread notifications per person, the
approval conventions shown on real cases, and every demo user documented in the README."""

from __future__ import annotations

import re

import sqlalchemy as sa
from conftest import ROOT

from engine.access import Actor
from engine.demo import UNREAD_AT_START, seed
from engine.models import Event, Notification, Task, User
from engine.queries import task_query
from engine.runtime import Runtime


def test_demo_starts_everyone_with_a_handful_and_the_readme_names_them_all(rt: Runtime) -> None:
    lines = list(seed(rt, ROOT / "processes"))
    assert not [line for line in lines if "NOT deployed" in line]
    with rt.reading() as session:
        unread = dict(session.execute(sa.select(Notification.username, sa.func.count()).where(
            Notification.read_at.is_(None)).group_by(Notification.username)).all())
        assert unread and max(unread.values()) <= UNREAD_AT_START
        users = set(session.scalars(sa.select(User.username)))
        leader = session.execute(task_query(Actor("he", frozenset({"leader"})), "all")).all()
        assert [t.name for t, _ in leader] == ["sign_off"]  # the leader has a reply to sign off
        returned = session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.kind == "task_returned"))
        assert returned == 1
        back = session.scalar(sa.select(Task).where(Task.name == "assign", Task.assignee == "zhao",
                                                     Task.state == "claimed"))
        assert back is not None  # zhao has the step the department returned
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Demo users"):readme.index("## Commands")]
    documented = set(re.findall(r"`([a-z]+)`", section))
    assert users <= documented, sorted(users - documented)
