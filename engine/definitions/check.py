"""The definition checker behind ``docket check``, deploy and the designer's upload page.

Every problem names the file, the line and the BPMN element id. Errors block deployment; warnings
are printed but do not. A DMN file given on its own is checked as a decision table.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.behaviours import behaviours
from engine.connectors.checking import CheckContext, check_call
from engine.connectors.reading import read_service_task
from engine.forms import check_form_document
from engine.scripts import check_source
from engine.scripts.provided import unavailable_names
from engine.scripts.sandbox import available_names
from engine.workdays import as_due

from . import properties  # noqa: F401  (registers the properties the core reads)
from .bundle import Bundle
from .camunda import camunda_problems
from .case_fields import case_fields
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
from .wording import english, worded
from .xml import BPMN, NS, SPIFF, bpmn, camunda, local, parse_xml

SUPPORTED = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
    "subProcess", "transaction", "callActivity",
}
FLOW_NODES = SUPPORTED | {"complexGateway", "adHocSubProcess", "choreographyTask",
                          "subChoreography", "callChoreography"}
UNSUPPORTED_REASON = {
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
    """One thing wrong with a definition: where, and what (a code with parameters, worded in any language)."""

    file: str
    line: int
    element: str
    message: str  # in English
    severity: str = "error"
    code: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, locale: str | None = None) -> str:
        """The message in ``locale`` (English without one)."""
        if not self.code or locale is None:
            return self.message
        return worded(self.code, dict(self.params), locale)

    def line_text(self, locale: str | None = None) -> str:
        """``file:line element message`` as ``docket check`` prints it."""
        where = f"{self.file}:{self.line}"
        prefix = "" if self.severity == "error" else f"{worded('severity_' + self.severity, {}, locale)}: "
        return f"{where} {self.element or '-'} {prefix}{self.text(locale)}"

    def __str__(self) -> str:
        return self.line_text()

    def as_dict(self, locale: str | None = None) -> dict[str, Any]:
        return {"element": self.element, "line": self.line, "severity": self.severity, "message": self.text(locale)}


class _Report:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.root: etree._Element | None = None  # to find the line of an element named only by id
        self.problems: list[Problem] = []

    def add(self, node: etree._Element | None, message: str, severity: str = "error",
            element: str | None = None, line: int | None = None, code: str = "",
            params: dict[str, Any] | None = None) -> None:
        eid = element if element is not None else (node.get("id", "") if node is not None else "")
        ln = line if line is not None else (node.sourceline or 0 if node is not None else 0)
        if not ln and eid and self.root is not None:
            found = self.root.xpath("//*[@id=$eid]", eid=eid)
            ln = found[0].sourceline or 0 if found else 0
        self.problems.append(Problem(self.filename, ln, eid, message, severity, code,
                                     tuple(sorted((params or {}).items()))))

    def flag(self, node: etree._Element | None, code: str, severity: str = "error", element: str | None = None,
             line: int | None = None, **params: Any) -> None:
        """Add the problem ``code`` (a template of ``wording.TEMPLATES``) with its parameters."""
        self.add(node, english(code, params), severity, element, line, code, params)

    @property
    def failed(self) -> bool:
        return has_errors(self.problems)


def _check_expression(report: _Report, node: etree._Element, source: str, what: str, mode: str = "eval",
                      element: str | None = None) -> None:
    problems = check_source(source, mode)
    for problem in problems:
        line = (node.sourceline or 0) + max(problem.line - 1, 0)
        report.flag(node, "expression_problem", line=line, element=element or _owner_id(node), what=what,
                    detail=problem.message)
    if problems:
        return
    available = available_names() | set(behaviours.helper_functions())
    for line, name in unavailable_names(source, mode, available):
        report.flag(node, "builtin_unavailable", line=(node.sourceline or 0) + max(line - 1, 0),
                    element=element or _owner_id(node), what=what, name=name)


def _owner_id(node: etree._Element) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id", "") if node is not None else ""


def _check_condition(report: _Report, flow: etree._Element, cond: etree._Element) -> None:
    text, fid = (cond.text or "").strip(), flow.get("id", "")
    language = (cond.get("language") or "").strip()
    if language.lower() not in CONDITION_LANGUAGES:
        report.flag(cond, "condition_language", element=fid, language=language)
        return
    if is_camunda_expression(text):
        try:
            text = translate_camunda(text)
        except ExpressionError as exc:
            report.flag(cond, "condition_camunda", element=fid, text=repr(text), detail=str(exc))
            return
    elif text.startswith("="):
        report.flag(cond, "condition_feel", element=fid, text=repr(text))
        return
    _check_expression(report, cond, text, "condition", element=fid)


def _check_script(report: _Report, node: etree._Element) -> None:
    script_format = (node.get("scriptFormat") or "").strip().lower()
    if script_format in OTHER_SCRIPT_LANGUAGES:
        report.flag(node, "script_format_unsupported", format=node.get("scriptFormat"))
        return
    if script_format not in PYTHON:
        report.flag(node, "script_format_other", severity="warning", format=node.get("scriptFormat"))
    script = node.find(bpmn("script"))
    if script is None or not (script.text or "").strip():
        report.flag(node, "script_missing")
    else:
        _check_expression(report, script, script.text or "", "script", mode="exec")


def _check_pre_post_scripts(report: _Report, process: etree._Element) -> None:
    """SpiffWorkflow pre- and post-scripts (on any task) are sandboxed Python like script tasks."""
    for node in process.iter(f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript"):
        if (node.text or "").strip():
            what = "pre-script" if node.tag.endswith("preScript") else "post-script"
            _check_expression(report, node, node.text or "", what, mode="exec")


def _check_nodes(report: _Report, process: etree._Element) -> None:
    if not process.get("id"):
        report.flag(process, "process_no_id")
    for node in process.iter():
        if not isinstance(node.tag, str):  # entity references, processing instructions
            continue
        name = local(node.tag)
        if node.tag == f"{{{SPIFF}}}property" and node.get("value") is None:
            report.flag(node, "property_no_value", element=_owner_id(node), name=node.get("name"))
        if not node.tag.startswith(f"{{{BPMN}}}"):
            continue
        if name in FLOW_NODES | {"sequenceFlow"} and not node.get("id"):
            report.flag(node, "node_no_id", element=_owner_id(node), tag=name)
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
                report.flag(None, "timer_empty", element=_owner_id(node.getparent()), line=node.sourceline or 0)
            else:
                _check_timer(report, node)
        elif name == "dataStoreReference" and not _data_store_exists(node):
            report.flag(node, "data_store_missing", store=node.get("dataStoreRef") or "")


TIMER_KINDS = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}
ISO_START = re.compile(r"^(R\d*/|P(?=[\dT])|\d{4}-\d)", re.IGNORECASE)


def _timer_literal(text: str) -> str | None:
    """The ISO text of a literal timer value (quoted, or bare as Camunda Modeler writes it), or None when the
    value is an expression evaluated when the timer starts."""
    if is_camunda_expression(text):
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text if ISO_START.match(text) else None
    return value if isinstance(value, str) else None


def _iso_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return bool(re.match(r"^\d{4}-?W\d\d-?\d(T.+)?$", text))
    return True


def _iso_cycle(text: str) -> bool:
    parts = text.upper().replace("--", "/").split("/")
    if len(parts) not in (2, 3) or not re.match(r"^R\d*$", parts[0]):
        return False
    rest = parts[1:]
    durations = [p for p in rest if DURATION.match(p)]
    return bool(durations) and all(DURATION.match(p) or _iso_date(p) for p in rest)


def _check_timer(report: _Report, definition: etree._Element) -> None:
    """Literal timer values must be valid ISO 8601; expressions must compile in the sandbox."""
    for child in definition.iterchildren(*(bpmn(t) for t in TIMER_KINDS)):
        text = (child.text or "").strip()
        if not text:
            continue
        kind = TIMER_KINDS[local(child.tag)]
        literal = _timer_literal(text)
        element = _owner_id(definition.getparent())
        if literal is None:
            source = text
            if is_camunda_expression(text):
                try:
                    source = translate_camunda(text)
                except ExpressionError as exc:
                    report.flag(child, "expression_problem", element=element, what="timer", detail=str(exc))
                    continue
            _check_expression(report, child, source, "timer", element=element)
            continue
        valid = {"duration": lambda v: bool(DURATION.match(v)), "date": _iso_date, "cycle": _iso_cycle}[kind]
        if not valid(literal.strip()):
            report.flag(child, f"timer_{kind}_invalid", element=element, value=repr(literal))


def _check_structure(report: _Report, root: etree._Element) -> None:
    """Ids unique in the file (both lines named); sequence flows between elements of their process; message
    flows between elements of the file."""
    seen: dict[str, list[etree._Element]] = {}
    for node in root.iter():  # BPMN model elements (extensions such as camunda:property use "id" as a name)
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{BPMN}}}") and node.get("id"):
            seen.setdefault(node.get("id"), []).append(node)
    for eid, nodes in seen.items():
        if len(nodes) > 1:
            lines = ", ".join(str(n.sourceline or 0) for n in nodes)
            report.flag(nodes[0], "duplicate_id", element=eid, id=eid, lines=lines)
    for process in root.iterfind("bpmn:process", NS):
        ids = {n.get("id") for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
        for flow in process.iter(bpmn("sequenceFlow")):
            for attr, missing, dangling in (("sourceRef", "flow_no_source", "flow_source_missing"),
                                            ("targetRef", "flow_no_target", "flow_target_missing")):
                ref = (flow.get(attr) or "").strip()
                if not ref:
                    report.flag(flow, missing)
                elif ref not in ids:
                    report.flag(flow, dangling, ref=ref)
    for flow in root.iter(bpmn("messageFlow")):
        for attr in ("sourceRef", "targetRef"):
            ref = (flow.get(attr) or "").strip()
            if ref and ref not in seen:
                report.flag(flow, "message_flow_missing", ref=ref)


def _data_store_exists(reference: etree._Element) -> bool:
    store = (reference.get("dataStoreRef") or "").strip()
    root = reference.getroottree().getroot()
    return bool(store) and bool(root.xpath("//bpmn:dataStore[@id=$i]", namespaces=NS, i=store))


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
            report.flag(flow, "gateway_branch", gateway=gid)


def _check_calls(report: _Report, root: etree._Element, process: etree._Element) -> None:
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
        report.flag(node, "due_date_invalid", value=repr(literal))


FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _check_sla(report: _Report, node: etree._Element, meta: Any) -> None:
    """``dueFrom`` names a case-data field and needs ``dueIn``; ``extensionMax`` is a duration."""
    if meta.due_from is not None:
        if not FIELD_PATH.match(meta.due_from):
            report.flag(node, "due_from_field", field=meta.due_from)
        if not meta.due_in:
            report.flag(node, "due_from_needs_due_in", field=meta.due_from)
        if meta.due_date:
            report.flag(node, "due_from_and_date")
    cap = meta.properties.get("extensionMax")
    if cap is not None and not DURATION.match(cap.strip()):
        report.flag(node, "extension_max", value=cap)
    lock = meta.properties.get("lockAfterDue")
    if lock is not None and lock.strip().lower() not in ("true", "false"):
        report.flag(node, "lock_after_due", value=lock)


SLA_DAY_SETTINGS = ("remindBeforeDays", "remindEveryDays", "escalateAfterDays", "escalateAgainAfterDays")


def _check_sla_settings(report: _Report, process: etree._Element) -> None:
    """Reminder and escalation settings on the process are whole numbers of days."""
    settings = read_process(process).settings
    for name in SLA_DAY_SETTINGS:
        value = settings.get(name)
        if value is not None and not value.strip().isdigit():
            report.flag(process, "setting_days", name=name, value=value)


def _check_form(report: _Report, node: etree._Element, key: str, bundle: Bundle) -> None:
    if key in bundle.form_errors:
        report.flag(node, "form_problem", key=key, detail=bundle.form_errors[key])
    elif key not in bundle.forms:
        report.flag(node, "form_unknown", key=key)
    else:
        for msg in check_form_document(bundle.forms[key]):
            report.flag(node, "form_problem", key=key, detail=msg)


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
                report.flag(node, "task_setting", detail=str(exc))
                continue
            if meta.form_key:
                _check_form(report, node, meta.form_key, bundle)
            _check_assignment(report, node, meta.candidate_groups, "candidate groups")
            _check_assignment(report, node, meta.candidate_users, "candidate users")
            _check_assignment(report, node, meta.assignee, "assignee")
            if meta.due_date:
                _check_due_date(report, node, meta.due_date)
            if meta.due_in and not DURATION.match(meta.due_in.strip()):
                report.flag(node, "due_in_invalid", value=meta.due_in)
            _check_sla(report, node, meta)
            if meta.calendar not in CALENDARS:
                report.flag(node, "calendar_invalid", value=meta.calendar, choices=", ".join(CALENDARS))
            groups = set(meta.candidate_groups.literals)
            lane = lane_of.get(meta.element_id)
            if lane and not (meta.candidate_groups or meta.candidate_users or meta.assignee):
                groups.add(lanes.get(lane, lane))
            if not (groups or meta.candidate_groups or meta.candidate_users or meta.assignee):
                report.flag(node, "task_no_group", severity="warning")
            if known_groups is not None:
                for group in sorted(groups - known_groups):
                    report.flag(node, "group_missing", group=group)


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
                report.flag(node, "summary_field_unlabelled", severity="warning", property=name, field=field)
    steps = {t.element_id for t in meta.tasks.values()}
    marked = [t for t in meta.tasks.values() if (t.properties.get("startForm") or "").strip()]
    for task in marked[1:]:
        report.flag(_node(process, task.element_id), "start_form_twice")
    for task in meta.tasks.values():
        node = _node(process, task.element_id)
        for name in ("returnable", "startForm"):
            value = (task.properties.get(name) or "").strip().lower()
            if value and value not in ("true", "false", "yes", "no", "1", "0"):
                report.flag(node, "property_not_flag", property=name, value=task.properties[name])
        for target in [t.strip() for t in (task.properties.get("returnTo") or "").split(",") if t.strip()]:
            if target != "none" and target not in steps:
                report.flag(node, "return_to_unknown", step=target)


def _node(process: etree._Element, element_id: str) -> etree._Element | None:
    return next((n for n in process.iter() if n.get("id") == element_id), None)


def _check_lanes(report: _Report, process: etree._Element) -> dict[str, str]:
    """Lanes holding user tasks need a group; every node a lane lists must exist in the process."""
    meta = read_process(process)
    ids = {n.get("id") for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
    human = {n.get("id") for tag in TASK_TAGS for n in process.iter(bpmn(tag))}
    lanes = {lane.get("id", ""): lane for lane in process.iter(bpmn("lane"))}
    for lane_id, line in meta.lanes_unmapped:
        refs = {(r.text or "").strip() for r in lanes[lane_id].iter(bpmn("flowNodeRef"))} if lane_id in lanes else set()
        if refs & human:
            report.flag(None, "lane_unmapped", element=lane_id, line=line)
    names = {n.get("name") for n in process.iter() if isinstance(n.tag, str) and n.get("name")}
    for lane in lanes.values():
        for ref in lane.iterchildren(bpmn("flowNodeRef")):
            node = (ref.text or "").strip()
            if node in ids:
                continue
            meant = f"{process.get('id')}.{node}" if f"{process.get('id')}.{node}" in ids else None
            if meant or node in names:  # old exporters list nodes by name or by an unprefixed id
                if meant:
                    report.flag(ref, "lane_short_id", severity="warning", element=lane.get("id", ""), ref=node,
                                meant=meant)
                else:
                    report.flag(ref, "lane_by_name", severity="warning", element=lane.get("id", ""), ref=node)
            else:
                report.flag(ref, "lane_missing_node", element=lane.get("id", ""), ref=node)
    return meta.lane_groups


def _decision_ref(task: etree._Element) -> str:
    spiff = task.find(f"{bpmn('extensionElements')}/{{{SPIFF}}}calledDecisionId")
    return (task.get(camunda("decisionRef")) or (spiff.text if spiff is not None else "") or "").strip()


def _check_service_tasks(report: _Report, process: etree._Element, bundle: Bundle,
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


def _check_decisions(report: _Report, process: etree._Element, bundle: Bundle) -> None:
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


def _spiff_problem(report: _Report, exc: SpiffWorkflowException, fallback: etree._Element) -> None:
    if isinstance(exc, ValidationException):
        line = exc.line_number if isinstance(exc.line_number, int) else 0
        report.flag(None if exc.id else fallback, "engine_says", element=exc.id or None, line=line or None,
                    detail=spiff_message(exc))
    else:
        spec = getattr(exc, "task_spec", None)
        report.flag(None if spec else fallback, "engine_says", element=spec.name if spec else None,
                    detail=spiff_message(exc))


def _check_definitions(report: _Report, root: etree._Element) -> list[etree._Element]:
    """The executable processes to check; reports why there are none, or no single one to start."""
    processes = executable_processes(root)
    if not processes:
        others = list(root.iterfind("bpmn:process", NS))
        for proc in others:
            report.flag(proc, "not_executable")
        if not others:
            report.flag(root, "no_process")
        return []
    try:
        main_process(root)
    except DefinitionError:
        report.flag(root, "call_cycle")
    return processes


def check_bundle(bundle: Bundle, known_groups: set[str] | None = None) -> list[Problem]:
    """Every problem in ``bundle``; ``known_groups`` (when given) must contain each assigned group."""
    report = _Report(bundle.filename)
    bundle.add_generated_forms()
    try:
        root = parse_xml(bundle.bpmn)
    except etree.XMLSyntaxError as exc:
        report.flag(None, "unparseable_xml", element="", line=exc.lineno or 0, detail=exc.msg)
        return report.problems
    report.root = root
    try:
        bundle.bpmn.decode("utf-8")
    except UnicodeDecodeError:
        report.flag(root, "not_utf8")
    if root.getroottree().docinfo.internalDTD is not None:
        report.flag(root, "doctype")
    if is_dmn(root):
        for eid, line, message in dmn_problems(root, bundle.filename):
            report.flag(None, "engine_says", element=eid, line=line, detail=message)
    elif root.tag != bpmn("definitions"):
        report.flag(root, "not_bpmn", tag=local(root.tag))
    else:
        _check_bpmn(report, root, bundle, known_groups)
    return list(dict.fromkeys(report.problems))  # a called process's lanes are read with each caller


def _check_bpmn(report: _Report, root: etree._Element, bundle: Bundle, known_groups: set[str] | None) -> None:
    _check_structure(report, root)
    processes = _check_definitions(report, root)
    ids = {p.get("id", "") for p in processes}
    for proc in processes:
        for node, code, params in camunda_problems(proc, ids):
            report.flag(node, code, **params)
        lanes = _check_lanes(report, proc)
        _check_nodes(report, proc)
        _check_calls(report, root, proc)
        _check_decisions(report, proc, bundle)
        _check_service_tasks(report, proc, bundle, known_groups)
        _check_pre_post_scripts(report, proc)
        _check_tasks(report, proc, bundle, lanes, known_groups)
        _check_task_page(report, proc, bundle)
        _check_sla_settings(report, proc)
        _check_named_behaviours(report, proc)
    if report.failed or not processes:
        return
    for process in processes:  # each executable process is deployed, so each must parse
        try:
            build(bundle.bpmn, bundle.dmn, bundle.forms, bundle.filename, process.get("id"))
        except NormalizeError as exc:
            report.flag(None, "engine_says", element=exc.element, line=exc.line, detail=exc.message)
            return
        except SpiffWorkflowException as exc:
            _spiff_problem(report, exc, process)
        except Exception as exc:  # the parser's own bugs must still come out as a named problem
            report.flag(process, "engine_cannot_parse", detail=f"{type(exc).__name__}: {exc}")


def _properties(node: etree._Element) -> list[etree._Element]:
    """The ``spiffworkflow:property`` / ``camunda:property`` elements right under ``node``'s extensions."""
    ext = node.find(bpmn("extensionElements"))
    if ext is None:
        return []
    return [*ext.iterfind("spiffworkflow:properties/spiffworkflow:property", NS),
            *ext.iterfind("camunda:properties/camunda:property", NS)]


def _check_named_behaviours(report: _Report, process: etree._Element) -> None:
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


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
