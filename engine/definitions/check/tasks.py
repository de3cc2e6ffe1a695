"""Human tasks and their lanes: forms that exist, assignments, due dates and SLA settings, the task page's
properties."""

from __future__ import annotations

import ast
import re
from typing import Any

from lxml import etree

from engine.forms import check_form_document
from engine.workdays import as_due

from ..bundle import Bundle
from ..expressions import ExpressionError
from ..meta import (
    TASK_TAGS,
    Assignment,
    form_key_of,
    read_process,
    read_task,
)
from ..xml import NS, bpmn
from .report import Report
from .scripts import check_expression
from .timers import DURATION

CALENDARS = ("calendar", "workdays")


def _check_assignment(report: Report, node: etree._Element, value: Assignment, what: str) -> None:
    for expr in value.expressions:
        check_expression(report, node, expr, what)


def _check_due_date(report: Report, node: etree._Element, due_date: str) -> None:
    try:
        literal = ast.literal_eval(due_date)
    except (ValueError, SyntaxError):
        check_expression(report, node, due_date, "due date")
        return
    try:
        as_due(literal)
    except (ValueError, TypeError):
        report.flag(node, "due_date_invalid", value=repr(literal))


FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _check_sla(report: Report, node: etree._Element, meta: Any) -> None:
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


def check_sla_settings(report: Report, process: etree._Element) -> None:
    """Reminder and escalation settings on the process are whole numbers of days."""
    settings = read_process(process).settings
    for name in SLA_DAY_SETTINGS:
        value = settings.get(name)
        if value is not None and not value.strip().isdigit():
            report.flag(process, "setting_days", name=name, value=value)


def _check_form(report: Report, node: etree._Element, key: str, bundle: Bundle) -> None:
    if key in bundle.form_errors:
        report.flag(node, "form_problem", key=key, detail=bundle.form_errors[key])
    elif key not in bundle.forms:
        report.flag(node, "form_unknown", key=key)
    else:
        for msg in check_form_document(bundle.forms[key]):
            report.flag(node, "form_problem", key=key, detail=msg)


def check_tasks(report: Report, process: etree._Element, bundle: Bundle, lanes: dict[str, str],
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


def check_task_page(report: Report, process: etree._Element, bundle: Bundle) -> None:
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


def check_lanes(report: Report, process: etree._Element) -> dict[str, str]:
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
