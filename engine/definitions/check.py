"""The definition checker behind ``docket check``, deploy and the designer's upload page.

Every problem names the file, the line and the BPMN element id. Errors block deployment; warnings
are printed but do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.forms import check_form_document
from engine.scripts import check_source

from .bundle import Bundle
from .expressions import ExpressionError, is_camunda_expression, translate_camunda
from .meta import TASK_TAGS, Assignment, executable_processes, read_task
from .normalize import NormalizeError, normalize
from .parse import DefinitionError, build, main_process
from .xml import BPMN, bpmn, local, parse_xml

SUPPORTED = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
    "subProcess", "transaction", "callActivity",
}
FLOW_NODES = SUPPORTED | {"serviceTask", "complexGateway", "adHocSubProcess", "choreographyTask",
                          "subChoreography", "callChoreography"}
UNSUPPORTED_REASON = {
    "serviceTask": "has no runtime behaviour here (Docket has no service connectors; use a script task)",
    "complexGateway": "is not supported by the engine (use an inclusive or exclusive gateway)",
    "adHocSubProcess": "is not supported by Docket yet",
}
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
CALENDARS = ("calendar", "workdays")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition."""

    file: str
    line: int
    element: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where} {self.element or '-'} {prefix}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"element": self.element, "line": self.line, "severity": self.severity, "message": self.message}


class _Report:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, node: etree._Element | None, message: str, severity: str = "error",
            element: str | None = None, line: int | None = None) -> None:
        eid = element if element is not None else (node.get("id", "") if node is not None else "")
        ln = line if line is not None else (node.sourceline or 0 if node is not None else 0)
        self.problems.append(Problem(self.filename, ln, eid, message, severity))


def _check_expression(report: _Report, node: etree._Element, source: str, what: str, mode: str = "eval") -> None:
    for problem in check_source(source, mode):
        line = (node.sourceline or 0) + max(problem.line - 1, 0)
        report.add(node, f"{what}: {problem.message}", line=line, element=_owner_id(node))


def _owner_id(node: etree._Element) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id", "") if node is not None else ""


def _check_nodes(report: _Report, process: etree._Element) -> None:
    for node in process.iter():
        name = local(node.tag)
        if node.tag.startswith(f"{{{BPMN}}}") and name in FLOW_NODES and name not in SUPPORTED:
            report.add(node, f"{name} {UNSUPPORTED_REASON.get(name, 'is not supported')}")
        if name == "scriptTask":
            script = node.find(bpmn("script"))
            if script is None or not (script.text or "").strip():
                report.add(node, "script task has no script")
            else:
                _check_expression(report, script, script.text or "", "script", mode="exec")
        if name in ("exclusiveGateway", "inclusiveGateway"):
            _check_gateway(report, process, node)
        if name == "sequenceFlow":
            cond = node.find(bpmn("conditionExpression"))
            if cond is not None and (cond.text or "").strip():
                text = (cond.text or "").strip()
                try:
                    text = translate_camunda(text) if is_camunda_expression(text) else text
                except ExpressionError as exc:
                    report.add(cond, str(exc), element=node.get("id", ""))
                    continue
                _check_expression(report, cond, text, "condition")


def _check_gateway(report: _Report, process: etree._Element, gateway: etree._Element) -> None:
    gid = gateway.get("id")
    outgoing = [f for f in process.iter(bpmn("sequenceFlow")) if f.get("sourceRef") == gid]
    if len(outgoing) < 2:
        return
    for flow in outgoing:
        if flow.get("id") == gateway.get("default"):
            continue
        cond = flow.find(bpmn("conditionExpression"))
        if cond is None or not (cond.text or "").strip():
            report.add(flow, f"branch of gateway '{gid}' has no condition (add one or make it the default flow)")


def _check_assignment(report: _Report, node: etree._Element, value: Assignment, what: str) -> None:
    for expr in value.expressions:
        _check_expression(report, node, expr, what)


def _check_tasks(report: _Report, process: etree._Element, bundle: Bundle, lanes: dict[str, str],
                 known_groups: set[str] | None) -> None:
    lane_of = {}
    for lane in process.iter(bpmn("lane")):
        for ref in lane.iter(bpmn("flowNodeRef")):
            lane_of[(ref.text or "").strip()] = (lane.get("name") or "").strip() or lane.get("id", "")
    for tag in TASK_TAGS:
        for node in process.iter(bpmn(tag)):
            try:
                meta = read_task(node)
            except ExpressionError as exc:
                report.add(node, str(exc))
                continue
            if meta.form_key:
                if meta.form_key in bundle.form_errors:
                    report.add(node, f"form '{meta.form_key}': {bundle.form_errors[meta.form_key]}")
                elif meta.form_key not in bundle.forms:
                    report.add(node, f"unknown form key '{meta.form_key}' (no {meta.form_key}.json given)")
                else:
                    for msg in check_form_document(bundle.forms[meta.form_key]):
                        report.add(node, f"form '{meta.form_key}': {msg}")
            _check_assignment(report, node, meta.candidate_groups, "candidate groups")
            _check_assignment(report, node, meta.candidate_users, "candidate users")
            _check_assignment(report, node, meta.assignee, "assignee")
            if meta.due_date:
                _check_expression(report, node, meta.due_date, "due date")
            if meta.due_in and not DURATION.match(meta.due_in.strip()):
                report.add(node, f"dueIn '{meta.due_in}' is not an ISO 8601 duration such as P10D or PT4H")
            if meta.calendar not in CALENDARS:
                report.add(node, f"calendar '{meta.calendar}' must be one of: {', '.join(CALENDARS)}")
            groups = set(meta.candidate_groups.literals)
            lane = lane_of.get(meta.element_id)
            if lane and not (meta.candidate_groups or meta.candidate_users or meta.assignee):
                groups.add(lanes.get(lane, lane))
            if not (groups or meta.candidate_groups or meta.candidate_users or meta.assignee):
                report.add(node, "user task has no lane or candidate groups: only administrators can do it",
                           severity="warning")
            if known_groups is not None:
                for group in sorted(groups - known_groups):
                    report.add(node, f"group '{group}' does not exist (create it or map the lane to a group)")


def _check_lanes(report: _Report, process: etree._Element) -> dict[str, str]:
    from .meta import read_process

    meta = read_process(process)
    for lane_id, line in meta.lanes_unmapped:
        report.add(None, "lane has neither a name nor a group property: no group to assign its tasks to",
                   element=lane_id, line=line)
    return meta.lane_groups


def _spiff_problem(report: _Report, exc: SpiffWorkflowException) -> None:
    if isinstance(exc, ValidationException):
        line = exc.line_number if isinstance(exc.line_number, int) else 0
        report.add(None, str(exc.args[0] if exc.args else exc), element=exc.id or "", line=line)
    else:
        report.add(None, str(exc), element=getattr(exc, "task_spec", None) and exc.task_spec.name or "")


def check_bundle(bundle: Bundle, known_groups: set[str] | None = None) -> list[Problem]:
    """Every problem in ``bundle``; ``known_groups`` (when given) must contain each assigned group."""
    report = _Report(bundle.filename)
    try:
        root = parse_xml(bundle.bpmn)
    except etree.XMLSyntaxError as exc:
        report.add(None, f"unparseable XML: {exc.msg}", element="", line=exc.lineno or 0)
        return report.problems
    if root.tag != bpmn("definitions"):
        report.add(root, f"not a BPMN 2.0 file: root element is <{local(root.tag)}>, expected bpmn:definitions")
        return report.problems
    try:
        process = main_process(root)
    except DefinitionError as exc:
        report.add(root, f"{exc} — nothing to run" if not executable_processes(root) else str(exc))
        return report.problems
    for proc in executable_processes(root):
        lanes = _check_lanes(report, proc)
        _check_nodes(report, proc)
        _check_tasks(report, proc, bundle, lanes, known_groups)
    if any(p.severity == "error" for p in report.problems):
        return report.problems
    try:
        normalize(parse_xml(bundle.bpmn))
        build(bundle.bpmn, bundle.dmn, bundle.forms, bundle.filename)
    except NormalizeError as exc:
        report.add(None, exc.message, element=exc.element, line=exc.line)
    except SpiffWorkflowException as exc:
        _spiff_problem(report, exc)
    except Exception as exc:  # the parser's own bugs must still come out as a named problem
        report.add(process, f"the engine cannot parse this process: {type(exc).__name__}: {exc}")
    return report.problems


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
