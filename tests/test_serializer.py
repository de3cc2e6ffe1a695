"""The stored workflow: Docket writes what SpiffWorkflow's own converters write (without the spec), and reads it back.

``engine.serializer`` writes a task with its own, leaner converter; these tests drive real models from SpiffWorkflow's
test corpus (subprocesses, call activities, loops, multi-instance tasks, events, timers) step by step and compare
every save with SpiffWorkflow's converter, then load the text again and compare once more.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fidelity_support import SPIFF
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

from engine.definitions.parse import build
from engine.definitions.specs import serializer_config
from engine.serializer import WorkflowStore, _SpeclessWorkflowConverter, id_text

ENDLESS = {"call_activity_level_3.bpmn"}  # calls itself: its engine steps never wait
MODELS = sorted(p for p in (SPIFF / "bpmn").rglob("*.bpmn") if p.stat().st_size < 60_000 and p.name not in ENDLESS)


def spiff_text(workflow: BpmnWorkflow) -> str:
    """The workflow as SpiffWorkflow's own task and workflow converters write it (Docket's format, no spec)."""
    registry = BpmnWorkflowSerializer.configure(serializer_config())
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))  # as Docket
    converter = _SpeclessWorkflowConverter(BpmnWorkflow, registry)
    registry._encoder_mode = True
    dct = converter.to_dict(workflow)
    dct["format"] = "docket-1"
    return json.dumps(dct, cls=BpmnWorkflowSerializer(registry)._encoder_cls, separators=(",", ":"))


def drive(workflow: BpmnWorkflow, store: WorkflowStore, parsed, rounds: int = 6) -> int:
    """Run the workflow, completing its ready manual tasks with data of several types; compare at every save.
    Returns how many saves were compared."""
    compared = 0
    for step in range(rounds):
        try:
            workflow.do_engine_steps()
        except Exception:  # a model that needs data or a service we do not give: compare what it reached
            break
        text = store.dumps(workflow)
        assert text == spiff_text(workflow)
        assert store.dumps(store.loads(text, parsed)) == text
        compared += 1
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        for task in ready:
            task.set_data(step=step, when=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), day=date(2026, 1, 2),
                          span=timedelta(days=2), nested={"a": [1, 2.5, None, "文"]}, flag=step % 2 == 0, accepted=True)
            try:
                task.run()
            except Exception:
                return compared
    return compared


def test_every_save_is_what_spiffworkflow_writes() -> None:
    store = WorkflowStore()
    compared = models = 0
    for path in MODELS:
        try:
            parsed = build(path.read_bytes(), {}, {}, path.name)
        except Exception:  # a model split over several files, or one Docket refuses: not this test's matter
            continue
        if any(spec is None for spec in parsed.subprocess_specs.values()):
            continue
        workflow = BpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs))
        compared += drive(workflow, store, parsed)
        models += 1
    assert models >= 20, models
    assert compared > models, (compared, models)  # several states of many of them


@pytest.mark.parametrize("value", ["5f0c9a8e-1b2c-4d5e-8f90-123456789abc", "00000000-0000-0000-0000-000000000000"])
def test_id_text_is_the_uuid_text(value: str) -> None:
    from uuid import UUID

    assert id_text(UUID(value)) == value == str(UUID(value))
    assert id_text(UUID(value)) is id_text(UUID(value))  # worked out once


def test_bench_model_round_trip() -> None:
    model = Path(__file__).resolve().parents[1] / "bench" / "models" / "four_tasks.bpmn"
    parsed = build(model.read_bytes(), {}, {}, model.name)
    workflow = BpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs))
    assert drive(workflow, WorkflowStore(), parsed, rounds=8) >= 4
