"""Reading an HTML POST: submitted strings turned into the types the form's schema asks for."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from .schema import FALSE_STRINGS, TRUE_STRINGS, field_order, is_json, kind_of, option_text, prop_of, widget_of
from .validation import FieldError, in_form_order


class FieldProblem(ValueError):
    """A submitted value that cannot be read as its field's type (message and code as in FieldError)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code



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
        if option_text(value) == text:
            return value
    kind = kind_of(prop)
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
    if is_json(prop):
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
        prop = prop_of(schema, name)
        widget = widget_of(prop)
        raw = [v.replace("\r\n", "\n").strip() for v in _getlist(form, name)]
        if prop.get("readOnly") or (is_json(prop) and not any(raw)):
            continue
        if widget == "checkbox" and kind_of(prop) == "boolean":
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
    return data, in_form_order(schema, errors)
