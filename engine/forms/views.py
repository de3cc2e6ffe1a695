"""What a page needs to render a form: a ``FieldView`` per field, in a language, with its value and error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..conditions import Rule, conditional_fields, evaluate, requiring_rules
from .input import coerce_form_input
from .schema import (
    TRUE_STRINGS,
    enum_labels,
    field_order,
    is_json,
    item_enum,
    kind_of,
    language,
    option_text,
    prop_of,
    text_in,
    widget_of,
)
from .validation import FieldError

_BOOL_LABELS = {"": ("是", "否"), "en": ("Yes", "No")}


@dataclass
class FieldView:
    """What a template needs to render one field.

    ``value`` is already in display form: ``str`` for inputs, selects and radios (``""`` when empty),
    ``list[str]`` for checkboxes, ``bool`` for a single checkbox, pretty JSON for read-only JSON fields.
    """

    name: str
    label: str
    description: str | None
    widget: str
    input_type: str
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    value: object = ""
    error: str | None = None
    read_only: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)
    applies: bool = True
    """False for a conditional field whose conditions do not hold for the current answers."""
    conditions: list[dict[str, Any]] = field(default_factory=list)
    """When the field applies (``show``) or is required (``require``), for the note beside it:
    ``[{"kind", "tests": [(label, [option labels], negate)], "otherwise": bool, "required": bool}]`` (any one
    holding is enough)."""
    when: str = ""
    """The same as JSON for the page's script, ``{"show": [rules] | null, "require": [rules], "required": bool}``
    (empty: nothing conditional, or conditions too complex to follow there)."""


def _display(prop: Mapping[str, Any], widget: str, value: object) -> object:
    if is_json(prop):
        return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2)
    if widget == "checkboxes":
        return [option_text(v) for v in value] if isinstance(value, list | tuple) else []
    if widget == "checkbox":
        return value is True or (isinstance(value, str) and value.lower() in TRUE_STRINGS)
    return "" if value is None else option_text(value)


def _attrs(prop: Mapping[str, Any], widget: str) -> dict[str, Any]:
    keys = {"text": (("minLength", "minlength"), ("maxLength", "maxlength")),
            "textarea": (("minLength", "minlength"), ("maxLength", "maxlength")),
            "number": (("minimum", "min"), ("maximum", "max"))}.get(widget, ())
    attrs = {html: prop[key] for key, html in keys if key in prop}
    pattern = prop.get("pattern")
    if widget == "text" and isinstance(pattern, str):  # HTML anchors the pattern, JSON Schema does not
        anchored = pattern.startswith("^") and pattern.endswith("$")
        attrs["pattern"] = pattern if anchored else f".*(?:{pattern}).*"
    if widget == "number":
        attrs["step"] = "1" if kind_of(prop) == "integer" else "any"
    return attrs


def value_labels(schema: Mapping[str, Any], locale: str = "zh_CN") -> dict[str, dict[str, str]]:
    """field -> {value: name} of every ``x-enum-labels`` entry in a form, in ``locale``: besides the choices
    offered, it may name values a script sets (e.g. an outcome ``not_accepted``) so pages show them by name."""
    props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    return {name: enum_labels(prop, locale) for name, prop in props.items() if isinstance(prop, Mapping)}


def _options(prop: Mapping[str, Any], widget: str, locale: str) -> list[tuple[str, str]]:
    choices = item_enum(prop) if widget == "checkboxes" else prop.get("enum")
    if choices is None and kind_of(prop) == "boolean" and widget in ("radio", "select"):
        choices = [True, False]
    if not isinstance(choices, list):
        return []
    labels = enum_labels(prop, locale)
    yes, no = _BOOL_LABELS.get(language(locale), _BOOL_LABELS[""])
    fallback = {"true": yes, "false": no}
    texts = [option_text(v) for v in choices]
    return [(text, labels.get(text) or fallback.get(text) or text) for text in texts]


def _note(schema: Mapping[str, Any], rule: Rule, kind: str, locale: str) -> dict[str, Any]:
    tests = []
    for test in rule.tests:
        prop = prop_of(schema, test.field)
        label = text_in(prop, "title", locale) or test.field
        options = dict(_options(prop, widget_of(prop), locale))
        shown = [options.get(option_text(v), option_text(v)) for v in test.values] if test.values is not None else []
        tests.append((label, shown, test.negate))
    return {"kind": kind, "tests": tests, "otherwise": rule.otherwise}


def _when(name: str, shows: list[Rule], requires: list[Rule], always: bool) -> str:
    if not (shows or requires) or not all(r.simple for r in shows + requires):
        return ""
    return json.dumps({"show": [r.as_json() for r in shows] if shows else None,
                       "require": [r.as_json() for r in requires], "required": always}, ensure_ascii=False)


def field_views(schema: Mapping[str, Any], locale: str, values: Mapping[str, Any] | None = None,
                errors: list[FieldError] | None = None) -> list[FieldView]:
    """Fields in display order with labels in ``locale`` ("en" uses ``x-i18n.en``, else the default).

    ``values`` may be stored case data or, when re-showing a rejected POST, the raw form (a MultiDict),
    so that what the user typed is kept.  Schema defaults fill in only for stored data.  Conditional fields
    (``if``/``then``/``else``, ``dependentRequired``, ``dependentSchemas``) carry when they apply, whether they
    apply to these values, and are marked required only while they are.
    """
    values = values if values is not None else {}
    is_post = hasattr(values, "getlist")
    typed = coerce_form_input(schema, values)[0] if is_post else values
    state = evaluate(schema, typed)
    conditional, requiring = conditional_fields(schema), requiring_rules(schema)
    always = set(schema.get("required") or ())
    views = []
    for name in field_order(schema):
        prop = prop_of(schema, name)
        widget = widget_of(prop)
        if is_post and widget == "checkboxes":
            value: object = values.getlist(name)  # type: ignore[attr-defined]
        else:
            value = values[name] if name in values else (None if is_post else prop.get("default"))
        messages = [(e.field[len(name) + 1:] + ": " if e.field != name and widget != "checkboxes" else "")
                    + e.message for e in errors or () if e.field == name or e.field.startswith(name + ".")]
        input_type = {"checkboxes": "checkbox"}.get(widget, widget)
        if widget == "text":
            input_type = {"email": "email", "date-time": "datetime-local"}.get(prop.get("format", ""), "text")
        shows, requires = conditional.get(name, []), requiring.get(name, [])
        notes = [{**_note(schema, r, "show", locale), "required": name in r.required} for r in shows]
        notes += [{**_note(schema, r, "require", locale), "required": True} for r in requires if r not in shows]
        views.append(FieldView(
            name=name, label=text_in(prop, "title", locale) or name,
            description=text_in(prop, "description", locale), widget=widget, input_type=input_type,
            required=name in state.required,
            options=_options(prop, widget, locale), value=_display(prop, widget, value),
            error="; ".join(dict.fromkeys(messages)) or None,
            read_only=bool(prop.get("readOnly")) or is_json(prop),
            attrs=_attrs(prop, widget), applies=state.applies.get(name, True),
            conditions=notes, when=_when(name, shows, requires, name in always)))
    return views


# --- Options from organisation units -------------------------------------------------------------------------
#
# A field that offers units carries ``"x-options": {"units": "department"}`` (or a list of kinds) instead of an
# ``enum``; ``"value": "group"`` makes the option's value the unit's group key rather than the unit key. The
# choices are filled in from the units table whenever the form is served or a submission is checked, so a unit
