"""Task forms: JSON Schema (draft 2020-12) documents with UI hints in ``x-*`` keywords.

A form is ``<key>.json``: an object schema whose properties carry ``title``/``description`` (Chinese, the
default), ``x-i18n.<lang>`` overrides, ``x-widget``, ``x-enum-labels`` and ``readOnly``; the root may carry
``x-order`` and ``title``.  Nested objects and free-form arrays (arrays without ``items.enum``) are fully
validated but rendered read-only as a JSON textarea, and never read back from an HTML POST.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from .conditions import Rule, conditional_fields, evaluate, requiring_rules

WIDGETS = ("text", "textarea", "select", "radio", "checkbox", "checkboxes", "date", "number", "hidden")
TRUE_STRINGS = frozenset({"on", "true", "1", "yes"})
FALSE_STRINGS = frozenset({"off", "false", "0", "no"})
_BOOL_LABELS = {"": ("是", "否"), "en": ("Yes", "No")}
_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "array": "a list", "object": "an object", "null": "empty"}

FORMATS = FormatChecker(formats=("date", "email"))  # jsonschema's own: YYYY-MM-DD, a real day; has an @


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """ISO 8601 date and time; the offset is optional so that ``<input type=datetime-local>`` values pass."""
    pattern = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"
    return not isinstance(value, str) or bool(re.fullmatch(pattern, value) and datetime.fromisoformat(value))


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: the English ``message``, and for the web layer's own wording a machine
    ``code`` (``required``, ``min_length``, ``maximum``, ``choice``, ``date``, ...) with its ``limit``."""

    field: str  # dotted path of the field, e.g. "reasons" or "items.0.name"; "" is the whole form
    message: str
    code: str = dataclass_field(default="invalid", compare=False)
    limit: str = dataclass_field(default="", compare=False)

    def detail(self) -> dict[str, str]:
        """The entry of an ``Invalid`` error's details."""
        return {"field": self.field, "message": self.message, "code": self.code, "limit": self.limit}


class FieldProblem(ValueError):
    """A submitted value that cannot be read as its field's type (message and code as in FieldError)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


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


def _props(schema: Mapping[str, Any]) -> dict[str, Any]:
    return schema["properties"] if isinstance(schema.get("properties"), dict) else {}


def _prop(schema: Mapping[str, Any], name: str) -> dict[str, Any]:
    return _props(schema)[name] if isinstance(_props(schema).get(name), dict) else {}


def field_order(schema: Mapping[str, Any]) -> list[str]:
    """Field names in display order: ``x-order`` first, then the remaining properties as written."""
    props = _props(schema)
    order = schema.get("x-order")
    listed = [n for n in order if isinstance(n, str) and n in props] if isinstance(order, list) else []
    return list(dict.fromkeys(listed)) + [n for n in props if n not in listed]


def _type(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    enum = prop.get("enum") or [""]
    if all(isinstance(v, bool) for v in enum):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in enum):
        return "integer"
    return "number" if all(isinstance(v, int | float) and not isinstance(v, bool) for v in enum) else "string"


def _item_enum(prop: Mapping[str, Any]) -> list[Any] | None:
    items = prop.get("items")
    return items.get("enum") if isinstance(items, dict) and isinstance(items.get("enum"), list) else None


def _is_json(prop: Mapping[str, Any]) -> bool:
    kind = _type(prop)
    return kind == "object" or (kind == "array" and _item_enum(prop) is None)


def _widget(prop: Mapping[str, Any]) -> str:
    kind, explicit = _type(prop), prop.get("x-widget")
    if _is_json(prop):
        return "textarea"
    if explicit in WIDGETS:
        return explicit
    if kind == "boolean":
        return "checkbox"
    if kind == "array":
        return "checkboxes"
    if "enum" in prop:
        return "select"
    if prop.get("format") == "date":
        return "date"
    return "number" if kind in ("integer", "number") else "text"


def _opt(value: object) -> str:
    """The HTML form string for a value: strings as they are, everything else as JSON (true, 3, null)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _lang(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def _i18n(node: Mapping[str, Any], locale: str) -> dict[str, Any]:
    table = node.get("x-i18n")
    if isinstance(table, dict):
        for key in (locale, _lang(locale)):
            if isinstance(table.get(key), dict):
                return table[key]
    return {}


def _text(node: Mapping[str, Any], key: str, locale: str) -> str | None:
    value = _i18n(node, locale).get(key) or node.get(key)
    return value if isinstance(value, str) else None


def _enum_labels(prop: Mapping[str, Any], locale: str = "zh_CN") -> dict[str, str]:
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    labels: dict[str, str] = {}
    for node in (items, prop):
        for table in (node.get("x-enum-labels"), _i18n(node, locale).get("enum_labels")):
            labels.update(table if isinstance(table, dict) else {})
    return labels


def form_title(schema: Mapping[str, Any], locale: str) -> str | None:
    """The form's title in ``locale``, falling back to the default (Chinese) ``title``."""
    return _text(schema, "title", locale)


def check_form_document(doc: object) -> list[str]:
    """Problems that make a form file unusable; an empty list means the form is fine."""
    if not isinstance(doc, dict):
        return ["a form must be a JSON object"]
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=FormatChecker())
    problems = [f"not a valid JSON Schema: {e.message} (at {'/'.join(map(str, e.absolute_path)) or 'root'})"
                for e in sorted(meta.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])]
    if problems:
        return problems
    if doc.get("type") != "object":
        problems.append('the root schema must have "type": "object"')
    props = _props(doc)
    for name, prop in props.items():
        prop = prop if isinstance(prop, dict) else {}
        widget = prop.get("x-widget")
        if widget is not None and widget not in WIDGETS:
            problems.append(f"field '{name}': unknown x-widget {widget!r} (one of: {', '.join(WIDGETS)})")
        elif widget in ("select", "radio") and "enum" not in prop and _type(prop) != "boolean" \
                and UNIT_OPTIONS not in prop:
            problems.append(f"field '{name}': x-widget '{widget}' needs an enum")
        elif widget == "checkboxes" and (_type(prop) != "array" or (_item_enum(prop) is None
                                                                     and UNIT_OPTIONS not in prop)):
            problems.append(f"field '{name}': x-widget 'checkboxes' needs an array with items.enum")
    order = doc.get("x-order")
    if order is not None and not (isinstance(order, list) and all(isinstance(n, str) for n in order)):
        problems.append("x-order must be a list of field names")
    elif order is not None:
        problems += [f"x-order names unknown field '{n}'" for n in order if n not in props]
        problems += [f"x-order names field '{n}' twice" for n in dict.fromkeys(order) if order.count(n) > 1]
    problems += [f"required field '{n}' is not a property" for n in doc.get("required", []) if n not in props]
    return problems + check_unit_options(doc)


CODES = {"minLength": "min_length", "maxLength": "max_length", "minimum": "minimum", "maximum": "maximum",
         "exclusiveMinimum": "greater_than", "exclusiveMaximum": "less_than", "minItems": "min_items",
         "maxItems": "max_items", "pattern": "pattern", "multipleOf": "multiple_of", "format": "format",
         "uniqueItems": "unique", "enum": "choice", "const": "choice", "type": "type"}
"""JSON Schema keyword -> the machine code of its FieldError."""


def _message(err: ValidationError, schema: Mapping[str, Any]) -> tuple[str, str, str]:
    """(message, code, limit) of one schema violation."""
    message = _words(err, schema)
    rule, limit = str(err.validator), err.validator_value
    if rule == "format" and limit == "date":
        return message, "date", ""
    if rule == "type":
        kinds = limit if isinstance(limit, list) else [limit]
        return message, kinds[0] if kinds in (["integer"], ["number"]) else "type", ""
    if rule in ("enum", "const", "uniqueItems"):
        return message, CODES[rule], message.removeprefix("must be one of: ") if rule in ("enum", "const") else ""
    return message, CODES.get(rule, "invalid"), "" if isinstance(limit, bool | dict | list) else str(limit)


def _words(err: ValidationError, schema: Mapping[str, Any]) -> str:
    rule, limit = err.validator, err.validator_value
    if rule == "type":
        kinds = limit if isinstance(limit, list) else [limit]
        return "must be " + " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
    if rule in ("enum", "const"):
        top = _prop(schema, str(err.absolute_path[0])) if err.absolute_path else {}
        labels = {**_enum_labels(top), **_enum_labels(err.schema)}
        choices = limit if rule == "enum" else [limit]
        return "must be one of: " + ", ".join(labels.get(_opt(v), _opt(v)) for v in choices)
    words = {"minLength": "must be at least {} characters", "maxLength": "must be at most {} characters",
             "minimum": "must be at least {}", "maximum": "must be at most {}",
             "exclusiveMinimum": "must be greater than {}", "exclusiveMaximum": "must be less than {}",
             "minItems": "must have at least {} selected", "maxItems": "must have at most {} selected",
             "pattern": "must match the pattern {}", "multipleOf": "must be a multiple of {}",
             "format": "must be a valid {}"}
    if rule == "format" and limit == "date":
        return "must be a valid date (YYYY-MM-DD)"
    if rule == "uniqueItems":
        return "must not contain duplicates"
    return words[rule].format(limit) if rule in words else err.message


def _explain(err: ValidationError, schema: Mapping[str, Any]) -> Iterator[tuple[list[str], tuple[str, str, str]]]:
    """(extra path, (message, code, limit)) pairs: required and extra properties are pinned to the property."""
    instance = err.instance if isinstance(err.instance, dict) else {}
    if err.validator == "required":
        yield from (([name], ("is required", "required", "")) for name in err.validator_value if name not in instance)
    elif err.validator == "additionalProperties" and err.validator_value is False:
        patterns = err.schema.get("patternProperties", {})
        for key in instance:
            if key not in err.schema.get("properties", {}) and not any(re.search(p, key) for p in patterns):
                yield [key], ("is not an allowed field", "not_allowed", "")
    else:
        yield [], _message(err, schema)


def _sorted(schema: Mapping[str, Any], errors: list[FieldError]) -> list[FieldError]:
    rank = {name: i for i, name in enumerate(field_order(schema))}
    return sorted(errors, key=lambda e: rank.get(e.field.split(".")[0], len(rank)) if e.field else -1)


def validate_submission(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[FieldError]:
    """Check ``data`` (Draft 2020-12, formats date/date-time/email): a FieldError per problem, form order."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    found: dict[FieldError, None] = {}
    for err in validator.iter_errors(data):
        base = [str(p) for p in err.absolute_path]
        for extra, (message, code, limit) in _explain(err, schema):
            found[FieldError(".".join(base + extra), message, code, limit)] = None
    return _sorted(schema, list(found))


def _getlist(form: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return [str(v) for v in form.getlist(name)]
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _parse(prop: Mapping[str, Any], text: str) -> object:
    """One submitted string as the schema's type; raises FieldProblem naming what is wrong."""
    for value in prop.get("enum") or ():
        if _opt(value) == text:
            return value
    kind = _type(prop)
    if kind in ("integer", "number"):
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            raise FieldProblem("must be a number", "number") from None
        if not math.isfinite(number):
            raise FieldProblem("must be a number", "number")
        if kind == "integer" and not number.is_integer():
            raise FieldProblem("must be a whole number", "integer")
        return int(number) if kind == "integer" else number
    if kind == "boolean":
        if text.lower() in TRUE_STRINGS | FALSE_STRINGS:
            return text.lower() in TRUE_STRINGS
        raise FieldProblem("must be yes or no", "boolean")
    if _is_json(prop):
        try:
            return json.loads(text)
        except ValueError:
            raise FieldProblem("must be valid JSON", "json") from None
    return text


def coerce_form_input(schema: Mapping[str, Any], form: Mapping[str, Any]
                      ) -> tuple[dict[str, Any], list[FieldError]]:
    """Turn an HTML POST (strings; a dict or a MultiDict) into typed data for ``validate_submission``.

    Empty values are dropped (so ``required`` reports them), except that an unticked checkbox is ``False``
    and an optional checkbox group with nothing ticked is ``[]``. readOnly and unknown keys are ignored.
    """
    data: dict[str, Any] = {}
    errors: list[FieldError] = []
    required = set(schema.get("required") or ())
    for name in field_order(schema):
        prop = _prop(schema, name)
        widget = _widget(prop)
        raw = [v.replace("\r\n", "\n").strip() for v in _getlist(form, name)]
        if prop.get("readOnly") or (_is_json(prop) and not any(raw)):
            continue
        if widget == "checkbox" and _type(prop) == "boolean":
            data[name] = any(v.lower() in TRUE_STRINGS for v in raw)
            continue
        try:
            if widget == "checkboxes":
                items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
                values = [_parse(items, v) for v in raw if v]
                if values or name not in required:
                    data[name] = values
            elif raw and raw[0]:
                data[name] = _parse(prop, raw[0])
        except FieldProblem as exc:
            errors.append(FieldError(name, str(exc), exc.code))
    return data, _sorted(schema, errors)


def _display(prop: Mapping[str, Any], widget: str, value: object) -> object:
    if _is_json(prop):
        return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2)
    if widget == "checkboxes":
        return [_opt(v) for v in value] if isinstance(value, list | tuple) else []
    if widget == "checkbox":
        return value is True or (isinstance(value, str) and value.lower() in TRUE_STRINGS)
    return "" if value is None else _opt(value)


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
        attrs["step"] = "1" if _type(prop) == "integer" else "any"
    return attrs


def value_labels(schema: Mapping[str, Any], locale: str = "zh_CN") -> dict[str, dict[str, str]]:
    """field -> {value: name} of every ``x-enum-labels`` entry in a form, in ``locale``: besides the choices
    offered, it may name values a script sets (e.g. an outcome ``not_accepted``) so pages show them by name."""
    props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    return {name: _enum_labels(prop, locale) for name, prop in props.items() if isinstance(prop, Mapping)}


def _options(prop: Mapping[str, Any], widget: str, locale: str) -> list[tuple[str, str]]:
    choices = _item_enum(prop) if widget == "checkboxes" else prop.get("enum")
    if choices is None and _type(prop) == "boolean" and widget in ("radio", "select"):
        choices = [True, False]
    if not isinstance(choices, list):
        return []
    labels = _enum_labels(prop, locale)
    yes, no = _BOOL_LABELS.get(_lang(locale), _BOOL_LABELS[""])
    fallback = {"true": yes, "false": no}
    return [(_opt(v), labels.get(_opt(v)) or fallback.get(_opt(v)) or _opt(v)) for v in choices]


def _note(schema: Mapping[str, Any], rule: Rule, kind: str, locale: str) -> dict[str, Any]:
    tests = []
    for test in rule.tests:
        prop = _prop(schema, test.field)
        label = _text(prop, "title", locale) or test.field
        options = dict(_options(prop, _widget(prop), locale))
        shown = [options.get(_opt(v), _opt(v)) for v in test.values] if test.values is not None else []
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
        prop = _prop(schema, name)
        widget = _widget(prop)
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
            name=name, label=_text(prop, "title", locale) or name,
            description=_text(prop, "description", locale), widget=widget, input_type=input_type,
            required=name in state.required,
            options=_options(prop, widget, locale), value=_display(prop, widget, value),
            error="; ".join(dict.fromkeys(messages)) or None,
            read_only=bool(prop.get("readOnly")) or _is_json(prop),
            attrs=_attrs(prop, widget), applies=state.applies.get(name, True),
            conditions=notes, when=_when(name, shows, requires, name in always)))
    return views


# --- Options from organisation units -------------------------------------------------------------------------
#
# A field that offers units carries ``"x-options": {"units": "department"}`` (or a list of kinds) instead of an
# ``enum``; ``"value": "group"`` makes the option's value the unit's group key rather than the unit key. The
# choices are filled in from the units table whenever the form is served or a submission is checked, so a unit
# the office adds is offered at once and an inactive one is no longer accepted.

UNIT_OPTIONS = "x-options"
UNIT_VALUES = ("key", "group")


class UnitChoice(NamedTuple):
    key: str
    name: str
    kind: str
    group: str
    active: bool


def unit_option_fields(schema: Mapping[str, Any]) -> dict[str, tuple[tuple[str, ...], str]]:
    """field name -> (unit kinds, "key" or "group") for every field whose options come from units."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for name, prop in _props(schema).items():
        spec = prop.get(UNIT_OPTIONS) if isinstance(prop, dict) else None
        if isinstance(spec, dict):
            kinds = spec.get("units")
            kinds = (kinds,) if isinstance(kinds, str) else tuple(k for k in kinds or () if isinstance(k, str))
            found[name] = (kinds, spec.get("value", "key"))
    return found


def check_unit_options(doc: Mapping[str, Any]) -> list[str]:
    """Problems of the ``x-options`` keywords of a form."""
    problems = []
    for name, prop in _props(doc).items():
        if not isinstance(prop, dict) or UNIT_OPTIONS not in prop:
            continue
        spec = prop[UNIT_OPTIONS]
        kinds = spec.get("units") if isinstance(spec, dict) else None
        if not (isinstance(kinds, str) and kinds) and not (isinstance(kinds, list) and kinds and all(
                isinstance(k, str) and k for k in kinds)):
            problems.append(f"field '{name}': x-options needs \"units\": a unit kind or a list of kinds")
        elif spec.get("value", "key") not in UNIT_VALUES:
            problems.append(f"field '{name}': x-options \"value\" must be \"key\" or \"group\"")
        elif "enum" in prop or _item_enum(prop) is not None:
            problems.append(f"field '{name}': x-options and enum exclude each other (the units are the options)")
        elif _type(prop) not in ("string", "array"):
            problems.append(f"field '{name}': x-options is for a text field or an array of texts")
    return problems


def with_unit_options(schema: Mapping[str, Any], units: list[UnitChoice], include_inactive: bool = False
                      ) -> dict[str, Any]:
    """A copy of ``schema`` whose unit fields offer the active units of their kinds (all units, for showing
    stored data, with ``include_inactive``); every unit of those kinds, active or not, keeps its name as a label."""
    fields = unit_option_fields(schema)
    if not fields:
        return dict(schema)
    out = dict(schema)
    props = dict(_props(schema))
    for name, (kinds, value) in fields.items():
        mine = [u for u in units if u.kind in kinds]
        labels = {(u.group if value == "group" else u.key): u.name for u in mine}
        offered = [(u.group if value == "group" else u.key) for u in mine if u.active or include_inactive]
        prop = dict(props[name])
        if _type(prop) == "array":
            items = dict(prop.get("items") if isinstance(prop.get("items"), dict) else {"type": "string"})
            items["enum"] = list(dict.fromkeys(offered))
            prop["items"] = items
        else:
            prop["enum"] = list(dict.fromkeys(offered))
        prop["x-enum-labels"] = {**labels, **(prop.get("x-enum-labels") or {})}
        props[name] = prop
    out["properties"] = props
    return out
