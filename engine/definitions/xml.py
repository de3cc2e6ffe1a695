"""Namespaces and small lxml helpers shared by the definition readers."""

from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"bpmn": BPMN, "camunda": CAMUNDA, "spiffworkflow": SPIFF}


def bpmn(tag: str) -> str:
    """The Clark name of a BPMN model element."""
    return f"{{{BPMN}}}{tag}"


def camunda(attr: str) -> str:
    return f"{{{CAMUNDA}}}{attr}"


def local(tag: object) -> str:
    """The local part of an element tag ('userTask' for '{ns}userTask')."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_xml(data: bytes) -> etree._Element:
    """Parse BPMN bytes safely (no entities, no network); raises ``etree.XMLSyntaxError``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(data, parser)


def extension_properties(node: etree._Element) -> dict[str, str]:
    """Name/value pairs from ``spiffworkflow:properties`` and ``camunda:properties`` under ``node``."""
    props: dict[str, str] = {}
    ext = node.find(bpmn("extensionElements"))
    if ext is None:
        return props
    for prop in ext.iterfind("spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name"):
            props[prop.get("name")] = prop.get("value", "")
    for prop in ext.iterfind("camunda:properties/camunda:property", NS):
        if prop.get("name"):
            props[prop.get("name")] = prop.get("value", "")
    return props
