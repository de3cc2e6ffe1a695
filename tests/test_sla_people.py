"""Out-of-office deputies (tasks and reminders go to them, cycles refused) and the daily e-mail digest over SMTP."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from test_sla_common import SLA, deploy_xml, events, local, notes, open_tasks

from engine.clock import clock
from engine.errors import Forbidden, Invalid
from engine.instances import start_case
from engine.models import Notification, User
from engine.runtime import Runtime
from engine.sla.absence import clear_absence, set_absence
from engine.sla.digest import send_digests
from engine.sla.reminders import run_due
from engine.tasks import complete_task


def test_a_deputy_receives_a_task_assigned_during_the_absence(rt: Runtime, people: dict) -> None:
    deploy_xml(rt, SLA, "sla")
    clock.freeze(local(2026, 9, 28, 10, 0))
    set_absence(rt, people["wang"], "wang", "li", "2026-09-29", "2026-10-09", "年假")
    [absent] = events(rt, "absence_set")
    assert absent.actor == "wang" and absent.data["deputy"] == "li"
    case = start_case(rt, people["wang"], "sla_demo", {})
    complete_task(rt, people["zhao"], open_tasks(rt, case.id)[0].id, {})  # before wang's absence: rate -> wang
    assert open_tasks(rt, case.id)[0].assignee == "wang"

    clock.freeze(local(2026, 9, 30, 10, 0))  # wang is away now
    other = start_case(rt, people["wang"], "sla_demo", {})
    complete_task(rt, people["zhao"], open_tasks(rt, other.id)[0].id, {})
    [rate] = open_tasks(rt, other.id)
    assert rate.name == "rate" and rate.assignee == "li"
    assert [n.task_id for n in notes(rt, "li", "task_created")] == [rate.id]
    [moved] = events(rt, "task_deputized")
    assert moved.data == {"task": "rate", "title": "评价答复", "from": "wang", "to": "li"}
    complete_task(rt, people["li"], rate.id, {})  # the deputy may do it

    clock.freeze(local(2026, 10, 2, 10, 0))  # reminders of wang's own task go to li while wang is away
    run_due(rt)
    assert notes(rt, "li", "sla_overdue") and not notes(rt, "wang", "sla_overdue")


def test_cycles_and_bad_input_are_refused(rt: Runtime, people: dict) -> None:
    clock.freeze(local(2026, 9, 28, 10, 0))
    set_absence(rt, people["wang"], "wang", "li", "2026-10-01", "2026-10-07")
    set_absence(rt, people["li"], "li", "zhao", "2026-10-05", "2026-10-10")
    with pytest.raises(Invalid) as cycle:
        set_absence(rt, people["zhao"], "zhao", "wang", "2026-10-06", "2026-10-06")
    assert "zhao → wang → li → zhao" in cycle.value.details[0]["message"]
    set_absence(rt, people["zhao"], "zhao", "wang", "2026-10-11", "2026-10-12")  # no overlap: fine
    with pytest.raises(Invalid) as self_deputy:
        set_absence(rt, people["qian"], "qian", "qian", "2026-10-01", "2026-10-02")
    assert self_deputy.value.details[0]["field"] == "deputy"
    with pytest.raises(Invalid) as order:
        set_absence(rt, people["qian"], "qian", "zhao", "2026-10-05", "2026-10-01")
    assert order.value.details[0]["field"] == "ends_on"
    with pytest.raises(Invalid):
        set_absence(rt, people["qian"], "qian", "nobody", "2026-10-01", "2026-10-02")
    with pytest.raises(Forbidden):
        set_absence(rt, people["qian"], "zhao", "qian", "2026-10-01", "2026-10-02")
    assert clear_absence(rt, people["li"], "li") == 1
    set_absence(rt, people["zhao"], "zhao", "wang", "2026-10-06", "2026-10-06")  # the chain is broken now


def test_the_daily_digest_arrives_at_the_smtp_server_with_the_right_tasks(rt: Runtime, people: dict,
                                                                          smtp_server: Any) -> None:
    deploy_xml(rt, SLA, "sla")
    with rt.transaction() as s:
        for name in ("zhao", "qian"):
            s.scalar(sa.select(User).where(User.username == name)).email = f"{name}@example.edu.cn"
    clock.freeze(local(2026, 10, 13, 7, 0))
    first = start_case(rt, people["wang"], "sla_demo", {})
    second = start_case(rt, people["wang"], "sla_demo", {})
    assert send_digests(rt) == 0  # before 08:00: the day's digest waits
    clock.freeze(local(2026, 10, 13, 8, 5))
    assert send_digests(rt) == 2  # zhao and qian: one mail each, not one per task
    assert send_digests(rt) == 0
    by_to = {m["To"]: m for m in smtp_server.messages}
    assert set(by_to) == {"zhao@example.edu.cn", "qian@example.edu.cn"}
    body = by_to["zhao@example.edu.cn"].get_content()
    assert all(f"待您办理「承办答复」：{c.business_key}" in body for c in (first, second))
    assert "https://docket.example.edu.cn/tasks/" in body
    assert "2 条" in by_to["zhao@example.edu.cn"]["Subject"]
    clock.freeze(local(2026, 10, 14, 9, 30))  # the next day: only what is new since yesterday's mail
    third = start_case(rt, people["wang"], "sla_demo", {})
    assert send_digests(rt) == 2 and send_digests(rt) == 0
    later = [m for m in smtp_server.messages if m["To"] == "zhao@example.edu.cn"][-1].get_content()
    assert third.business_key in later and first.business_key not in later
    with rt.reading() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.username == "zhao", Notification.emailed_at.is_(None))) == 0
