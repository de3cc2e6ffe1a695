"""Workflow (de)serialization with the process spec kept out of the stored blob.

The blob names its definition; the parsed spec comes from the per-version spec cache instead of
being embedded in every case (that is about 58% of the JSON and most of the load time). Processes the
case called from other deployed files are named by definition id (``called``) and loaded the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.task import Task

from engine.definitions.parse import ParsedDefinition
from engine.definitions.specs import serializer_config

FORMAT = "docket-1"


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Writes the workflow without ``spec``/``subprocess_specs``; restores it around a given spec."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        called = getattr(workflow, "called", None)
        if called:
            dct["called"] = dict(called)
        return dct

    def mapping_to_dict(self, mapping: dict[Any, Any], **kwargs: Any) -> dict[str, Any]:
        """As SpiffWorkflow's, the task ids' text remembered (:func:`id_text`)."""
        return {id_text(key) if isinstance(key, UUID) else str(key): self.registry.convert(value, **kwargs)
                for key, value in mapping.items()}

    def restore(self, dct: dict[str, Any], parsed: ParsedDefinition,
                load_called: Callable[[int], ParsedDefinition] | None = None) -> BpmnWorkflow:
        called = dct.pop("called", None) or {}
        specs = dict(parsed.subprocess_specs)
        for name, definition_id in called.items():
            if load_called is None:
                raise ValueError(f"the case called process '{name}' from another file; give load_called")
            add_called(specs, name, load_called(definition_id))
        workflow = self.target_class(parsed.spec, specs, deserializing=True)
        workflow.called = dict(called)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _TaskConverter(TaskConverter):
    """SpiffWorkflow's task converter, writing exactly the same dictionary with less work: a task id's text is
    worked out once (:func:`id_text`), and an empty ``internal_data`` is written as it is."""

    def to_dict(self, task: Task) -> dict[str, Any]:
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            before, after = parent.data, task.data
            data = {}
            delta = {"updates": {key: after[key] for key in after if key not in before or after[key] != before[key]},
                     "deletions": [key for key in before if key not in after]}
        internal = task.internal_data
        return {
            "id": id_text(task.id),
            "parent": id_text(task._parent) if parent is not None else None,
            "children": [id_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(internal) if internal else {},
            "data": data,
            "delta": delta,
        }


_ID_TEXT: dict[UUID, str] = {}


def id_text(task_id: UUID) -> str:
    """``str(task_id)``, remembered: a case's task ids are written at every save."""
    text = _ID_TEXT.get(task_id)
    if text is None:
        if len(_ID_TEXT) >= 200_000:  # a bound on what is remembered: start again
            _ID_TEXT.clear()
        text = _ID_TEXT[task_id] = str(task_id)
    return text


def add_called(specs: dict[str, Any], name: str, called: ParsedDefinition) -> None:
    """Put a called process (deployed from another file) and the specs it uses into ``specs``."""
    specs[name] = called.spec
    for sub, spec in called.subprocess_specs.items():
        if specs.get(sub) is None:
            specs[sub] = spec


class WorkflowStore:
    """Turns workflows into JSON text and back, given the parsed definition they run."""

    def __init__(self) -> None:
        config = serializer_config()
        config[Task] = _TaskConverter
        registry = BpmnWorkflowSerializer.configure(config)
        registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
        self._converter = _SpeclessWorkflowConverter(BpmnWorkflow, registry)
        self._serializer = BpmnWorkflowSerializer(registry)
        self._registry = registry

    def dumps(self, workflow: BpmnWorkflow) -> str:
        self._registry._encoder_mode = True
        try:
            dct = self._converter.to_dict(workflow)
            dct["format"] = FORMAT
            return json.dumps(dct, cls=self._serializer._encoder_cls, separators=(",", ":"))
        finally:
            self._registry._encoder_mode = False

    def loads(self, text: str, parsed: ParsedDefinition,
              load_called: Callable[[int], ParsedDefinition] | None = None) -> BpmnWorkflow:
        """The workflow in ``text``; ``load_called`` gives the definitions of processes it called from other
        files (by definition id)."""
        dct = json.loads(text)
        if dct.pop("format", None) != FORMAT:
            raise ValueError("stored workflow is not in Docket's format")
        return self._converter.restore(dct, parsed, load_called)

    def to_json_safe(self, value: Any) -> Any:
        """Task data made JSON-safe (datetimes as ISO strings) for the task/case summary columns."""
        return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)
