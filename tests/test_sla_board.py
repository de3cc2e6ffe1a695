"""The supervisors' on-time rate: an open task already past its due date counts as late."""

from __future__ import annotations

from typing import Any

from test_sla_common import SLA, deploy_xml, local, open_tasks

from engine.clock import clock
from engine.instances import start_case
from engine.runtime import Runtime
from engine.sla.board import on_time_by_group, summary
from engine.tasks import complete_task


def test_open_overdue_tasks_count_as_late(rt: Runtime, people: dict[str, Any]) -> None:
    deploy_xml(rt, SLA, "sla_demo")
    clock.freeze(local(2026, 9, 1, 10, 0))
    on_time = start_case(rt, people["wang"], "sla_demo", {"title": "按时"})
    late = start_case(rt, people["li"], "sla_demo", {"title": "逾期"})
    clock.freeze(local(2026, 9, 3, 10, 0))
    complete_task(rt, people["zhao"], open_tasks(rt, on_time.id)[0].id, {})
    clock.freeze(local(2026, 10, 20, 10, 0))  # the second case's 10 working days are long gone
    with rt.reading() as session:
        rates = {r["group"]: r for r in on_time_by_group(session, clock.now())}
        counts = summary(session, people["admin"], clock.now())
    committee = rates["committee"]
    assert (committee["completed"], committee["on_time"], committee["open_overdue"]) == (1, 1, 1)
    assert committee["rate"] == 0.5
    assert {"group": "committee", "open": 1, "due_soon": 0, "overdue": 1} in counts["by_group"]
    assert late.id != on_time.id
