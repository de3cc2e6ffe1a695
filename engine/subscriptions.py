"""The ``event_subscription`` rows: which cases wait for which message or signal, and which processes start on
one. The projection rewrites a case's rows when what it waits for changes (a digest on the case row says
whether it did, so a command that changes nothing here writes nothing); deploying a process writes the rows
of its start events. Deliveries (``engine.messages``) read these rows by kind and name.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from .definitions.parse import ParsedDefinition
from .models import Case, EventSubscription, ProcessDefinition

KINDS = {MessageEventDefinition: "message", SignalEventDefinition: "signal"}


def kind_of(definition: Any) -> str | None:
    """``message`` or ``signal`` for those event definitions, else None."""
    for cls, kind in KINDS.items():
        if isinstance(definition, cls):
            return kind
    return None


def catching(definition: Any) -> list[Any]:
    """The named message and signal definitions an event waits for (those inside a combined event included)."""
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if kind_of(d) and d.name]
    return [definition] if kind_of(definition) and definition.name else []


def declared_properties(definition: Any) -> list[Any]:
    """The correlation properties a message definition declares (BPMN correlation keys and SpiffWorkflow's
    process variable correlations)."""
    return [*getattr(definition, "correlation_properties", []), *getattr(definition, "process_correlations", [])]


def flat(correlations: dict[str, Any]) -> dict[str, Any]:
    """``{key: {property: value}}`` -> ``{property: value}``."""
    out: dict[str, Any] = {}
    for values in (correlations or {}).values():
        if isinstance(values, dict):
            out.update(values)
    return out


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def waiting(workflow: BpmnWorkflow) -> list[dict[str, Any]]:
    """What the workflow waits for: one entry per (kind, name, element), with the correlation properties the
    catch declares and the values the case already holds for them."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for task in workflow.event_manager.tasks.values():
        for definition in catching(getattr(task.task_spec, "event_definition", None)):
            kind = kind_of(definition)
            element = task.task_spec.bpmn_id or task.task_spec.name
            props = sorted({p.name for p in declared_properties(definition)})
            known = {**flat(workflow.correlations), **flat(task.workflow.correlations)}
            values = {p: known[p] for p in props if p in known}
            found[(kind, definition.name, element, json.dumps(_json(values), sort_keys=True))] = {
                "kind": kind, "name": definition.name, "element": element,
                "correlation": _json({"properties": props, "values": values}),
            }
    for name in getattr(workflow.spec.start, "trigger_specs", []):  # event sub-processes of the process
        sp_spec = workflow.subprocess_specs.get(name)
        for start in getattr(sp_spec, "bpmn_start_events", []) if sp_spec is not None else []:
            for definition in catching(start.event_definition):
                props = sorted({p.name for p in declared_properties(definition)})
                values = {p: v for p, v in flat(workflow.correlations).items() if p in props}
                found[(kind_of(definition), definition.name, start.bpmn_id or start.name, "")] = {
                    "kind": kind_of(definition), "name": definition.name, "element": start.bpmn_id or start.name,
                    "correlation": _json({"properties": props, "values": values}),
                }
    return [found[k] for k in sorted(found)]


def _digest(items: list[dict[str, Any]]) -> str | None:
    if not items:
        return None
    return hashlib.sha1(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


def sync_subscriptions(session: so.Session, case: Case, workflow: BpmnWorkflow) -> None:
    """Rewrite the case's subscription rows if what it waits for changed (nothing once it has ended)."""
    items = waiting(workflow) if case.status in ("running", "error") and not workflow.is_completed() else []
    digest = _digest(items)
    if digest == case.subscription_digest:
        return
    if case.subscription_digest is not None:
        session.execute(sa.delete(EventSubscription).where(EventSubscription.case_id == case.id))
    session.add_all(EventSubscription(case_id=case.id, definition_id=case.definition_id,
                                      process_key=case.process_key, **item) for item in items)
    case.subscription_digest = digest


def start_events(parsed: ParsedDefinition) -> list[dict[str, Any]]:
    """The messages and signals that start a case of this process (its top-level start events)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for spec in parsed.spec.task_specs.values():
        if not isinstance(spec, StartEvent) or isinstance(spec.event_definition, NoneEventDefinition):
            continue
        for definition in catching(spec.event_definition):
            props = sorted({p.name for p in declared_properties(definition)})
            found[(kind_of(definition), definition.name)] = {
                "kind": kind_of(definition), "name": definition.name, "element": spec.bpmn_id or spec.name,
                "correlation": {"properties": props, "values": {}}}
    return list(found.values())


def register_start_events(session: so.Session, definition: ProcessDefinition, parsed: ParsedDefinition) -> None:
    """The start-event rows of ``key`` now belong to its version ``definition`` (the latest)."""
    session.execute(sa.delete(EventSubscription).where(EventSubscription.case_id.is_(None),
                                                       EventSubscription.process_key == definition.key))
    session.add_all(EventSubscription(case_id=None, definition_id=definition.id, process_key=definition.key, **item)
                    for item in start_events(parsed))
