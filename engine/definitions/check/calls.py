"""What a process calls: other processes (call activities), connectors (service tasks), decision tables
(business rule tasks) and registered behaviours (``casework``, ``rule``, ``stage`` properties)."""

from __future__ import annotations

from lxml import etree

from engine.behaviours import behaviours
from engine.connectors.checking import CheckContext, check_call
from engine.connectors.reading import read_service_task
from engine.scripts import check_source

from ..bundle import Bundle
from ..case_fields import case_fields
from ..meta import (
    TASK_TAGS,
    called_processes,
    is_executable,
)
from ..parse import dmn_problems, is_dmn
from ..xml import NS, SPIFF, bpmn, camunda, parse_xml
from .report import Report


def check_calls(report: Report, root: etree._Element, process: etree._Element) -> None:
    by_id = {p.get("id"): p for p in root.iterfind("bpmn:process", NS)}
    pid = process.get("id")
    for call in process.iter(bpmn("callActivity")):
        target = (call.get("calledElement") or "").strip()
        if not target:
            report.flag(call, "call_no_target")
        elif target not in by_id:
            report.flag(call, "call_external", severity="warning", key=target)
        elif not is_executable(by_id[target]):
            report.flag(call, "call_not_executable", key=target)
        elif target == pid or process in called_processes(by_id[target]):
            report.flag(call, "call_recursive", key=target, caller=pid)


def _decision_ref(task: etree._Element) -> str:
    spiff = task.find(f"{bpmn('extensionElements')}/{{{SPIFF}}}calledDecisionId")
    return (task.get(camunda("decisionRef")) or (spiff.text if spiff is not None else "") or "").strip()


def check_service_tasks(report: Report, process: etree._Element, bundle: Bundle,
                         known_groups: set[str] | None) -> None:
    """Each service task calls a connector that exists, with known parameters, the required ones given, valid
    expressions, and whatever that connector checks itself (its template exists, its groups exist)."""
    tasks = list(process.iter(bpmn("serviceTask")))
    if not tasks:
        return
    context = CheckContext(templates=bundle.templates, known_groups=known_groups,
                           known_fields=case_fields(process.getroottree().getroot(), bundle))
    for node in tasks:
        call = read_service_task(node)
        for finding in check_call(call, context):
            report.add(node, finding.message, severity=finding.severity, line=finding.line or None)
        for param in call.params:
            for problem in check_source(param.expression, "eval"):
                report.add(node, f"parameter '{param.name}': {problem.message}", line=param.line)
        for output in call.outputs:
            for problem in check_source(output.expression, "eval"):
                report.add(node, f"output parameter '{output.name}': {problem.message}", line=output.line)


def check_decisions(report: Report, process: etree._Element, bundle: Bundle) -> None:
    tasks = list(process.iter(bpmn("businessRuleTask")))
    if not tasks:
        return
    decisions: dict[str, tuple[str, etree._Element]] = {}
    for name, text in bundle.dmn.items():
        try:
            dmn = parse_xml(text.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            report.flag(None, "dmn_unparseable", element=name, line=exc.lineno or 0, name=name, detail=exc.msg)
            continue
        first = next(dmn.iterchildren(f"{{{etree.QName(dmn).namespace}}}decision"), None) if is_dmn(dmn) else None
        if first is not None:
            decisions.setdefault(first.get("id", ""), (name, dmn))
    for task in tasks:
        ref = _decision_ref(task)
        if not ref:
            report.flag(task, "decision_not_named")
        elif ref not in decisions:
            if bundle.dmn:
                report.flag(task, "decision_missing", ref=ref, files=", ".join(bundle.dmn))
            else:
                report.flag(task, "decision_missing_no_dmn", ref=ref)
        else:
            name, dmn = decisions[ref]
            for eid, line, message in dmn_problems(dmn, name):
                report.flag(task, "decision_problem", ref=ref, file=name, dmn_line=line, dmn_element=eid,
                            detail=message)


def _properties(node: etree._Element) -> list[etree._Element]:
    """The ``spiffworkflow:property`` / ``camunda:property`` elements right under ``node``'s extensions."""
    ext = node.find(bpmn("extensionElements"))
    if ext is None:
        return []
    return [*ext.iterfind("spiffworkflow:properties/spiffworkflow:property", NS),
            *ext.iterfind("camunda:properties/camunda:property", NS)]


def check_named_behaviours(report: Report, process: etree._Element) -> None:
    """Properties that name a registered behaviour: the process's ``casework``, each step's ``rule`` (and its
    ``stage``, when the casework lists its stages). An unknown name is an error at the property's line."""
    owner = process.get("id", "")
    stages: tuple[str, ...] = ()
    for prop in _properties(process):
        if prop.get("name") == "casework" and (word := (prop.get("value") or "").strip()):
            known = behaviours.find("casework", word)
            if known is None:
                words = ", ".join(b.name for b in behaviours.all("casework")) or "none is registered"
                report.add(prop, f"casework {word!r} is unknown (known: {words})", element=owner)
            else:
                stages = known.extra.get("stages", ())
    for proc in [process, *called_processes(process)]:
        for tag in TASK_TAGS:
            for node in proc.iter(bpmn(tag)):
                for prop in _properties(node):
                    name, value = prop.get("name"), (prop.get("value") or "").strip()
                    if name == "rule":
                        for rule in (r.strip() for r in value.split(",") if r.strip()):
                            if behaviours.find("rule", rule) is None:
                                rules = ", ".join(b.name for b in behaviours.all("rule")) or "none is registered"
                                report.add(prop, f"rule {rule!r} is unknown (known: {rules})", element=node.get("id"))
                    elif name == "stage" and stages and value not in stages:
                        report.add(prop, f"stage {value!r} is not a stage of this casework ({', '.join(stages)})",
                                   element=node.get("id"))
