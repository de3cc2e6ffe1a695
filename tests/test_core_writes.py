"""A command writes its case and task rows with Core (engine.writes): the rows are those the unit of work wrote,
the session has nothing left to flush, and a row someone else changed in the meantime is a conflict."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from conftest import deploy_file

from engine.definitions.bundle import Bundle
from engine.errors import Conflict
from engine.instances import start_case
from engine.models import Case, Task, TaskCandidate
from engine.runtime import Runtime
from engine.tasks import complete_task
from engine.writes import STALE, fresh, insert_tasks, update_row

TWO_STEPS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
<bpmn:process id="two_steps" isExecutable="true">
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="ask"/>
<bpmn:userTask id="ask" name="Ask"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="candidateGroups" value="committee"/></spiffworkflow:properties>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="answer"/>
<bpmn:userTask id="answer" name="Answer"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="candidateGroups" value="presidium"/>
<spiffworkflow:property name="candidateUsers" value="zhao"/></spiffworkflow:properties>
</bpmn:extensionElements></bpmn:userTask>
<bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process></bpmn:definitions>"""


@contextmanager
def flushes() -> Iterator[list[int]]:
    """Count the flushes that had something to write while the block runs."""
    seen: list[int] = []

    def count(session: so.Session, *_: object) -> None:
        seen.append(len(session.new) + len(session.dirty))

    sa.event.listen(so.Session, "before_flush", count)
    try:
        yield seen
    finally:
        sa.event.remove(so.Session, "before_flush", count)


def _rows(rt: Runtime, case_id: int) -> tuple[Case, list[Task], list[tuple[str, str, str]]]:
    with rt.reading() as session:
        case = session.get(Case, case_id)
        tasks = list(session.scalars(sa.select(Task).where(Task.case_id == case_id).order_by(Task.created_at)))
        candidates = session.execute(sa.select(TaskCandidate.task_id, TaskCandidate.kind, TaskCandidate.principal)
                                     .join(Task).where(Task.case_id == case_id)).all()
        return case, tasks, sorted(tuple(c) for c in candidates)


def test_start_and_complete_write_their_rows_without_the_unit_of_work(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TWO_STEPS.encode(), filename="two_steps.bpmn"))
    with flushes() as seen:
        started = start_case(rt, people["zhao"], "two_steps", {"title": "Two steps"})
    assert seen == []
    case, tasks, candidates = _rows(rt, started.id)
    assert (case.revision, case.title, case.status, case.data["initiator"]) == (2, "Two steps", "running", "zhao")
    (ask,) = tasks
    assert (ask.name, ask.state, ask.version, ask.candidate_groups, ask.data) == ("ask", "open", 1, ["committee"], None)
    assert candidates == [(ask.id, "group", "committee")]

    with flushes() as seen:
        done = complete_task(rt, people["zhao"], ask.id, {"answer": 42})
    assert seen == []
    assert done.revision == 3
    case, (ask, answer), candidates = _rows(rt, started.id)
    assert (case.revision, case.data["answer"]) == (3, 42)
    assert (ask.state, ask.version, ask.completed_by, ask.assignee, ask.data) == ("completed", 2, "zhao", "zhao",
                                                                                  {"answer": 42})
    assert (answer.state, answer.version, answer.candidate_users) == ("open", 1, ["zhao"])
    assert candidates == sorted([(ask.id, "group", "committee"), (answer.id, "group", "presidium"),
                                 (answer.id, "user", "zhao")])

    done = complete_task(rt, people["zhao"], answer.id, {})
    case, _, _ = _rows(rt, started.id)
    assert (done.revision, case.revision, case.status, case.ended_at is not None) == (4, 4, "completed", True)


def test_a_case_row_changed_in_the_meantime_is_a_conflict(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TWO_STEPS.encode(), filename="two_steps.bpmn"))
    started = start_case(rt, people["zhao"], "two_steps", {})
    table = Case.__table__
    with pytest.raises(Conflict) as refused, rt.transaction() as session:
        case = session.get(Case, started.id)
        with rt.db.begin() as other:  # someone else's command commits first
            other.execute(sa.update(table).where(table.c.id == case.id).values(revision=table.c.revision + 1))
        case.title = "mine"
        update_row(session, case)
    assert refused.value.message == STALE
    case, _, _ = _rows(rt, started.id)
    assert (case.revision, case.title) == (3, None)


def test_a_completion_on_another_worker_reads_the_stored_workflow(rt: Runtime, people: dict) -> None:
    """The completion's lookup reads the task, its case and its open rows with Core and leaves the stored workflow
    out; a worker whose hot cache lacks the case loads it when the command first reads it."""
    deploy_file(rt, Bundle(bpmn=TWO_STEPS.encode(), filename="two_steps.bpmn"))
    started = start_case(rt, people["zhao"], "two_steps", {"title": "Cold"})
    (ask,) = _rows(rt, started.id)[1]
    rt.workflows.clear()
    done = complete_task(rt, people["zhao"], ask.id, {"answer": 7})
    case, (ask, answer), _ = _rows(rt, started.id)
    assert (done.revision, case.revision, case.data["answer"], case.title) == (3, 3, 7, "Cold")
    assert (ask.state, answer.state, [t.name for t in done.open_task_rows]) == ("completed", "open", ["answer"])
    with pytest.raises(Conflict):
        complete_task(rt, people["zhao"], ask.id, {"answer": 8})


@pytest.mark.parametrize("core", [True, False], ids=["core", "unit_of_work"])
def test_a_savepoint_rolled_back_undoes_the_rows_it_wrote(rt: Runtime, people: dict, core: bool) -> None:
    """Rows written with Core inside a SAVEPOINT that rolls back are undone in the session as the flush's are: the
    changed case is read again (its old revision), the inserted task leaves the session; the command goes on."""
    deploy_file(rt, Bundle(bpmn=TWO_STEPS.encode(), filename="two_steps.bpmn"))
    started = start_case(rt, people["zhao"], "two_steps", {})
    (ask,) = _rows(rt, started.id)[1]
    with rt.transaction() as session:
        case = session.get(Case, started.id)
        with pytest.raises(RuntimeError), session.begin_nested():
            case.title = "inside"
            ghost = fresh(Task, id="ghost", case_id=case.id, process_key="two_steps", name="n", title="t",
                          state="open", created_at=ask.created_at)
            so.attributes.set_committed_value(ghost, "candidates", [])
            if core:
                update_row(session, case)
                insert_tasks(session, [ghost])
            else:
                session.add(ghost)
                session.flush()
            raise RuntimeError("the step failed")
        assert (case.revision, case.title) == (2, None)
        assert session.get(Task, "ghost") is None
        case.title = "after"  # the command goes on: its own write is not a conflict
    case, tasks, _ = _rows(rt, started.id)
    assert (case.revision, case.title, [t.id for t in tasks]) == (3, "after", [ask.id])


def test_a_column_the_query_deferred_is_still_read_after_a_core_write(rt: Runtime, people: dict) -> None:
    deploy_file(rt, Bundle(bpmn=TWO_STEPS.encode(), filename="two_steps.bpmn"))
    started = start_case(rt, people["zhao"], "two_steps", {})
    with rt.transaction() as session:
        case = session.scalars(sa.select(Case).where(Case.id == started.id).options(so.defer(Case.workflow))).one()
        case.title = "renamed"
        update_row(session, case)
        assert case.workflow is not None and "two_steps" in case.workflow  # read now, not taken as None
    case, _, _ = _rows(rt, started.id)
    assert (case.revision, case.title) == (3, "renamed")
