"""Engine behaviour: script errors keep earlier state and can be retried; timers wake cases; cancel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import deploy_file

from engine.clock import clock
from engine.definitions.bundle import Bundle
from engine.errors import Conflict, Forbidden
from engine.instances import cancel_case, due_cases, retry_case, start_case, wake_case
from engine.models import Case, Task
from engine.runtime import Runtime
from engine.tasks import complete_task

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">')
SCRIPTED = HEAD + """<bpmn:process id="scripted" isExecutable="true">
<bpmn:laneSet><bpmn:lane id="L" name="committee"><bpmn:flowNodeRef>ask</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ask"/>
<bpmn:userTask id="ask" name="Ask"/><bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="calc"/>
<bpmn:scriptTask id="calc" name="Calculate"><bpmn:script>ratio = 100 / divisor
label = "ok"</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f3" sourceRef="calc" targetRef="after"/>
<bpmn:userTask id="after" name="After"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="candidateGroups" value="committee"/></spiffworkflow:properties>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process></bpmn:definitions>"""
TIMED = HEAD + """<bpmn:process id="timed" isExecutable="true">
<bpmn:laneSet><bpmn:lane id="L" name="committee"><bpmn:flowNodeRef>review</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
<bpmn:userTask id="review" name="Review"/>
<bpmn:boundaryEvent id="late" attachedToRef="review" cancelActivity="true"><bpmn:timerEventDefinition>
<bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/><bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="escalate"/>
<bpmn:userTask id="escalate" name="Escalated review"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="candidateGroups" value="presidium"/></spiffworkflow:properties>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="e2"/><bpmn:endEvent id="e2"/>
</bpmn:process></bpmn:definitions>"""


def _open(rt: Runtime, case_id: int) -> list[Task]:
    with rt.reading() as s:
        return list(s.scalars(sa.select(Task).where(Task.case_id == case_id, Task.state.in_(("open", "claimed")))))


def test_script_error_marks_case_and_retry_recovers(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=SCRIPTED.encode(), filename="scripted.bpmn"))
    case = start_case(rt, people["zhao"], "scripted", {"divisor": 0})
    ask = _open(rt, case.id)[0]
    failed = complete_task(rt, people["zhao"], ask.id, {"note": "kept"})
    assert failed.status == "error"
    assert "division by zero" in failed.error_message and "calc" in failed.error_message
    assert _open(rt, case.id) == []  # no task runs past the failed step
    with rt.reading() as s:
        assert s.get(Case, case.id).data["note"] == "kept"  # the user's completion is kept
    with pytest.raises(Forbidden):
        retry_case(rt, people["zhao"], case.id)
    still = retry_case(rt, people["admin"], case.id)  # same data: fails again, stays in error
    assert still.status == "error"
    fixed = retry_case(rt, people["admin"], case.id, {"divisor": 4})  # with the data corrected
    assert fixed.status == "running" and fixed.error_message is None
    assert [t.name for t in _open(rt, case.id)] == ["after"]
    with rt.reading() as s:
        assert s.get(Case, case.id).data["ratio"] == 25


def test_timer_sets_wake_at_and_fires_once(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TIMED.encode(), filename="timed.bpmn"))
    case = start_case(rt, people["zhao"], "timed", {})
    assert case.wake_at is not None
    assert timedelta(days=13, hours=23) < case.wake_at - case.started_at <= timedelta(days=14, minutes=1)
    assert due_cases(rt) == []
    clock.advance(timedelta(days=15))
    assert due_cases(rt) == [case.id]
    woken = wake_case(rt, case.id)
    assert woken.wake_at is None
    tasks = _open(rt, case.id)
    assert [t.name for t in tasks] == ["escalate"] and tasks[0].candidate_groups == ["presidium"]
    again = wake_case(rt, case.id)  # nothing more to fire
    assert again.revision == woken.revision
    with rt.reading() as s:
        review = s.scalar(sa.select(Task).where(Task.case_id == case.id, Task.name == "review"))
    assert review.state == "cancelled"


def test_cancel_case(rt: Runtime, people: dict, review_process: object) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {})
    with pytest.raises(Forbidden):
        cancel_case(rt, people["wang"], case.id, "no")
    done = cancel_case(rt, people["sun"], case.id, "重复提交")
    assert done.status == "cancelled"
    assert _open(rt, case.id) == []
    with pytest.raises(Conflict):
        cancel_case(rt, people["sun"], case.id, "again")


def test_definition_is_pinned_per_case(rt: Runtime, people: dict, review_process: object) -> None:
    case = start_case(rt, people["wang"], "proposal_review", {})
    path = Path(__file__).resolve().parent / "bpmn" / "review" / "review.bpmn"
    changed = path.read_text(encoding="utf-8").replace('name="填写提案"', 'name="填写并提交提案"')
    from engine.definitions.bundle import bundle_from_file

    bundle = bundle_from_file(path)
    bundle.bpmn = changed.encode()
    v2 = deploy_file(rt, bundle)
    assert v2.version == 2
    with rt.reading() as s:
        assert s.get(Case, case.id).definition.version == 1
    assert _open(rt, case.id)[0].title == "填写提案"
    newer = start_case(rt, people["wang"], "proposal_review", {})
    assert _open(rt, newer.id)[0].title == "填写并提交提案"


def test_scheduler_catches_up_once_with_two_runtimes(rt: Runtime, database_url: str, people: dict) -> None:
    from engine.scheduler import wake_due

    deploy_file(rt, Bundle(bpmn=TIMED.encode(), filename="timed.bpmn"))
    cases = [start_case(rt, people["zhao"], "timed", {}) for _ in range(3)]
    assert wake_due(rt) == 0
    clock.advance(timedelta(days=20))  # the scheduler was down past every due date
    second = Runtime(database_url)
    assert wake_due(rt) + wake_due(second) == 3
    assert wake_due(second) == 0
    second.dispose()
    for case in cases:
        assert [t.name for t in _open(rt, case.id)] == ["escalate"]
