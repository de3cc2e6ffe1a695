"""Checking forms and submissions: a form file that is usable, and submitted data against its schema (Draft
2020-12), each problem a ``FieldError`` in form order."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from .schema import WIDGETS, enum_labels, field_order, item_enum, kind_of, option_text, prop_of, properties_of
from .units import UNIT_OPTIONS, check_unit_options

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
    props = properties_of(doc)
    for name, prop in props.items():
        prop = prop if isinstance(prop, dict) else {}
        widget = prop.get("x-widget")
        if widget is not None and widget not in WIDGETS:
            problems.append(f"field '{name}': unknown x-widget {widget!r} (one of: {', '.join(WIDGETS)})")
        elif widget in ("select", "radio") and "enum" not in prop and kind_of(prop) != "boolean" \
                and UNIT_OPTIONS not in prop:
            problems.append(f"field '{name}': x-widget '{widget}' needs an enum")
        elif widget == "checkboxes" and (kind_of(prop) != "array" or (item_enum(prop) is None
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
        top = prop_of(schema, str(err.absolute_path[0])) if err.absolute_path else {}
        labels = {**enum_labels(top), **enum_labels(err.schema)}
        choices = limit if rule == "enum" else [limit]
        return "must be one of: " + ", ".join(labels.get(option_text(v), option_text(v)) for v in choices)
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


def in_form_order(schema: Mapping[str, Any], errors: list[FieldError]) -> list[FieldError]:
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
    return in_form_order(schema, list(found))
