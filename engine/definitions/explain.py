"""``docket check --explain``: the named behaviours a BPMN file uses, where, and what each one is.

Connectors (what each service task calls, with its parameters and where the result goes), helpers (functions
of the registry called in conditions, scripts, pre/post scripts, expressions and connector parameters) and
properties (``spiffworkflow:property`` / ``camunda:property`` names the registry documents). Properties that
no behaviour documents are listed apart: Docket ignores them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from lxml import etree

from engine.behaviours import behaviours
from engine.connectors.reading import read_service_task

from . import properties  # noqa: F401  (registers the properties the core reads)
from .xml import CAMUNDA, SPIFF, bpmn, parse_xml

EXPRESSION_TAGS = (bpmn("conditionExpression"), bpmn("script"), bpmn("completionCondition"), bpmn("timeDuration"),
                   bpmn("timeDate"), bpmn("timeCycle"), f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript")


@dataclass
class Use:
    """One behaviour and the elements (id, line) that use it."""

    kind: str
    name: str
    doc: str
    where: list[tuple[str, int]] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)


def _owner(node: etree._Element) -> etree._Element:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _called(source: str) -> set[str]:
    for mode in ("eval", "exec"):
        try:
            tree = ast.parse(source.strip(), mode=mode)
        except (SyntaxError, ValueError):
            continue
        return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return set()


def _expressions(root: etree._Element) -> list[tuple[etree._Element, str]]:
    found = [(n, n.text or "") for n in root.iter(*EXPRESSION_TAGS)]
    for prop in root.iter(f"{{{SPIFF}}}property", f"{{{CAMUNDA}}}property"):
        value = (prop.get("value") or "").strip()
        if value.startswith("="):
            found.append((prop, value[1:]))
    for task in root.iter(bpmn("serviceTask")):
        found += [(task, p.expression) for p in read_service_task(task).params]
    return found


def explain(bpmn_bytes: bytes) -> list[Use]:
    """The behaviours the BPMN file uses, connectors first, then helpers, properties and unknown properties.

    :raises lxml.etree.XMLSyntaxError: the file is not XML.
    """
    root = parse_xml(bpmn_bytes)
    uses: dict[tuple[str, str], Use] = {}

    def use(kind: str, name: str, node: etree._Element, detail: str | None = None) -> None:
        found = behaviours.find(kind, name) if kind != "unknown property" else None
        entry = uses.setdefault((kind, name), Use(kind, name, found.doc if found else ""))
        owner = _owner(node)
        place = (owner.get("id", "") if owner is not None else "", node.sourceline or 0)
        if place not in entry.where:
            entry.where.append(place)
        if detail and detail not in entry.detail:
            entry.detail.append(detail)

    for task in root.iter(bpmn("serviceTask")):
        call = read_service_task(task)
        if call.connector:
            target = call.result_variable or ", ".join(o.name for o in call.outputs) or "—"
            params = ", ".join(p.name for p in call.params) or "—"
            use("connector", call.connector, task, f"{task.get('id')}: parameters {params}; result → {target}")
    helpers = {b.name for b in behaviours.all("helper")}
    for node, source in _expressions(root):
        for name in sorted(_called(source) & helpers):
            use("helper", name, node)
    for prop in root.iter(f"{{{SPIFF}}}property", f"{{{CAMUNDA}}}property"):
        name = (prop.get("name") or "").strip()
        if name:
            use("property" if behaviours.find("property", name) else "unknown property", name, prop)
    order = {"connector": 0, "helper": 1, "property": 2, "unknown property": 3}
    return sorted(uses.values(), key=lambda u: (order[u.kind], u.name))


def explain_lines(bpmn_bytes: bytes) -> list[str]:
    """``explain`` as the lines ``docket check --explain`` prints."""
    lines = []
    for u in explain(bpmn_bytes):
        where = ", ".join(f"{eid}:{line}" for eid, line in u.where)
        doc = f" — {u.doc}" if u.doc else " — not a Docket behaviour; ignored"
        lines.append(f"{u.kind} {u.name} ({where}){doc}")
        lines.extend(f"    {d}" for d in u.detail)
    return lines
