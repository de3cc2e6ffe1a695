"""Docket's BPMN parser: SpiffWorkflow's, with what Docket adds to a few task and event specs.

* **Call activities** resolve a called process that is not in the file when the call starts: the top
  workflow's ``call_resolver`` (set by the runtime) loads the latest deployed version of that key, or the
  version the call pins (``camunda:calledElementBinding="version"`` + ``camunda:calledElementVersion``, or
  the ``calledElementVersion`` property). Camunda's ``camunda:in`` / ``camunda:out`` map data into and out of
  the called process; without them the called process sees the case data (or its own data inputs).
* **Events carry the case data in plain BPMN and Camunda files**: a signal, message, error or escalation
  thrown without a SpiffWorkflow payload expression carries a copy of the thrower's data, and a catch event
  without a SpiffWorkflow variable merges it into its own data (what SpiffWorkflow's standard BPMN parser
  does). Camunda's ``camunda:expression`` / ``camunda:resultVariable`` on a message event definition are the
  payload expression and the variable the payload lands in.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowDataException, WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import BpmnDataStoreSpecification
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ItemAwareEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask as SubWorkflowTaskMixin
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.dmn.engine.DMNEngine import HitPolicy
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffEndEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffIntermediateThrowEventParser,
    SpiffReceiveTaskParser,
    SpiffSendTaskParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser, CallActivityParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask as SpiffBusinessRuleTask
from SpiffWorkflow.spiff.specs.defaults import CallActivity as SpiffCallActivity
from SpiffWorkflow.spiff.specs.defaults import ReceiveTask, SendTask
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition as SpiffErrorEvent
from SpiffWorkflow.spiff.specs.event_definitions import EscalationEventDefinition as SpiffEscalationEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessageEvent
from SpiffWorkflow.spiff.specs.event_definitions import SignalEventDefinition as SpiffSignalEvent
from SpiffWorkflow.spiff.specs.event_definitions import SpiffItemAwareEventDefinition

from .expressions import is_camunda_expression, translate_camunda
from .xml import CAMUNDA, NS, camunda, extension_properties

# ---------------------------------------------------------------------------------------------- events


def _merge_payload(my_task: Any, payload: Any) -> None:
    if isinstance(payload, dict):
        my_task.set_data(**deepcopy(payload))


class _CaseDataPayload:
    """Thrown without a payload expression: carry the thrower's data; caught without a variable: merge it."""

    expression: str | None
    variable: str | None

    def throw(self, my_task: Any) -> None:
        if self.expression is not None:
            super().throw(my_task)  # type: ignore[misc]
        else:
            ItemAwareEventDefinition.throw(self, my_task)  # type: ignore[arg-type]

    def update_task_data(self, my_task: Any) -> None:
        if self.variable is not None:
            super().update_task_data(my_task)  # type: ignore[misc]
        else:
            _merge_payload(my_task, my_task.internal_data.pop(self.name, None))


class SignalEvent(_CaseDataPayload, SpiffSignalEvent):
    """A signal; see the module's docstring for its payload."""


class _CodePayload(_CaseDataPayload):
    """Errors and escalations go to the thrower's own (sub)workflow first, then outwards."""

    def throw(self, my_task: Any) -> None:
        if self.expression is not None:
            SpiffItemAwareEventDefinition.throw(self, my_task)  # type: ignore[arg-type]
            return
        event = BpmnEvent(self, payload=deepcopy(my_task.data), target=my_task.workflow)
        my_task.workflow.top_workflow.catch(event)


class ErrorEvent(_CodePayload, SpiffErrorEvent):
    """An error event; matched by its code."""


class EscalationEvent(_CodePayload, SpiffEscalationEvent):
    """An escalation event; matched by its code."""


class MessageEvent(SpiffMessageEvent):
    """A message. Without a payload expression it carries the thrower's data. The catcher puts the payload in
    its SpiffWorkflow variable, else in the variable the thrower's Camunda ``resultVariable`` names, else (a
    payload that is not a dict) in ``<element>_Response`` as SpiffWorkflow's Camunda parser does, else merges it
    into its data."""

    def __init__(self, name: str, correlation_properties: Any = None, expression: str | None = None,
                 message_var: str | None = None, process_correlations: Any = None, result_var: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name, correlation_properties, expression, message_var, process_correlations, **kwargs)
        self.result_var = result_var

    def throw(self, my_task: Any) -> None:
        if self.expression is not None:
            payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        else:
            payload = deepcopy(my_task.data)
        correlations = self.get_correlations(my_task, payload)
        my_task.workflow.correlations.update(correlations)
        event = BpmnEvent(self, payload=payload, correlations=correlations)
        event.result_var = self.result_var
        my_task.workflow.top_workflow.catch(event)

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        super().update_internal_data(my_task, event)
        if getattr(event, "result_var", None):
            my_task.internal_data[f"{self.name}:result_var"] = event.result_var

    def update_task_data(self, my_task: Any) -> None:
        payload = my_task.internal_data.pop(self.name, None)
        variable = self.message_var or my_task.internal_data.pop(f"{self.name}:result_var", None)
        if variable is None and payload is not None and not isinstance(payload, dict):
            variable = f"{my_task.task_spec.name}_Response"
        if variable is not None:
            my_task.data[variable] = payload
        else:
            _merge_payload(my_task, payload)

    def get_correlations(self, my_task: Any, payload: Any) -> dict[str, Any]:
        """Correlation values from the payload; a retrieval expression the payload cannot answer is left out
        (SpiffWorkflow would fail the throw)."""
        engine = my_task.workflow.script_engine
        found: dict[str, Any] = {}
        for prop in self.correlation_properties:
            try:
                value = engine.environment.evaluate(prop.retrieval_expression, payload if isinstance(payload, dict)
                                                    else {"payload": payload})
            except Exception:
                continue
            for key in prop.correlation_keys:
                found.setdefault(key, {})[prop.name] = value
        return found


EVENT_CLASSES = (SignalEvent, ErrorEvent, EscalationEvent, MessageEvent)


def _camunda_payload(node: etree._Element) -> tuple[str | None, str | None]:
    """(payload expression, result variable) of a ``messageEventDefinition``'s Camunda attributes (how
    SpiffWorkflow's Camunda parser reads them: the thrower names the variable the catcher fills)."""
    expression = (node.get(camunda("expression")) or "").strip() or None
    if expression and is_camunda_expression(expression):
        expression = translate_camunda(expression)
    return expression, (node.get(camunda("resultVariable")) or "").strip() or None


class _PayloadEventParser:
    """Builds Docket's event definitions in place of SpiffWorkflow's."""

    def parse_message_event(self, message_event: etree._Element) -> MessageEvent:
        spiff = super().parse_message_event(message_event)  # type: ignore[misc]
        expression, result_var = spiff.expression, None
        if expression is None and spiff.message_var is None:
            expression, result_var = _camunda_payload(message_event)
        return MessageEvent(spiff.name, spiff.correlation_properties, expression, spiff.message_var,
                            spiff.process_correlations, result_var=result_var)

    def parse_signal_event(self, signal_event: etree._Element) -> SignalEvent:
        spiff = super().parse_signal_event(signal_event)  # type: ignore[misc]
        return SignalEvent(spiff.name, expression=spiff.expression, variable=spiff.variable)

    def parse_error_event(self, error_event: etree._Element) -> ErrorEvent:
        spiff = super().parse_error_event(error_event)  # type: ignore[misc]
        return ErrorEvent(spiff.name, expression=spiff.expression, variable=spiff.variable, code=spiff.code)

    def parse_escalation_event(self, escalation_event: etree._Element) -> EscalationEvent:
        spiff = super().parse_escalation_event(escalation_event)  # type: ignore[misc]
        return EscalationEvent(spiff.name, expression=spiff.expression, variable=spiff.variable, code=spiff.code)


class StartEventParser(_PayloadEventParser, SpiffStartEventParser):
    pass


class EndEventParser(_PayloadEventParser, SpiffEndEventParser):
    pass


class IntermediateCatchEventParser(_PayloadEventParser, SpiffIntermediateCatchEventParser):
    pass


class IntermediateThrowEventParser(_PayloadEventParser, SpiffIntermediateThrowEventParser):
    pass


class BoundaryEventParser(_PayloadEventParser, SpiffBoundaryEventParser):
    pass


class SendTaskParser(_PayloadEventParser, SpiffSendTaskParser):
    pass


class ReceiveTaskParser(_PayloadEventParser, SpiffReceiveTaskParser):
    pass


# ---------------------------------------------------------------------------------------------- call activities


@dataclass(frozen=True)
class Mapping:
    """One ``camunda:in`` / ``camunda:out``: ``variables="all"``, or ``target`` from a variable or expression."""

    target: str | None = None  # None: all variables
    source: str | None = None
    expression: str | None = None  # Python (translated from Camunda's ${...})


class CallResolutionError(Exception):
    """The called process could not be found when the call started."""


class CallActivity(SpiffCallActivity):
    """A call activity whose called process may live in another file, with Camunda's data mappings."""

    def __init__(self, wf_spec: Any, bpmn_id: str, subworkflow_spec: str, in_mappings: tuple[Mapping, ...] = (),
                 out_mappings: tuple[Mapping, ...] = (), mapped: bool = False, version: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.in_mappings = in_mappings
        self.out_mappings = out_mappings
        self.mapped = mapped  # the element has camunda:in/out: only what they map crosses the call
        self.version = version

    def start_workflow(self, my_task: Any) -> None:
        top = my_task.workflow.top_workflow
        if top.subprocess_specs.get(self.spec) is None:
            resolver: Callable[..., None] | None = getattr(top, "call_resolver", None)
            if resolver is None:
                top.subprocess_specs.pop(self.spec, None)  # SpiffWorkflow reports the missing process
            else:
                try:
                    resolver(top, self.spec, self.version)
                except CallResolutionError as exc:
                    my_task.error()
                    raise WorkflowTaskException(str(exc), task=my_task) from exc
        super().start_workflow(my_task)

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        if not self.mapped:
            super().copy_data(my_task, subworkflow)
            return
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**_mapped(my_task, self.in_mappings, my_task.data))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        if not self.mapped:
            super().update_data(my_task, subworkflow)
            return
        my_task.data.update(_mapped(my_task, self.out_mappings, subworkflow.last_task.data))


def _mapped(my_task: Any, mappings: tuple[Mapping, ...], source: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    environment = my_task.workflow.script_engine.environment
    for mapping in mappings:
        if mapping.target is None:
            out.update(deepcopy(source))
        elif mapping.expression is not None:
            out[mapping.target] = environment.evaluate(mapping.expression, dict(source))
        else:
            out[mapping.target] = deepcopy(source.get(mapping.source or ""))
    return out


def _mapping(node: etree._Element) -> Mapping | None:
    if (node.get("variables") or "").strip() == "all":
        return Mapping()
    target = (node.get("target") or "").strip()
    if not target:
        return None  # businessKey: the called process runs in the same case, under its business key
    expression = (node.get("sourceExpression") or "").strip()
    if expression:
        return Mapping(target, expression=translate_camunda(expression) if is_camunda_expression(expression)
                       else expression)
    return Mapping(target, source=(node.get("source") or "").strip())


def pinned_version(node: etree._Element) -> int | None:
    """The version a call activity pins: ``camunda:calledElementVersion`` (binding ``version``) or the
    ``calledElementVersion`` property; None = the latest deployed version."""
    text = (extension_properties(node).get("calledElementVersion") or "").strip()
    if not text and (node.get(camunda("calledElementBinding")) or "").strip() == "version":
        text = (node.get(camunda("calledElementVersion")) or "").strip()
    return int(text) if text.isdigit() else None


class DocketCallActivityParser(CallActivityParser):
    def create_task(self) -> CallActivity:
        task = super().create_task()
        ext = self.node.find("bpmn:extensionElements", NS)
        ins = [] if ext is None else list(ext.iterfind(f"{{{CAMUNDA}}}in"))
        outs = [] if ext is None else list(ext.iterfind(f"{{{CAMUNDA}}}out"))
        task.in_mappings = tuple(m for m in map(_mapping, ins) if m is not None)
        task.out_mappings = tuple(m for m in map(_mapping, outs) if m is not None)
        task.mapped = bool(ins or outs)
        task.version = pinned_version(self.node)
        return task


# ---------------------------------------------------------------------------------------------- decisions


class BusinessRuleTask(SpiffBusinessRuleTask):
    """A business rule task; with Camunda's ``resultVariable`` the decision's result goes into that variable,
    shaped by ``mapDecisionResult`` (default ``resultList``), instead of being merged into the case data."""

    def __init__(self, wf_spec: Any, bpmn_id: str, dmnEngine: Any, result_variable: str | None = None,
                 map_result: str = "resultList", **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, dmnEngine=dmnEngine, **kwargs)
        self.result_variable = result_variable
        self.map_result = map_result

    def _run_hook(self, my_task: Any) -> bool:
        if self.result_variable is None:
            return super()._run_hook(my_task)
        try:
            result = self.dmnEngine.result(my_task)
        except Exception as exc:
            raise WorkflowTaskException(str(exc), task=my_task) from exc
        collect = self.dmnEngine.decision_table.hit_policy == HitPolicy.COLLECT.value
        my_task.data[self.result_variable] = map_decision(result, self.map_result, collect)
        return super(BusinessRuleTaskMixin, self)._run_hook(my_task)


def map_decision(result: dict[str, Any], how: str, collect: bool) -> Any:
    """A decision's result as Camunda's ``mapDecisionResult`` shapes it."""
    if collect:
        count = max((len(v) for v in result.values()), default=0)
        rows = [{k: v[i] for k, v in result.items() if i < len(v)} for i in range(count)]
    else:
        rows = [result] if result else []
    if how == "singleEntry":
        return next(iter(rows[0].values()), None) if rows else None
    if how == "singleResult":
        return rows[0] if rows else None
    if how == "collectEntries":
        return [next(iter(row.values()), None) for row in rows]
    return rows


class DocketBusinessRuleTaskParser(BusinessRuleTaskParser):
    def create_task(self) -> BusinessRuleTask:
        extensions = self.parse_extensions()
        return BusinessRuleTask(
            self.spec, self.bpmn_id,
            dmnEngine=self.process_parser.parser.get_engine(self.get_decision_ref(self.node), self.node),
            result_variable=(self.node.get(camunda("resultVariable")) or "").strip() or None,
            map_result=(self.node.get(camunda("mapDecisionResult")) or "").strip() or "resultList",
            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"), **self.bpmn_attributes)


# ---------------------------------------------------------------------------------------------- data stores


class SharedDataStore(BpmnDataStoreSpecification):
    """A ``bpmn:dataStore``: one value shared by all cases, read and written through the top workflow's
    ``data_stores`` (set by the runtime for each command)."""

    def _store(self, my_task: Any) -> Any:
        stores = getattr(my_task.workflow.top_workflow, "data_stores", None)
        if stores is None:
            raise WorkflowDataException(f"data store '{self.bpmn_id}' cannot be reached here", my_task,
                                        data_input=self)
        return stores

    def get(self, my_task: Any) -> None:
        my_task.data[self.bpmn_id] = self._store(my_task).read(self.bpmn_id)

    def set(self, my_task: Any) -> None:
        if self.bpmn_id not in my_task.data:
            raise WorkflowDataException(f"the task has no variable '{self.bpmn_id}' to write to its data store",
                                        my_task, data_output=self)
        self._store(my_task).write(self.bpmn_id, my_task.data.pop(self.bpmn_id))

    def delete(self, my_task: Any) -> None:
        my_task.data.pop(self.bpmn_id, None)


# ---------------------------------------------------------------------------------------------- the parser


class DocketParser(SpiffBpmnParser):
    """SpiffWorkflow's parser with Docket's call activities and event payloads."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("callActivity"): (DocketCallActivityParser, CallActivity),
        full_tag("businessRuleTask"): (DocketBusinessRuleTaskParser, BusinessRuleTask),
        full_tag("startEvent"): (StartEventParser, StartEvent),
        full_tag("endEvent"): (EndEventParser, EndEvent),
        full_tag("boundaryEvent"): (BoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (IntermediateThrowEventParser, IntermediateThrowEvent),
        full_tag("sendTask"): (SendTaskParser, SendTask),
        full_tag("receiveTask"): (ReceiveTaskParser, ReceiveTask),
    }

    def _add_data_stores(self, bpmn: Any) -> None:
        """Every ``bpmn:dataStore`` is a shared store (SpiffWorkflow wants a registered class per store name)."""
        for node in bpmn.xpath(".//bpmn:dataStore", namespaces=self.namespaces):
            store_id = node.get("id")
            if store_id is None:
                raise ValidationException("a data store has no id", node=node)
            self.data_stores[store_id] = SharedDataStore(store_id, node.get("name") or store_id,
                                                         node.get("capacity"), node.get("isUnlimited"))

    def called_specs(self, key: str) -> dict[str, Any]:
        """The specs ``key`` uses: its embedded subprocesses and the processes it calls that are in this file;
        a called process from another file maps to None (resolved when the call starts)."""
        found: dict[str, Any] = {}
        todo = [key]
        while todo:
            spec = self.get_spec(todo.pop())
            for task_spec in spec.task_specs.values():
                if not isinstance(task_spec, SubWorkflowTaskMixin) or task_spec.spec in found:
                    continue
                name = task_spec.spec
                found[name] = self.get_spec(name, required=False)
                if found[name] is not None:
                    todo.append(name)
        return found


def serializer_config() -> dict[type, Any]:
    """SpiffWorkflow's serializer configuration plus Docket's spec classes."""
    config = dict(SPIFF_CONFIG)
    config[CallActivity] = config[SpiffCallActivity]
    config[BusinessRuleTask] = config[SpiffBusinessRuleTask]
    for cls in EVENT_CLASSES:
        base = next(b for b in cls.__mro__[1:] if b in SPIFF_CONFIG)
        config[cls] = config[base]
    return config
