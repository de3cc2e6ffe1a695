"""Rewrite what Camunda Modeler writes into what SpiffWorkflow executes.

* ``${...}`` gateway conditions become Python (plain comparisons and boolean logic only);
* unquoted ISO 8601 timer values (``P14D``) become Python string literals (``"P14D"``);
* ``camunda:collection`` / ``camunda:elementVariable`` multi-instance becomes standard BPMN data refs;
* ``camunda:decisionRef`` becomes ``spiffworkflow:calledDecisionId``;
* ``camunda:inputOutput`` of an activity becomes SpiffWorkflow pre/post scripts (``engine.definitions.camunda``);
* unnamed lanes are named by their id (the key Docket maps to a group).

Returns the rewritten XML; problems are raised as ``NormalizeError`` with the element and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .camunda import rewrite_io
from .expressions import ExpressionError, is_camunda_expression, translate_camunda
from .xml import SPIFF, XSI, bpmn, camunda

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
    """Read ``camunda:collection`` / ``camunda:elementVariable`` as SpiffWorkflow's Camunda parser does: the
    collection is read and written back item by item (beside a loopCardinality it is only the output), the
    element variable is each instance's item. A loopCardinality that is a bare variable name beside a collection
    names the input list (what SpiffWorkflow's Camunda parser does with it); a number or ``${...}`` stays a count.
    (Other data of an instance is then not merged into the case.)"""
    for loop in root.iter(bpmn("multiInstanceLoopCharacteristics")):
        collection = loop.get(camunda("collection"))
        if not collection or any(loop.find(bpmn(t)) is not None for t in ("loopDataInputRef", "loopDataOutputRef")):
            continue
        name = collection.strip()
        if is_camunda_expression(name):
            name = name[2:-1].strip()
        if not name.isidentifier():
            raise _fail(loop, f"camunda:collection '{collection}' must name a variable")
        var = (loop.get(camunda("elementVariable")) or "").strip()
        if var and not var.isidentifier():
            raise _fail(loop, f"camunda:elementVariable '{var}' must be a variable name")
        cardinality = loop.find(bpmn("loopCardinality"))
        source = name
        if cardinality is not None and (cardinality.text or "").strip().isidentifier():
            source = (cardinality.text or "").strip()  # the input list given where a count belongs
            loop.remove(cardinality)
            cardinality = None
        output_only = cardinality is not None
        refs = [("loopDataOutputRef", name)] if output_only else [("loopDataInputRef", source),
                                                                   ("loopDataOutputRef", name)]
        items = ["inputDataItem", "outputDataItem"] if var else []  # beside a cardinality, the item is the index
        position = 1 if output_only else 0  # after the loopCardinality; the schema's order
        for tag, ref in refs:
            loop.insert(position, etree.Element(bpmn(tag)))
            loop[position].text = ref
            position += 1
        for tag in items:  # SpiffWorkflow names the item variable by the element's id
            loop.insert(position, etree.Element(bpmn(tag), id=var, name=var))
            position += 1


def _camunda_decisions(root: etree._Element) -> None:
    """``camunda:decisionRef`` on a business rule task becomes ``spiffworkflow:calledDecisionId``."""
    for task in root.iter(bpmn("businessRuleTask")):
        ref = (task.get(camunda("decisionRef")) or "").strip()
        if not ref or task.find(f"{bpmn('extensionElements')}/{{{SPIFF}}}calledDecisionId") is not None:
            continue
        ext = task.find(bpmn("extensionElements"))
        if ext is None:
            ext = etree.Element(bpmn("extensionElements"))
            task.insert(0, ext)
        etree.SubElement(ext, f"{{{SPIFF}}}calledDecisionId", nsmap={"spiffworkflow": SPIFF}).text = ref


def _lanes(root: etree._Element) -> None:
    """SpiffWorkflow reports a task's lane by the lane's name: give unnamed lanes their id (as Docket's
    lane-to-group mapping does) and strip the names."""
    for lane in root.iter(bpmn("lane")):
        lane.set("name", (lane.get("name") or "").strip() or lane.get("id", ""))


def _camunda_io(root: etree._Element) -> None:
    try:
        rewrite_io(root)
    except ExpressionError as exc:  # the checker names the element first; this is the parser's last word
        raise NormalizeError("", 0, str(exc)) from exc


def normalize(root: etree._Element) -> bytes:
    """Rewrite ``root`` (in place) and return it serialized; raises NormalizeError."""
    _camunda_io(root)
    _conditions(root)
    _timers(root)
    _camunda_multi_instance(root)
    _camunda_decisions(root)
    _lanes(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
