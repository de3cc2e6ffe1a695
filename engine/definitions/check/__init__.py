"""The definition checker behind ``docket check``, deploy and the designer's upload page.

Every problem names the file, the line and the BPMN element id. Errors block deployment; warnings
are printed but do not. A DMN file given on its own is checked as a decision table.
"""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .. import properties  # noqa: F401  (registers the properties the core reads)
from ..bundle import Bundle
from ..camunda import camunda_problems
from ..normalize import NormalizeError
from ..parse import build, dmn_problems, is_dmn, spiff_message
from ..xml import bpmn, local, parse_xml
from .calls import check_calls, check_decisions, check_named_behaviours, check_service_tasks
from .flow import SUPPORTED, UNSUPPORTED_REASON, check_definitions, check_nodes, check_structure
from .report import Problem, Report, has_errors
from .scripts import check_pre_post_scripts
from .tasks import check_lanes, check_sla_settings, check_task_page, check_tasks

__all__ = ["SUPPORTED", "UNSUPPORTED_REASON", "Problem", "check_bundle", "has_errors"]


def _spiff_problem(report: Report, exc: SpiffWorkflowException, fallback: etree._Element) -> None:
    if isinstance(exc, ValidationException):
        line = exc.line_number if isinstance(exc.line_number, int) else 0
        report.flag(None if exc.id else fallback, "engine_says", element=exc.id or None, line=line or None,
                    detail=spiff_message(exc))
    else:
        spec = getattr(exc, "task_spec", None)
        report.flag(None if spec else fallback, "engine_says", element=spec.name if spec else None,
                    detail=spiff_message(exc))


def check_bundle(bundle: Bundle, known_groups: set[str] | None = None) -> list[Problem]:
    """Every problem in ``bundle``; ``known_groups`` (when given) must contain each assigned group."""
    report = Report(bundle.filename)
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


def _check_bpmn(report: Report, root: etree._Element, bundle: Bundle, known_groups: set[str] | None) -> None:
    check_structure(report, root)
    processes = check_definitions(report, root)
    ids = {p.get("id", "") for p in processes}
    for proc in processes:
        for node, code, params in camunda_problems(proc, ids):
            report.flag(node, code, **params)
        lanes = check_lanes(report, proc)
        check_nodes(report, proc)
        check_calls(report, root, proc)
        check_decisions(report, proc, bundle)
        check_service_tasks(report, proc, bundle, known_groups)
        check_pre_post_scripts(report, proc)
        check_tasks(report, proc, bundle, lanes, known_groups)
        check_task_page(report, proc, bundle)
        check_sla_settings(report, proc)
        check_named_behaviours(report, proc)
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
