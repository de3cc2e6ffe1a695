"""The case-data fields a process can have, read from its files: for warnings about names nothing sets.

Form fields, DMN outputs, connector results (``resultVariable``, Camunda output parameters), multi-instance
items and collections, names assigned in scripts (script tasks, pre- and post-scripts), the start data every
case has (``initiator``) and what documents and messages may always use (``business_key``, ``case_title``,
``today``). Data given when a case is started through the API is not known here.
"""

from __future__ import annotations

import ast
from typing import Any

from lxml import etree

from .bundle import Bundle
from .xml import CAMUNDA, SPIFF, bpmn, camunda, parse_xml

ALWAYS = frozenset({"initiator", "business_key", "case_title", "today"})


def _assigned(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _form_fields(forms: dict[str, Any]) -> set[str]:
    return {name for schema in forms.values() if isinstance(schema, dict)
            for name in (schema.get("properties") or {}) if isinstance(name, str)}


def _dmn_outputs(dmn: dict[str, str]) -> set[str]:
    found = set()
    for text in dmn.values():
        try:
            root = parse_xml(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue
        for node in root.iter():
            if isinstance(node.tag, str) and etree.QName(node).localname == "output" and node.get("name"):
                found.add(node.get("name", ""))
    return found


def case_fields(root: etree._Element, bundle: Bundle) -> set[str]:
    """Every field name the process in ``root`` (with ``bundle``'s forms and DMN) can put in case data."""
    found = set(ALWAYS) | _form_fields(bundle.forms) | _dmn_outputs(bundle.dmn)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        tag = node.tag
        if tag == f"{{{SPIFF}}}serviceTaskOperator" and node.get("resultVariable"):
            found.add(node.get("resultVariable", "").strip())
        elif tag == f"{{{CAMUNDA}}}outputParameter" and node.get("name"):
            found.add(node.get("name", "").strip())
        elif tag in (bpmn("inputDataItem"), bpmn("outputDataItem")) and (node.get("name") or node.get("id")):
            found.add((node.get("name") or node.get("id") or "").strip())
        elif tag in (bpmn("loopDataOutputRef"), bpmn("loopDataInputRef")) and node.text:
            found.add(node.text.strip())
        elif tag == bpmn("multiInstanceLoopCharacteristics"):
            found |= {v.strip() for v in (node.get(camunda("collection")), node.get(camunda("elementVariable")))
                      if v and v.strip().isidentifier()}
        elif tag in (bpmn("script"), f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript") and node.text:
            found |= _assigned(node.text)
        elif tag == f"{{{SPIFF}}}messageVariable" and node.text:
            found.add(node.text.strip())
    return found
