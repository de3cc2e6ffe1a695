"""What changed between two versions of a process: BPMN elements added, removed and changed.

Elements are matched by id. An element's content is its type, name, attributes, Docket's extension
properties and the text of what it holds without an id of its own (conditions, scripts, timer
definitions, lane members); diagram layout (BPMN DI) is ignored, so moving a shape is no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.xml import BPMN, extension_properties, local, parse_xml

TRACKED = {
    "process", "collaboration", "participant", "messageFlow", "message", "signal", "error", "escalation",
    "lane", "sequenceFlow", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
    "association", "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "serviceTask",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
    "subProcess", "transaction", "callActivity", "adHocSubProcess",
}
SKIPPED_CHILDREN = {"incoming", "outgoing", "extensionElements", "laneSet", "documentation"}


@dataclass(frozen=True)
class Element:
    """One element of a version: id, BPMN type and name."""

    id: str
    type: str
    name: str


@dataclass(frozen=True)
class Change:
    """One field of an element that differs: ``field`` is e.g. ``name``, ``property candidateGroups``."""

    field: str
    old: str | None
    new: str | None


@dataclass
class ElementDiff:
    element: Element
    changes: list[Change]


@dataclass
class VersionDiff:
    """The difference from an old version to a new one."""

    added: list[Element] = field(default_factory=list)
    removed: list[Element] = field(default_factory=list)
    changed: list[ElementDiff] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        def el(e: Element) -> dict:
            return {"id": e.id, "type": e.type, "name": e.name}

        return {"added": [el(e) for e in self.added], "removed": [el(e) for e in self.removed],
                "changed": [{**el(d.element), "changes": [{"field": c.field, "old": c.old, "new": c.new}
                                                          for c in d.changes]} for d in self.changed]}


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _attr_name(name: str) -> str:
    return etree.QName(name).localname


def _contents(node: etree._Element, prefix: str, out: dict[str, str]) -> None:
    """Fold the id-less (or untracked) descendants of ``node`` into ``out`` as path -> text."""
    counts: dict[str, int] = {}
    for child in node:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN:
            continue
        tag = local(child.tag)
        if tag in TRACKED or tag in SKIPPED_CHILDREN:
            continue
        counts[tag] = counts.get(tag, 0) + 1
        path = f"{prefix}{tag}" + (f"[{counts[tag]}]" if counts[tag] > 1 else "")
        attrs = {_attr_name(k): v for k, v in child.attrib.items() if k != "id"}
        text = _clean(child.text)
        if tag == "flowNodeRef":
            out.setdefault(f"{prefix}members", "")
            out[f"{prefix}members"] = ", ".join(sorted(filter(None, [*out[f"{prefix}members"].split(", "), text])))
            continue
        value = " ".join([*(f"{k}={v}" for k, v in sorted(attrs.items())), text]).strip()
        if value:
            out[path] = value
        _contents(child, path + "/", out)


def _fields(node: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {"type": local(node.tag), "name": _clean(node.get("name"))}
    for key, value in node.attrib.items():
        if key not in ("id", "name"):
            out[_attr_name(key)] = value
    for key, value in extension_properties(node).items():
        out[f"property {key}"] = value
    _contents(node, "", out)
    return out


def elements(xml: str | bytes) -> dict[str, tuple[Element, dict[str, str]]]:
    """Every tracked element of a BPMN document by id, with its comparable fields."""
    root = parse_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
    found: dict[str, tuple[Element, dict[str, str]]] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        if local(node.tag) in TRACKED and node.get("id"):
            fields = _fields(node)
            found[node.get("id", "")] = (Element(node.get("id", ""), fields["type"], fields["name"]), fields)
    return found


def diff_versions(old_xml: str | bytes, new_xml: str | bytes) -> VersionDiff:
    """Elements added, removed and changed from ``old_xml`` to ``new_xml`` (in document order)."""
    old, new = elements(old_xml), elements(new_xml)
    result = VersionDiff()
    for key, (element, _) in new.items():
        if key not in old:
            result.added.append(element)
    for key, (element, fields) in old.items():
        if key not in new:
            result.removed.append(element)
            continue
        new_element, new_fields = new[key]
        changes = [Change(name, fields.get(name), new_fields.get(name))
                   for name in dict.fromkeys([*fields, *new_fields]) if fields.get(name) != new_fields.get(name)]
        if changes:
            result.changed.append(ElementDiff(new_element, changes))
    return result
