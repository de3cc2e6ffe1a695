"""Expressions, conditions, script tasks and pre-/post-scripts: a supported language, and sandboxed Python that
compiles and names only what the sandbox provides."""

from __future__ import annotations

from lxml import etree

from engine.behaviours import behaviours
from engine.scripts import check_source
from engine.scripts.provided import unavailable_names
from engine.scripts.sandbox import available_names

from ..expressions import ExpressionError, is_camunda_expression, translate_camunda
from ..xml import SPIFF, bpmn
from .report import Report, owner_id

PYTHON = {"", "python", "python3", "text/x-python", "application/x-python"}
CONDITION_LANGUAGES = PYTHON | {"juel", "${}"}
OTHER_SCRIPT_LANGUAGES = {"groovy", "javascript", "js", "ecmascript", "nashorn", "graal.js", "juel", "feel",
                          "ruby", "jruby", "kotlin", "java", "xpath"}


def check_expression(report: Report, node: etree._Element, source: str, what: str, mode: str = "eval",
                      element: str | None = None) -> None:
    problems = check_source(source, mode)
    for problem in problems:
        line = (node.sourceline or 0) + max(problem.line - 1, 0)
        report.flag(node, "expression_problem", line=line, element=element or owner_id(node), what=what,
                    detail=problem.message)
    if problems:
        return
    available = available_names() | set(behaviours.helper_functions())
    for line, name in unavailable_names(source, mode, available):
        report.flag(node, "builtin_unavailable", line=(node.sourceline or 0) + max(line - 1, 0),
                    element=element or owner_id(node), what=what, name=name)


def check_condition(report: Report, flow: etree._Element, cond: etree._Element) -> None:
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
    check_expression(report, cond, text, "condition", element=fid)


def check_script(report: Report, node: etree._Element) -> None:
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
        check_expression(report, script, script.text or "", "script", mode="exec")


def check_pre_post_scripts(report: Report, process: etree._Element) -> None:
    """SpiffWorkflow pre- and post-scripts (on any task) are sandboxed Python like script tasks."""
    for node in process.iter(f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript"):
        if (node.text or "").strip():
            what = "pre-script" if node.tag.endswith("preScript") else "post-script"
            check_expression(report, node, node.text or "", what, mode="exec")
