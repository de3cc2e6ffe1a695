"""Camunda Modeler extensions: which Docket honours, which it may ignore, which it refuses.

Honoured: ``formKey``, ``formData``, ``assignee``, ``candidateUsers``, ``candidateGroups``, ``dueDate``,
``properties``, ``collection``/``elementVariable``, ``decisionRef``, ``candidateStarterGroups``, ``initiator``,
``inputOutput`` (input and output parameters of an activity, with literal text, ``${...}`` expressions, lists
and maps), ``in``/``out`` on call activities, ``resultVariable`` (script tasks with a one-expression script,
business rule tasks with ``mapDecisionResult``, message events with ``expression``), ``calledElementBinding``
``latest``/``version``/``deployment`` with ``calledElementVersion``.
Ignored, because they do not change what a case computes: job-executor settings (``asyncBefore``,
``asyncAfter``, ``exclusive``, ``jobPriority``, ``taskPriority``, ``failedJobRetryTimeCycle``), ``priority``,
``followUpDate``, ``versionTag``, ``historyTimeToLive``, ``isStartableInTasklist``, ``diagramRelationId`` and
``errorMessage`` on an error.
Refused with the element id and what to do instead: everything else (listeners, Java delegates, field
injection, Camunda Forms, variable-mapping classes...). Service tasks are left to the connectors: their
``type``/``topic``, ``class``, ``delegateExpression``, ``expression``, ``resultVariable``, ``inputOutput``,
``connector`` and ``field`` are checked there.

``rewrite_io`` turns input/output parameters into SpiffWorkflow pre- and post-scripts: the inputs are set
before the activity runs (a case variable of the same name is kept aside), the outputs are computed when it
completes, then the inputs are removed again (the kept variables restored), as Camunda's local variables.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .expressions import ExpressionError, is_camunda_expression, translate_camunda, translate_text_with_expressions
from .wording import ADVICE
from .xml import CAMUNDA, SPIFF, bpmn, camunda, local

Finding = tuple[etree._Element, str, dict[str, Any]]  # (node, code, params)

ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask",
              "subProcess", "transaction", "callActivity"}
EVENTS_AND_GATEWAYS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
                       "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                       "complexGateway"}
HONOURED_ATTRIBUTES = {"formKey", "assignee", "candidateUsers", "candidateGroups", "dueDate", "collection",
                       "elementVariable", "decisionRef", "candidateStarterGroups", "initiator", "resultVariable",
                       "mapDecisionResult", "calledElementBinding", "calledElementVersion", "expression", "type",
                       "topic", "class", "delegateExpression"}  # the last five: checked where they may appear
IGNORED_ATTRIBUTES = {"asyncBefore", "asyncAfter", "async", "exclusive", "jobPriority", "taskPriority", "priority",
                      "followUpDate", "versionTag", "historyTimeToLive", "isStartableInTasklist", "diagramRelationId",
                      "errorMessage", "modelerTemplate", "modelerTemplateVersion"}
HONOURED_ELEMENTS = {"properties", "formData", "inputOutput", "in", "out"}
IGNORED_ELEMENTS = {"failedJobRetryTimeCycle"}
SERVICE_ONLY = {"type", "topic", "class", "delegateExpression", "expression", "resultVariable", "connector", "field",
                "inputOutput", "errorEventDefinition"}
DECISION_MAPS = ("singleEntry", "singleResult", "collectEntries", "resultList")


def _is_service(node: etree._Element) -> bool:
    return node.tag == bpmn("serviceTask")


def _owner(node: etree._Element) -> etree._Element:
    """The element a problem is reported on: the nearest one with an id that is not an event definition."""
    while node is not None and (not node.get("id") or local(node.tag).endswith("EventDefinition")):
        node = node.getparent()
    return node


def camunda_problems(process: etree._Element, file_processes: set[str]) -> Iterator[Finding]:
    """Every Camunda extension in ``process`` that Docket cannot honour (service tasks' own ones excepted)."""
    for node in process.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.startswith(f"{{{CAMUNDA}}}"):
            yield from _element_problems(node)
        for name in node.attrib:
            if name.startswith(f"{{{CAMUNDA}}}"):
                yield from _attribute_problem(node, local(name), node.get(name), file_processes)


def _element_problems(node: etree._Element) -> Iterator[Finding]:
    name = local(node.tag)
    parent = node.getparent()
    if parent is None or parent.tag != bpmn("extensionElements"):
        return  # inside an extension Docket reads (formData fields, parameter values) or one refused already
    owner = parent.getparent()
    tag = local(owner.tag) if owner is not None else ""
    if name in ("executionListener", "taskListener"):
        yield owner, "camunda_listener", {"what": "execution" if name == "executionListener" else "task"}
    elif _is_service(owner) and name in SERVICE_ONLY:
        return
    elif name in ("in", "out") and tag != "callActivity":
        yield owner, "camunda_mapping_outside", {"what": name, "tag": tag}
    elif name in ("in", "out"):
        yield from _mapping_problems(owner, node)
    elif name == "inputOutput" and tag in EVENTS_AND_GATEWAYS:
        yield owner, "camunda_io_on_event", {"tag": tag}
    elif name == "inputOutput":
        for param in node:
            if isinstance(param.tag, str):
                yield from _parameter_problems(owner, param)
    elif name not in HONOURED_ELEMENTS | IGNORED_ELEMENTS:
        yield owner, "camunda_unsupported_element", {"name": name, "advice": _advice(name)}


def _advice(name: str) -> str:
    return ADVICE.get(name, ADVICE["*"])


def _attribute_problem(node: etree._Element, name: str, value: str | None,
                       file_processes: set[str]) -> Iterator[Finding]:
    tag = local(node.tag)
    value = (value or "").strip()
    if name in IGNORED_ATTRIBUTES or (_is_service(node) and name in SERVICE_ONLY):
        return
    if name in ("class", "delegateExpression") or (name == "expression" and tag != "messageEventDefinition"):
        yield _owner(node), "camunda_delegate", {"attribute": name}
    elif name in ("type", "topic"):
        yield _owner(node), "camunda_external", {"value": value, "task": _owner(node).get("id", "")}
    elif name == "resultVariable" and tag == "scriptTask":
        script = node.find(bpmn("script"))
        if not _one_expression(script.text if script is not None else ""):
            yield node, "camunda_result_script", {"name": value}
    elif name == "resultVariable" and tag not in ("businessRuleTask", "messageEventDefinition"):
        yield _owner(node), "camunda_unsupported_attribute", {"name": name, "advice": _advice("*")}
    elif name == "mapDecisionResult" and value not in DECISION_MAPS:
        yield _owner(node), "camunda_map_decision", {"value": value}
    elif name == "calledElementBinding" and value == "deployment" and node.get("calledElement") not in file_processes:
        yield _owner(node), "camunda_binding_deployment", {"key": node.get("calledElement", "")}
    elif name == "calledElementBinding" and value not in ("latest", "version", "deployment"):
        yield _owner(node), "camunda_binding", {"value": value}
    elif name == "calledElementVersion" and not value.isdigit():
        yield _owner(node), "camunda_called_version", {"value": value}
    elif name not in HONOURED_ATTRIBUTES:
        yield _owner(node), "camunda_unsupported_attribute", {"name": name, "advice": _advice(name)}


def _one_expression(source: str | None) -> bool:
    try:
        ast.parse((source or "").strip(), mode="eval")
    except SyntaxError:
        return False
    return bool((source or "").strip())


def _mapping_problems(owner: etree._Element, node: etree._Element) -> Iterator[Finding]:
    label = f"camunda:{local(node.tag)}"
    for attr in ("variableMappingClass", "variableMappingDelegateExpression"):
        if node.get(attr):
            yield owner, "camunda_unsupported_attribute", {"name": attr, "advice": _advice(attr)}
    expression = (node.get("sourceExpression") or "").strip()
    if expression and is_camunda_expression(expression):
        try:
            translate_camunda(expression)
        except ExpressionError as exc:
            yield owner, "camunda_mapping", {"mapping": f"{label} sourceExpression", "reason": str(exc)}
    if (node.get("variables") or "").strip() not in ("", "all"):
        yield owner, "camunda_mapping", {"mapping": f"{label} variables", "reason": "only 'all' is supported"}
    if not (node.get("variables") or node.get("businessKey") or node.get("target")):
        yield owner, "camunda_mapping", {"mapping": label, "reason": "needs a target (or variables=\"all\")"}
    if node.get("target") and not (node.get("source") or expression):
        yield owner, "camunda_mapping", {"mapping": label, "reason": "needs a source or a sourceExpression"}


def _parameter_problems(owner: etree._Element, param: etree._Element) -> Iterator[Finding]:
    kind = "input" if local(param.tag) == "inputParameter" else "output"
    name = param.get("name", "")
    if not name.isidentifier():
        yield owner, "camunda_io_value", {"kind": kind, "name": name, "reason": "the name must be a variable name"}
        return
    if any(local(c.tag) == "script" for c in param.iter() if isinstance(c.tag, str)):
        yield owner, "camunda_io_script", {"kind": kind, "name": name}
        return
    try:
        parameter_value(param)
    except ExpressionError as exc:
        yield owner, "camunda_io_value", {"kind": kind, "name": name, "reason": str(exc)}


# ---------------------------------------------------------------------------------------------- rewriting


def _text_value(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        return "None"
    if is_camunda_expression(text):
        return translate_camunda(text)
    if "${" in text or "#{" in text:
        return translate_text_with_expressions(text)
    return repr(text)


def parameter_value(node: etree._Element) -> str:
    """The Python expression of an input/output parameter (or of a list item / map entry)."""
    children = [c for c in node if isinstance(c.tag, str)]
    if not children:
        return _text_value(node.text)
    child = children[0]
    kind = local(child.tag)
    if kind == "list":
        return "[" + ", ".join(parameter_value(item) for item in child if isinstance(item.tag, str)) + "]"
    if kind == "map":
        entries = [f"{e.get('key', '')!r}: {parameter_value(e)}" for e in child if isinstance(e.tag, str)]
        return "{" + ", ".join(entries) + "}"
    if kind == "value":
        return _text_value(child.text)
    raise ExpressionError(f"camunda:{kind} values are not supported")


def _io_scripts(task: etree._Element, io: etree._Element) -> tuple[str, str]:
    keep = "camunda_locals_" + re.sub(r"\W", "_", task.get("id", ""))
    inputs = [(p.get("name", ""), parameter_value(p)) for p in io.iterchildren(f"{{{CAMUNDA}}}inputParameter")]
    outputs = [(p.get("name", ""), parameter_value(p)) for p in io.iterchildren(f"{{{CAMUNDA}}}outputParameter")]
    pre = [f"{keep} = {{}}"]
    for name, _ in inputs:
        pre += ["try:", f"    {keep}[{name!r}] = {name}", "except NameError:", "    pass"]
    pre += [f"{name} = {value}" for name, value in inputs]
    post = [f"{name} = {value}" for name, value in outputs]
    written = {name for name, _ in outputs}
    for name, _ in inputs:
        if name not in written:
            post += [f"if {name!r} in {keep}:", f"    {name} = {keep}[{name!r}]", "else:", f"    del {name}"]
    post.append(f"del {keep}")
    return "\n".join(pre), "\n".join(post)


def _extension(task: etree._Element) -> etree._Element:
    ext = task.find(bpmn("extensionElements"))
    if ext is None:
        ext = etree.Element(bpmn("extensionElements"))
        task.insert(0, ext)
    return ext


def _add_script(task: etree._Element, which: str, script: str, first: bool) -> None:
    ext = _extension(task)
    node = ext.find(f"{{{SPIFF}}}{which}")
    if node is None:
        node = etree.SubElement(ext, f"{{{SPIFF}}}{which}", nsmap={"spiffworkflow": SPIFF})
        node.text = script
    else:
        node.text = f"{script}\n{node.text or ''}" if first else f"{node.text or ''}\n{script}"


def rewrite_io(root: etree._Element) -> None:
    """``camunda:inputOutput`` of activities (not service tasks) as SpiffWorkflow pre/post scripts, and a script
    task's ``camunda:resultVariable`` as an assignment. Raises ExpressionError on a value it cannot translate
    (the checker names those first)."""
    for tag in ACTIVITIES:
        for task in root.iter(bpmn(tag)):
            io = task.find(f"{bpmn('extensionElements')}/{{{CAMUNDA}}}inputOutput")
            if io is None:
                continue
            pre, post = _io_scripts(task, io)
            io.getparent().remove(io)
            script = task.find(bpmn("script")) if tag == "scriptTask" else None
            if script is not None:  # SpiffWorkflow's script tasks run no pre/post scripts: wrap the script
                script.text = f"{pre}\n{_result_assignment(task, script.text)}\n{post}"
                continue
            _add_script(task, "preScript", pre, first=True)
            _add_script(task, "postScript", post, first=False)
    for task in root.iter(bpmn("scriptTask")):
        script = task.find(bpmn("script"))
        if script is not None and task.find(f"{bpmn('extensionElements')}/{{{CAMUNDA}}}inputOutput") is None:
            script.text = _result_assignment(task, script.text)


def _result_assignment(task: etree._Element, source: str | None) -> str:
    """A one-expression script whose value goes to the task's ``camunda:resultVariable``, as an assignment."""
    variable = (task.get(camunda("resultVariable")) or "").strip()
    if variable and _one_expression(source):
        return f"{variable} = ({(source or '').strip()})"
    return source or ""
