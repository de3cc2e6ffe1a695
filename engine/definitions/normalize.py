"""Rewrite what Camunda Modeler writes into what SpiffWorkflow executes.

* ``${...}`` gateway conditions become Python (plain comparisons and boolean logic only);
* unquoted ISO 8601 timer values (``P14D``) become Python string literals (``"P14D"``);
* ``camunda:collection`` / ``camunda:elementVariable`` multi-instance becomes standard BPMN data refs.

Returns the rewritten XML; problems are raised as ``NormalizeError`` with the element and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .expressions import ExpressionError, is_camunda_expression, translate_camunda
from .xml import XSI, bpmn, camunda

ISO_VALUE = re.compile(r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d\d-\d\d[T0-9:.+\-Z]*)(/P[0-9YMWDTHS.,]+)?$")


@dataclass
class NormalizeError(Exception):
    element: str
    line: int
    message: str


def _owner(node: etree._Element) -> etree._Element:
    """The nearest ancestor (or self) that carries an id, for error messages."""
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _fail(node: etree._Element, message: str) -> NormalizeError:
    owner = _owner(node)
    return NormalizeError(owner.get("id", "") if owner is not None else "", node.sourceline or 0, message)


def _conditions(root: etree._Element) -> None:
    for cond in root.iter(bpmn("conditionExpression"), bpmn("completionCondition")):
        text = (cond.text or "").strip()
        lang = (cond.get("language") or "").lower()
        if lang and lang not in ("python", "text/x-python", "juel", "${}"):
            raise _fail(cond, f"condition language '{cond.get('language')}' is not supported (use Python)")
        if is_camunda_expression(text):
            try:
                cond.text = translate_camunda(text)
            except ExpressionError as exc:
                raise _fail(cond, str(exc)) from exc


def _timers(root: etree._Element) -> None:
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(bpmn(tag)):
            text = (node.text or "").strip()
            if is_camunda_expression(text):
                try:
                    node.text = translate_camunda(text)
                except ExpressionError as exc:
                    raise _fail(node, str(exc)) from exc
            elif ISO_VALUE.match(text):
                node.text = f'"{text}"'
            if node.get(f"{{{XSI}}}type") is None:
                node.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")


def _camunda_multi_instance(root: etree._Element) -> None:
    for loop in root.iter(bpmn("multiInstanceLoopCharacteristics")):
        collection = loop.get(camunda("collection"))
        if not collection or loop.find(bpmn("loopDataInputRef")) is not None:
            continue
        name = collection.strip()
        if is_camunda_expression(name):
            name = name[2:-1].strip()
        if not name.isidentifier():
            raise _fail(loop, f"camunda:collection '{collection}' must name a variable")
        ref = etree.Element(bpmn("loopDataInputRef"))
        ref.text = name
        loop.insert(0, ref)
        var = loop.get(camunda("elementVariable"))
        if var:
            item = etree.Element(bpmn("inputDataItem"), id=f"{var}_item", name=var)
            loop.insert(1, item)


def normalize(root: etree._Element) -> bytes:
    """Rewrite ``root`` (in place) and return it serialized; raises NormalizeError."""
    _conditions(root)
    _timers(root)
    _camunda_multi_instance(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
