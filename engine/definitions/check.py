"""The definition checker behind ``docket check``, deploy and the designer's upload page.

Every problem names the file, the line and the BPMN element id. Errors block deployment; warnings
are printed but do not. A DMN file given on its own is checked as a decision table.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.forms import check_form_document
from engine.scripts import check_source
from engine.workdays import as_due

from .bundle import Bundle
from .expressions import ExpressionError, is_camunda_expression, translate_camunda
from .meta import (
    TASK_TAGS,
    Assignment,
    called_processes,
    executable_processes,
    form_key_of,
    is_executable,
    read_process,
    read_task,
)
from .normalize import NormalizeError
from .parse import DefinitionError, build, dmn_problems, is_dmn, main_process, spiff_message
from .xml import BPMN, NS, SPIFF, bpmn, camunda, local, parse_xml

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
PYTHON = {"", "python", "python3", "text/x-python", "application/x-python"}
CONDITION_LANGUAGES = PYTHON | {"juel", "${}"}
OTHER_SCRIPT_LANGUAGES = {"groovy", "javascript", "js", "ecmascript", "nashorn", "graal.js", "juel", "feel",
                          "ruby", "jruby", "kotlin", "java", "xpath"}


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
        self.root: etree._Element | None = None  # to find the line of an element named only by id
        self.problems: list[Problem] = []

    def add(self, node: etree._Element | None, message: str, severity: str = "error",
            element: str | None = None, line: int | None = None) -> None:
        eid = element if element is not None else (node.get("id", "") if node is not None else "")
        ln = line if line is not None else (node.sourceline or 0 if node is not None else 0)
        if not ln and eid and self.root is not None:
            found = self.root.xpath("//*[@id=$eid]", eid=eid)
            ln = found[0].sourceline or 0 if found else 0
        self.problems.append(Problem(self.filename, ln, eid, message, severity))

    @property
    def failed(self) -> bool:
        return has_errors(self.problems)


def _check_expression(report: _Report, node: etree._Element, source: str, what: str, mode: str = "eval",
                      element: str | None = None) -> None:
    for problem in check_source(source, mode):
        line = (node.sourceline or 0) + max(problem.line - 1, 0)
        report.add(node, f"{what}: {problem.message}", line=line, element=element or _owner_id(node))


def _owner_id(node: etree._Element) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id", "") if node is not None else ""


def _check_condition(report: _Report, flow: etree._Element, cond: etree._Element) -> None:
    text, fid = (cond.text or "").strip(), flow.get("id", "")
    language = (cond.get("language") or "").strip()
    if language.lower() not in CONDITION_LANGUAGES:
        report.add(cond, f"condition language '{language}' is not supported (write a Python expression)", element=fid)
        return
    if is_camunda_expression(text):
        try:
            text = translate_camunda(text)
        except ExpressionError as exc:
            report.add(cond, f"condition {text!r}: {exc}", element=fid)
            return
    elif text.startswith("="):
        report.add(cond, f"condition {text!r} is a FEEL expression (Camunda 8), not supported: write it in Python "
                   "or as a Camunda ${...} comparison", element=fid)
        return
    _check_expression(report, cond, text, "condition", element=fid)


def _check_script(report: _Report, node: etree._Element) -> None:
    script_format = (node.get("scriptFormat") or "").strip().lower()
    if script_format in OTHER_SCRIPT_LANGUAGES:
        report.add(node, f"script format '{node.get('scriptFormat')}' is not supported (scripts are Python)")
        return
    if script_format not in PYTHON:
        report.add(node, f"script format '{node.get('scriptFormat')}' is not Python; the script runs as Python",
                   severity="warning")
    script = node.find(bpmn("script"))
    if script is None or not (script.text or "").strip():
        report.add(node, "script task has no script")
    else:
        _check_expression(report, script, script.text or "", "script", mode="exec")


def _check_nodes(report: _Report, process: etree._Element) -> None:
    if not process.get("id"):
        report.add(process, "process has no id")
    for node in process.iter():
        if not isinstance(node.tag, str):  # entity references, processing instructions
            continue
        name = local(node.tag)
        if node.tag == f"{{{SPIFF}}}property" and node.get("value") is None:
            report.add(node, f"property '{node.get('name')}' has no value", element=_owner_id(node))
        if not node.tag.startswith(f"{{{BPMN}}}"):
            continue
        if name in FLOW_NODES | {"sequenceFlow"} and not node.get("id"):
            report.add(node, f"{name} has no id", element=_owner_id(node))
        if name in FLOW_NODES and name not in SUPPORTED:
            report.add(node, f"{name} {UNSUPPORTED_REASON.get(name, 'is not supported')}")
        if name == "scriptTask":
            _check_script(report, node)
        elif name in ("exclusiveGateway", "inclusiveGateway"):
            _check_gateway(report, process, node)
        elif name == "sequenceFlow":
            cond = node.find(bpmn("conditionExpression"))
            if cond is not None and (cond.text or "").strip():
                _check_condition(report, node, cond)
        elif name == "timerEventDefinition":
            if not any((child.text or "").strip() for child in node.iterchildren(
                    bpmn("timeDate"), bpmn("timeDuration"), bpmn("timeCycle"))):
                report.add(None, "timer has no date, duration or cycle", element=_owner_id(node.getparent()),
                           line=node.sourceline or 0)
        elif name == "dataStoreReference":
            what = node.get("dataStoreRef") or node.get("name") or node.get("id")
            report.add(node, f"data store '{what}' is not supported (keep the data in the case)")


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


def _check_calls(report: _Report, root: etree._Element, process: etree._Element) -> None:
    by_id = {p.get("id"): p for p in root.iterfind("bpmn:process", NS)}
    pid = process.get("id")
    for call in process.iter(bpmn("callActivity")):
        target = (call.get("calledElement") or "").strip()
        if not target:
            report.add(call, "call activity names no process to call (calledElement)")
        elif target not in by_id:
            report.add(call, f"called process '{target}' is not in this file (Docket deploys a process together "
                             "with the processes it calls, from one file)")
        elif not is_executable(by_id[target]):
            report.add(call, f"called process '{target}' is not executable (isExecutable=\"false\")")
        elif target == pid or process in called_processes(by_id[target]):
            report.add(call, f"calling '{target}' from '{pid}' is recursive; recursive call activities are not "
                             "supported")


def _check_assignment(report: _Report, node: etree._Element, value: Assignment, what: str) -> None:
    for expr in value.expressions:
        _check_expression(report, node, expr, what)


def _check_due_date(report: _Report, node: etree._Element, due_date: str) -> None:
    try:
        literal = ast.literal_eval(due_date)
    except (ValueError, SyntaxError):
        _check_expression(report, node, due_date, "due date")
        return
    try:
        as_due(literal)
    except (ValueError, TypeError):
        report.add(node, f"dueDate {literal!r} is not an ISO date or date-time (nor a ${{...}} or =expression)")


FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _check_sla(report: _Report, node: etree._Element, meta: Any) -> None:
    """``dueFrom`` names a case-data field and needs ``dueIn``; ``extensionMax`` is a duration."""
    if meta.due_from is not None:
        if not FIELD_PATH.match(meta.due_from):
            report.add(node, f"dueFrom '{meta.due_from}' must name a case-data field (e.g. sanction_known_on)")
        if not meta.due_in:
            report.add(node, f"dueFrom '{meta.due_from}' needs a dueIn duration to count from that date")
        if meta.due_date:
            report.add(node, "dueFrom and dueDate exclude each other (dueDate already gives the date)")
    cap = meta.properties.get("extensionMax")
    if cap is not None and not DURATION.match(cap.strip()):
        report.add(node, f"extensionMax '{cap}' is not an ISO 8601 duration such as P1M or P15D")
    lock = meta.properties.get("lockAfterDue")
    if lock is not None and lock.strip().lower() not in ("true", "false"):
        report.add(node, f"lockAfterDue '{lock}' must be true or false")


SLA_DAY_SETTINGS = ("remindBeforeDays", "remindEveryDays", "escalateAfterDays", "escalateAgainAfterDays")


def _check_sla_settings(report: _Report, process: etree._Element) -> None:
    """Reminder and escalation settings on the process are whole numbers of days."""
    settings = read_process(process).settings
    for name in SLA_DAY_SETTINGS:
        value = settings.get(name)
        if value is not None and not value.strip().isdigit():
            report.add(process, f"setting {name} '{value}' must be a whole number of days")


def _check_form(report: _Report, node: etree._Element, key: str, bundle: Bundle) -> None:
    if key in bundle.form_errors:
        report.add(node, f"form '{key}': {bundle.form_errors[key]}")
    elif key not in bundle.forms:
        report.add(node, f"unknown form key '{key}' (no {key}.json given)")
    else:
        for msg in check_form_document(bundle.forms[key]):
            report.add(node, f"form '{key}': {msg}")


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
                _check_form(report, node, meta.form_key, bundle)
            _check_assignment(report, node, meta.candidate_groups, "candidate groups")
            _check_assignment(report, node, meta.candidate_users, "candidate users")
            _check_assignment(report, node, meta.assignee, "assignee")
            if meta.due_date:
                _check_due_date(report, node, meta.due_date)
            if meta.due_in and not DURATION.match(meta.due_in.strip()):
                report.add(node, f"dueIn '{meta.due_in}' is not an ISO 8601 duration such as P10D or PT4H")
            _check_sla(report, node, meta)
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


def _check_task_page(report: _Report, process: etree._Element, bundle: Bundle) -> None:
    """The start form, the ``caseForm`` and the return properties (``returnTo``, ``returnable``) the task page
    reads: forms that exist, steps that exist."""
    meta = read_process(process)
    for node in process.iterfind("bpmn:startEvent", NS):
        key = form_key_of(node)
        if key:
            _check_form(report, node, key, bundle)
    case_form = (meta.settings.get("caseForm") or "").strip()
    if case_form:
        _check_form(report, process, case_form, bundle)
    labelled = {name for key in meta.form_keys() if isinstance(bundle.forms.get(key), dict)
                for name in (bundle.forms[key].get("properties") or {})}
    listed = [(process, "summary", meta.settings.get("summary"))] + [
        (_node(process, t.element_id), name, t.properties.get(name)) for t in meta.tasks.values()
        for name in ("summary", "opinion")]
    for node, name, value in listed:
        for field in [f.strip() for f in (value or "").replace("，", ",").split(",") if f.strip()]:
            if field not in labelled:
                report.add(node, f"{name} names '{field}', which no form of the process (caseForm included) "
                                 "labels: it would not be shown", severity="warning")
    steps = {t.element_id for t in meta.tasks.values()}
    marked = [t for t in meta.tasks.values() if (t.properties.get("startForm") or "").strip()]
    for task in marked[1:]:
        report.add(_node(process, task.element_id), "only one step of a process may be its startForm")
    for task in meta.tasks.values():
        node = _node(process, task.element_id)
        for name in ("returnable", "startForm"):
            value = (task.properties.get(name) or "").strip().lower()
            if value and value not in ("true", "false", "yes", "no", "1", "0"):
                report.add(node, f"{name} '{task.properties[name]}' must be true or false")
        for target in [t.strip() for t in (task.properties.get("returnTo") or "").split(",") if t.strip()]:
            if target != "none" and target not in steps:
                report.add(node, f"returnTo names '{target}', which is not a user task of this process")


def _node(process: etree._Element, element_id: str) -> etree._Element | None:
    return next((n for n in process.iter() if n.get("id") == element_id), None)


def _check_lanes(report: _Report, process: etree._Element) -> dict[str, str]:
    meta = read_process(process)
    for lane_id, line in meta.lanes_unmapped:
        report.add(None, "lane has neither a name nor a group property: no group to assign its tasks to",
                   element=lane_id, line=line)
    return meta.lane_groups


def _decision_ref(task: etree._Element) -> str:
    spiff = task.find(f"{bpmn('extensionElements')}/{{{SPIFF}}}calledDecisionId")
    return (task.get(camunda("decisionRef")) or (spiff.text if spiff is not None else "") or "").strip()


def _check_decisions(report: _Report, process: etree._Element, bundle: Bundle) -> None:
    tasks = list(process.iter(bpmn("businessRuleTask")))
    if not tasks:
        return
    decisions: dict[str, tuple[str, etree._Element]] = {}
    for name, text in bundle.dmn.items():
        try:
            dmn = parse_xml(text.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            report.add(None, f"DMN file {name} is unparseable XML: {exc.msg}", element=name, line=exc.lineno or 0)
            continue
        first = next(dmn.iterchildren(f"{{{etree.QName(dmn).namespace}}}decision"), None) if is_dmn(dmn) else None
        if first is not None:
            decisions.setdefault(first.get("id", ""), (name, dmn))
    for task in tasks:
        ref = _decision_ref(task)
        if not ref:
            report.add(task, "business rule task names no decision (camunda:decisionRef or "
                             "spiffworkflow:calledDecisionId)")
        elif ref not in decisions:
            given = f"DMN files given: {', '.join(bundle.dmn)}" if bundle.dmn else "no DMN file given"
            report.add(task, f"decision '{ref}' is not in any DMN file ({given})")
        else:
            name, dmn = decisions[ref]
            for eid, line, message in dmn_problems(dmn, name):
                report.add(task, f"decision '{ref}' ({name}:{line} {eid}): {message}")


def _spiff_problem(report: _Report, exc: SpiffWorkflowException, fallback: etree._Element) -> None:
    if isinstance(exc, ValidationException):
        line = exc.line_number if isinstance(exc.line_number, int) else 0
        report.add(None if exc.id else fallback, spiff_message(exc), element=exc.id or None, line=line or None)
    else:
        spec = getattr(exc, "task_spec", None)
        report.add(None if spec else fallback, spiff_message(exc), element=spec.name if spec else None)


def _check_definitions(report: _Report, root: etree._Element) -> list[etree._Element]:
    """The executable processes to check; reports why there are none, or no single one to start."""
    processes = executable_processes(root)
    if not processes:
        others = list(root.iterfind("bpmn:process", NS))
        for proc in others:
            report.add(proc, "process is not executable (isExecutable=\"false\"): nothing to run")
        if not others:
            report.add(root, "the file defines no process: nothing to run")
        return []
    try:
        main_process(root)
    except DefinitionError as exc:
        report.add(root, str(exc))
    return processes


def check_bundle(bundle: Bundle, known_groups: set[str] | None = None) -> list[Problem]:
    """Every problem in ``bundle``; ``known_groups`` (when given) must contain each assigned group."""
    report = _Report(bundle.filename)
    bundle.add_generated_forms()
    try:
        root = parse_xml(bundle.bpmn)
    except etree.XMLSyntaxError as exc:
        report.add(None, f"unparseable XML: {exc.msg}", element="", line=exc.lineno or 0)
        return report.problems
    report.root = root
    try:
        bundle.bpmn.decode("utf-8")
    except UnicodeDecodeError:
        report.add(root, "the file is not UTF-8 encoded: save it as UTF-8")
    if root.getroottree().docinfo.internalDTD is not None:
        report.add(root, "the file declares a DOCTYPE; entities are not read: remove it")
    if is_dmn(root):
        for eid, line, message in dmn_problems(root, bundle.filename):
            report.add(None, message, element=eid, line=line)
    elif root.tag != bpmn("definitions"):
        report.add(root, f"not a BPMN 2.0 file: root element is <{local(root.tag)}>, expected bpmn:definitions")
    else:
        _check_bpmn(report, root, bundle, known_groups)
    return list(dict.fromkeys(report.problems))  # a called process's lanes are read with each caller


def _check_bpmn(report: _Report, root: etree._Element, bundle: Bundle, known_groups: set[str] | None) -> None:
    processes = _check_definitions(report, root)
    for proc in processes:
        lanes = _check_lanes(report, proc)
        _check_nodes(report, proc)
        _check_calls(report, root, proc)
        _check_decisions(report, proc, bundle)
        _check_tasks(report, proc, bundle, lanes, known_groups)
        _check_task_page(report, proc, bundle)
        _check_sla_settings(report, proc)
    if report.failed or not processes:
        return
    process = main_process(root)
    try:
        build(bundle.bpmn, bundle.dmn, bundle.forms, bundle.filename)
    except NormalizeError as exc:
        report.add(None, exc.message, element=exc.element, line=exc.line)
    except SpiffWorkflowException as exc:
        _spiff_problem(report, exc, process)
    except Exception as exc:  # the parser's own bugs must still come out as a named problem
        report.add(process, f"the engine cannot parse this process: {type(exc).__name__}: {exc}")


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
