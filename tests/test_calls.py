"""Call activities across files: the called process is deployed on its own and resolved by key when the call
starts (the latest version, or the version the call pins); a case keeps the version it called; Camunda's
``camunda:in``/``camunda:out`` decide what crosses the call; every executable process of a file is startable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import ADMIN

from engine.definitions.bundle import Bundle
from engine.deploy import deploy
from engine.instances import retry_case, start_case, task_values
from engine.queries import case_json, latest_definitions, visible_case
from engine.runtime import Runtime
from engine.tasks import complete_task

CALLS = Path(__file__).parent / "bpmn" / "calls"


def deploy_child(rt: Runtime, factor: int) -> int:
    xml = (CALLS / "child.bpmn").read_text(encoding="utf-8").replace("value * 2", f"value * {factor}")
    with rt.transaction() as session:
        return deploy(session, ADMIN, Bundle(bpmn=xml.encode(), filename="child.bpmn")).definition.version


def case(rt: Runtime, case_id: int) -> dict[str, Any]:
    with rt.reading() as session:
        return case_json(session, visible_case(session, ADMIN, case_id))


def confirm(rt: Runtime, case_id: int) -> dict[str, Any]:
    [task] = case(rt, case_id)["open_tasks"]
    assert task["name"] == "confirm"
    complete_task(rt, ADMIN, task["id"], {})
    return case(rt, case_id)


def test_the_called_process_is_looked_up_when_the_call_starts(rt: Runtime, people: dict) -> None:
    with rt.transaction() as session:
        done = deploy(session, ADMIN, Bundle(bpmn=(CALLS / "parent.bpmn").read_bytes(), filename="parent.bpmn"))
        assert [(d.definition.key, d.created) for d in done.all] == [("parent", True), ("pinned_parent", True)]
        assert {w.element for w in done.warnings} == {"call_child", "call_v1"}
        assert all("not in this file" in w.message for w in done.warnings)
    with rt.reading() as session:
        assert {"parent", "pinned_parent"} <= {d.key for d in latest_definitions(session)}

    first = start_case(rt, ADMIN, "parent", {"amount": 4, "secret": "kept in the parent"})
    failed = case(rt, first.id)
    assert failed["status"] == "error"
    assert "called process 'child' is not deployed" in failed["error"]

    assert deploy_child(rt, 2) == 1
    retry_case(rt, ADMIN, first.id)
    waiting = case(rt, first.id)
    assert waiting["status"] == "running" and [t["name"] for t in waiting["open_tasks"]] == ["confirm"]
    seen = task_values(rt, ADMIN, waiting["open_tasks"][0]["id"])
    assert seen["value"] == 4 and seen["next"] == 5  # camunda:in source and sourceExpression
    assert "secret" not in seen and "amount" not in seen  # only what camunda:in maps crosses the call

    assert deploy_child(rt, 3) == 2  # a new version while the case waits inside version 1
    done_case = confirm(rt, first.id)
    assert done_case["status"] == "completed"
    assert done_case["data"]["result"] == 8  # version 1 doubled: the case kept the version it called
    assert done_case["data"]["secret"] == "kept in the parent" and "scratch" not in done_case["data"]

    second = start_case(rt, ADMIN, "parent", {"amount": 4})
    assert confirm(rt, second.id)["data"]["result"] == 12  # a new call takes the latest version

    pinned = start_case(rt, ADMIN, "pinned_parent", {"value": 5})
    data = confirm(rt, pinned.id)["data"]
    assert data["doubled"] == 10  # pinned to version 1
    assert data["scratch"] == "only in the child"  # camunda:out variables="all"

