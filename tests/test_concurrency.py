"""Twenty threads completing one task: exactly one wins, the others get a conflict, nothing half-written."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from engine.errors import Conflict
from engine.instances import start_case
from engine.models import Case, Event, Task
from engine.runtime import Runtime
from engine.tasks import complete_task

REGISTER = {"title": "关于食堂延长供餐时间的建议", "category": "campus", "cause": "供餐时间短",
            "proposal": "建议晚餐供应延长至19点30分。"}


def _open(rt: Runtime, case_id: int, name: str) -> str:
    with rt.reading() as s:
        return s.scalar(sa.select(Task.id).where(Task.case_id == case_id, Task.name == name,
                                                 Task.state.in_(("open", "claimed"))))


def test_twenty_threads_complete_one_task(rt: Runtime, database_url: str, people: dict, review_process: Any) -> None:
    zhao = people["zhao"]
    case = start_case(rt, people["wang"], "proposal_review", {})
    registered = complete_task(rt, people["wang"], _open(rt, case.id, "register_proposal"), REGISTER)
    review = _open(rt, case.id, "committee_review")
    other = Runtime(database_url)  # a second "worker" with its own caches
    barrier = threading.Barrier(20)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        runtime = rt if i % 2 else other
        barrier.wait()
        try:
            complete_task(runtime, zhao, review, {"decision": "accept", "lead_department": "hr",
                                                  "review_opinion": f"第{i}号意见"})
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # anything else is a failure of the test
            outcome = f"error: {type(exc).__name__}: {exc}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert results.count("ok") == 1, results
    assert results.count("conflict") == 19, results

    with rt.reading() as s:
        case_row = s.get(Case, case.id)
        rows = s.scalars(sa.select(Task).where(Task.case_id == case.id).order_by(Task.created_at)).all()
        completions = s.scalar(sa.select(sa.func.count()).select_from(Event).where(
            Event.case_id == case.id, Event.kind == "task_completed"))
    assert completions == 2  # register + exactly one review
    assert [(r.name, r.state) for r in rows] == [
        ("register_proposal", "completed"), ("committee_review", "completed"), ("dept_handle", "open")]
    assert case_row.revision == registered.revision + 1  # exactly one more write of the case
    # the projection matches the stored workflow: reload it cold and compare ready tasks
    fresh = Runtime(database_url)
    with fresh.reading() as s:
        case_row = s.get(Case, case.id)
        wf = fresh.store.loads(case_row.workflow, fresh.definition(s, case_row.definition_id))
    fresh.dispose()
    from SpiffWorkflow import TaskState

    ready = {str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    assert ready == {r.id for r in rows if r.state == "open"}


def test_stale_cache_is_never_used(rt: Runtime, database_url: str, people: dict, review_process: Any) -> None:
    """Worker B's cache holds revision 1; after worker A moves the case, B loads the new state."""
    case = start_case(rt, people["wang"], "proposal_review", {})
    b = Runtime(database_url)
    task = _open(rt, case.id, "register_proposal")
    with b.reading() as s:
        row = s.get(Case, case.id)
        b.peek(row, b.definition(s, row.definition_id))  # B caches revision 1
    complete_task(rt, people["wang"], task, REGISTER)  # A moves it to revision 2
    review = _open(b, case.id, "committee_review")
    result = complete_task(b, people["zhao"], review, {"decision": "reject", "review_opinion": "不予立案"})
    b.dispose()
    assert result.status == "completed"
