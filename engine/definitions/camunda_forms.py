"""Camunda Modeler's generated task forms (``camunda:formData``) turned into Docket's JSON Schema forms.

A user task with ``camunda:formData`` and no form file of its own gets a form named by its
``camunda:formKey`` (or, without one, by the task id): each ``camunda:formField`` becomes a property
(string, long → integer, boolean, date → ISO date, enum with its ``camunda:value`` labels), with the
``required``, ``minlength``, ``maxlength``, ``min``, ``max`` and ``readonly`` constraints.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .xml import NS, bpmn

TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "long": {"type": "integer"}, "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"}, "enum": {"type": "string"},
}
LIMITS = {"minlength": "minLength", "maxlength": "maxLength", "min": "minimum", "max": "maximum"}


def form_data(task: etree._Element) -> etree._Element | None:
    return task.find(f"{bpmn('extensionElements')}/camunda:formData", NS)


def _number(text: str | None) -> int | float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _field(field: etree._Element) -> tuple[dict[str, Any], bool]:
    kind = (field.get("type") or "string").strip()
    prop: dict[str, Any] = dict(TYPES.get(kind, {"type": "string"}))
    prop["title"] = field.get("label") or field.get("id", "")
    if kind == "enum":
        values = field.findall("camunda:value", NS)
        prop["enum"] = [v.get("id", "") for v in values]
        prop["x-enum-labels"] = {v.get("id", ""): v.get("name") or v.get("id", "") for v in values}
    if kind == "boolean":
        prop["x-widget"] = "checkbox"
    default = field.get("defaultValue")
    if default not in (None, "") and "${" not in default:
        prop["default"] = {"integer": _number(default), "boolean": default.lower() == "true"}.get(
            prop["type"], default)
    required = False
    for constraint in field.iterfind("camunda:validation/camunda:constraint", NS):
        name = (constraint.get("name") or "").lower()
        if name == "required":
            required = True
        elif name == "readonly":
            prop["readOnly"] = True
        elif name in LIMITS and _number(constraint.get("config")) is not None:
            prop[LIMITS[name]] = _number(constraint.get("config"))
    return prop, required


def schema_from_form_data(task: etree._Element) -> dict[str, Any] | None:
    """The JSON Schema form of a task's ``camunda:formData``, or None when it has none."""
    data = form_data(task)
    if data is None:
        return None
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in data.findall("camunda:formField", NS):
        name = field.get("id")
        if not name:
            continue
        properties[name], needed = _field(field)
        if needed:
            required.append(name)
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                              "title": task.get("name") or task.get("id", ""), "properties": properties,
                              "x-order": list(properties)}
    if required:
        schema["required"] = required
    return schema


def generated_forms(root: etree._Element, form_key_of: Any) -> dict[str, dict[str, Any]]:
    """Forms for every user task and start event with ``camunda:formData``, keyed as ``form_key_of(task)``
    names them."""
    forms: dict[str, dict[str, Any]] = {}
    for task in [*root.iter(bpmn("userTask")), *root.iter(bpmn("startEvent"))]:
        schema = schema_from_form_data(task)
        key = form_key_of(task)
        if schema is not None and key:
            forms.setdefault(key, schema)
    return forms
