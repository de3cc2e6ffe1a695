"""The ``document`` connector: fill a DOCX template of the process folder from case data, keep it with the case."""

from __future__ import annotations

import base64
from pathlib import PurePath
from typing import Any

from engine.behaviours import Param, behaviours
from engine.documents.fill import docx_placeholders, fill_docx, unknown_filters
from engine.documents.store import store
from engine.models import ProcessDefinition

from .checking import CheckContext, Finding, text_fields_finding, unknown_fields
from .reading import Parameter
from .runner import ConnectorCall, ConnectorError


def template_name(value: Any) -> str:
    """The file name a ``template`` parameter names (``templates/notice.docx`` and ``notice.docx`` alike)."""
    return PurePath(str(value or "").replace("\\", "/")).name


def check_document(params: dict[str, Parameter], context: CheckContext) -> list[Finding]:
    """A constant template must be deployed with the process and be a DOCX file; its fields should be set
    somewhere in the process (else they print as marked blanks)."""
    found = text_fields_finding(params.get("title"), context)
    template = params.get("template")
    if template is None or not template.is_literal:
        return found
    name = template_name(template.literal)
    if name not in context.templates:
        given = ", ".join(sorted(context.templates)) or "none"
        return [*found, Finding(template.line, f"template '{name}' is not in the process folder (beside the BPMN "
                                               f"or in templates/; found: {given})")]
    try:
        fields = docx_placeholders(context.templates[name])
    except ValueError as exc:
        return [*found, Finding(template.line, f"template '{name}': {exc}")]
    unknown = unknown_fields(fields, context)
    if unknown:
        found.append(Finding(template.line, f"template '{name}' uses {', '.join(unknown)}, which no form, script, "
                                            "DMN table or connector of this process sets (it will print as a "
                                            "marked blank)", "warning"))
    for bad in unknown_filters(fields):
        found.append(Finding(template.line, f"template '{name}': unknown filter in {bad.text} (name, raw or optional)",
                             "warning"))
    return found


@behaviours.connector(
    "document",
    zh="用流程目录中的 DOCX 模板和案件数据生成文书，保存为案件文书，能查看案件的人即可下载。",
    doc="Fill a DOCX template of the process folder (beside the BPMN or in templates/) with case data and keep "
        "it as a case document: listed on the case and at GET /api/v1/cases/<id>/documents, readable by whoever "
        "may read the case. In the template, {field} is a case-data field, {field.sub} a value inside it, "
        "{field|name} usernames shown as names, {field|optional} a field a form may leave empty (— when "
        "the case has none), and {items[].field} in a table row repeats the row for each "
        "element of the list items. Also available: {business_key}, {case_title}, {today}. A field the case does "
        "not have becomes a marked blank (【待补：…】) and is listed in the result; docket check warns about it.",
    params=[
        Param("template", "the template's file name, e.g. 'summary.docx'", required=True),
        Param("title", "the document's title (also its file name); {field} placeholders are filled",
              required=True),
    ],
    errors="the template is not deployed with the process, or is not a DOCX file",
    result='{"id": document id, "title": "...", "missing": [fields left blank]}',
    example_params={"template": "'summary.docx'", "title": "'督查情况报告 {business_key}'"},
    check=check_document,
)
def document_connector(call: ConnectorCall, template: Any = None, title: str = "") -> dict[str, Any]:
    """Fill and store the document; returns its id, title and the fields left blank."""
    name = template_name(template)
    definition = call.session.get(ProcessDefinition, call.scope.definition_id)
    stored = (definition.templates or {}) if definition is not None else {}
    if name not in stored:
        given = ", ".join(sorted(stored)) or "none"
        raise ConnectorError(f"template '{name}' was not deployed with this process version (templates: {given})")
    try:
        filled = fill_docx(base64.b64decode(stored[name]), call.values, call.labels, call.display_names)
    except ValueError as exc:
        raise ConnectorError(f"template '{name}': {exc}") from exc
    heading = call.fill(str(title)).strip() or PurePath(name).stem
    row = store(call.session, call.case, kind=name, title=heading, content=filled.content,
                facts={"template": name, "step": call.element_id, "missing": filled.missing},
                by=call.scope.actor, now=call.scope.now)
    return {"id": row.id, "title": row.title, "missing": filled.missing}
