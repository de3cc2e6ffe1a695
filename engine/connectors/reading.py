"""Read a service task's connector call from the BPMN, in either dialect.

* SpiffWorkflow: ``<spiffworkflow:serviceTaskOperator id="notify" resultVariable="sent">`` with
  ``<spiffworkflow:parameter id="users" value="'li'"/>``: each value is a Python expression on case data
  (a literal string is quoted); the result goes to ``resultVariable``.
* Camunda: ``camunda:type="external" camunda:topic="notify"`` with ``<camunda:inputOutput>``: an
  ``inputParameter`` is literal text unless it holds ``${...}`` (``camunda:list`` / ``camunda:map`` give a list
  or an object); each ``outputParameter`` sets a case variable from the result (``${field}`` reads a field of
  the result, ``${result}`` the whole result; case data is visible too).

Everything is turned into Python expressions here, so the runtime evaluates one dialect.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.definitions.expressions import ExpressionError, translate_text_with_expressions
from engine.definitions.xml import CAMUNDA, SPIFF, bpmn, camunda

NOT_LITERAL = object()
JAVA_DELEGATES = ("class", "expression", "delegateExpression")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a connector call: the Python expression that gives its value, where it is written,
    and its value when the expression is a constant (for checks that need it, e.g. a template's file name)."""

    name: str
    expression: str
    line: int
    literal: Any = NOT_LITERAL

    @property
    def is_literal(self) -> bool:
        return self.literal is not NOT_LITERAL


@dataclass(frozen=True)
class Output:
    """A Camunda output parameter: the case variable ``name`` gets the value of ``expression``."""

    name: str
    expression: str
    line: int


@dataclass(frozen=True)
class ServiceCall:
    """What a service task asks for: the connector, its parameters and where the result goes; ``problems``
    are (line, message) pairs for what could not be read."""

    element_id: str
    line: int
    dialect: str  # "spiffworkflow", "camunda" or "" (neither)
    connector: str | None
    params: tuple[Parameter, ...] = ()
    result_variable: str | None = None
    outputs: tuple[Output, ...] = ()
    problems: tuple[tuple[int, str], ...] = ()
    connector_line: int = 0  # where the connector is named (the operator element, or the task for Camunda)


def _literal(expression: str) -> Any:
    try:
        return ast.literal_eval(expression)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return NOT_LITERAL


def _spiff(node: etree._Element, operator: etree._Element) -> ServiceCall:
    params, problems = [], []
    for param in operator.iterfind(f"{{{SPIFF}}}parameters/{{{SPIFF}}}parameter"):
        name, value = (param.get("id") or "").strip(), param.get("value")
        line = param.sourceline or 0
        if not name:
            problems.append((line, "a spiffworkflow:parameter has no id (the parameter's name)"))
        elif value is None:
            problems.append((line, f"parameter '{name}' has no value"))
        else:
            params.append(Parameter(name, value, line, _literal(value)))
    result = (operator.get("resultVariable") or "").strip() or None
    if result is not None and not result.isidentifier():
        problems.append((operator.sourceline or 0, f"resultVariable '{result}' is not a variable name"))
    return ServiceCall(node.get("id", ""), node.sourceline or 0, "spiffworkflow", (operator.get("id") or "").strip()
                       or None, tuple(params), result, (), tuple(problems), operator.sourceline or 0)


def _camunda_text(text: str) -> str:
    """Python for a Camunda value: literal text unless it holds ``${...}``; raises ExpressionError."""
    return translate_text_with_expressions(text)


def _camunda_value(holder: etree._Element) -> str:
    """Python for the content of an input/output parameter or a list/map entry; raises ExpressionError."""
    child = next((c for c in holder if isinstance(c.tag, str) and c.tag.startswith(f"{{{CAMUNDA}}}")), None)
    if child is None:
        text = holder.text or ""
        return "None" if not text.strip() else _camunda_text(text.strip())
    kind = etree.QName(child).localname
    if kind == "list":
        return "[" + ", ".join(_camunda_value(v) for v in child if isinstance(v.tag, str)) + "]"
    if kind == "map":
        entries = [f"{(e.get('key') or '')!r}: {_camunda_value(e)}" for e in child if isinstance(e.tag, str)]
        return "{" + ", ".join(entries) + "}"
    if kind == "script":
        raise ExpressionError("camunda:script values are not supported (write a ${...} expression)")
    raise ExpressionError(f"camunda:{kind} is not a value Docket reads (use text, ${{...}}, camunda:list or "
                          "camunda:map)")


def _camunda(node: etree._Element) -> ServiceCall:
    params, outputs, problems = [], [], []
    io = node.find(f"{bpmn('extensionElements')}/{{{CAMUNDA}}}inputOutput")
    for param in io.iterfind(f"{{{CAMUNDA}}}inputParameter") if io is not None else ():
        name, line = (param.get("name") or "").strip(), param.sourceline or 0
        if not name:
            problems.append((line, "a camunda:inputParameter has no name"))
            continue
        try:
            expression = _camunda_value(param)
        except ExpressionError as exc:
            problems.append((line, f"input parameter '{name}': {exc}"))
            continue
        params.append(Parameter(name, expression, line, _literal(expression)))
    for param in io.iterfind(f"{{{CAMUNDA}}}outputParameter") if io is not None else ():
        name, line = (param.get("name") or "").strip(), param.sourceline or 0
        if not name.isidentifier():
            problems.append((line, f"output parameter '{name}' must be a variable name"))
            continue
        try:
            outputs.append(Output(name, _camunda_value(param), line))
        except ExpressionError as exc:
            problems.append((line, f"output parameter '{name}': {exc}"))
    topic = (node.get(camunda("topic")) or "").strip() or None
    if topic is None:
        problems.append((node.sourceline or 0, 'camunda:type="external" needs camunda:topic naming the connector'))
    return ServiceCall(node.get("id", ""), node.sourceline or 0, "camunda", topic, tuple(params), None,
                       tuple(outputs), tuple(problems), node.sourceline or 0)


def read_service_task(node: etree._Element) -> ServiceCall:
    """The connector call a ``bpmn:serviceTask`` element makes (``connector`` None and a problem when it
    names none Docket can run)."""
    operator = node.find(f"{bpmn('extensionElements')}/{{{SPIFF}}}serviceTaskOperator")
    if operator is not None:
        return _spiff(node, operator)
    kind = (node.get(camunda("type")) or "").strip()
    if kind == "external":
        return _camunda(node)
    line = node.sourceline or 0
    delegate = next((a for a in JAVA_DELEGATES if node.get(camunda(a))), None)
    if delegate is not None:
        why = f"camunda:{delegate} (Java code) cannot run in Docket"
    elif kind:
        why = f'camunda:type="{kind}" is not supported'
    elif node.find(f"{bpmn('extensionElements')}/{{{CAMUNDA}}}connector") is not None:
        why = "camunda:connector (Camunda Connect) is not supported"
    else:
        why = "the service task names no connector"
    return ServiceCall(node.get("id", ""), line, "", None, problems=((line, (
        f'{why}: use spiffworkflow:serviceTaskOperator id="<connector>" or camunda:type="external" '
        'camunda:topic="<connector>"')),))
