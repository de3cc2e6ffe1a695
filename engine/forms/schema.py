"""Reading a form's JSON Schema: its fields in order, each field's type and widget, its texts in a language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

WIDGETS = ("text", "textarea", "select", "radio", "checkbox", "checkboxes", "date", "number", "hidden")
TRUE_STRINGS = frozenset({"on", "true", "1", "yes"})
FALSE_STRINGS = frozenset({"off", "false", "0", "no"})


def properties_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema's ``properties`` (empty when it has none)."""
    return schema["properties"] if isinstance(schema.get("properties"), dict) else {}


def prop_of(schema: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The schema of field ``name`` (empty when there is none)."""
    return properties_of(schema)[name] if isinstance(properties_of(schema).get(name), dict) else {}


def field_order(schema: Mapping[str, Any]) -> list[str]:
    """Field names in display order: ``x-order`` first, then the remaining properties as written."""
    props = properties_of(schema)
    order = schema.get("x-order")
    listed = [n for n in order if isinstance(n, str) and n in props] if isinstance(order, list) else []
    return list(dict.fromkeys(listed)) + [n for n in props if n not in listed]


def kind_of(prop: Mapping[str, Any]) -> str:
    """The JSON type of a field: its ``type`` (the first that is not null), else guessed from its ``enum``."""
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


def item_enum(prop: Mapping[str, Any]) -> list[Any] | None:
    """The choices of an array field's items, or None."""
    items = prop.get("items")
    return items.get("enum") if isinstance(items, dict) and isinstance(items.get("enum"), list) else None


def is_json(prop: Mapping[str, Any]) -> bool:
    """Whether a field is shown as read-only JSON: an object, or an array without item choices."""
    kind = kind_of(prop)
    return kind == "object" or (kind == "array" and item_enum(prop) is None)


def widget_of(prop: Mapping[str, Any]) -> str:
    """The widget a field is rendered with: its ``x-widget``, else one that suits its type."""
    kind, explicit = kind_of(prop), prop.get("x-widget")
    if is_json(prop):
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


def option_text(value: object) -> str:
    """The HTML form string for a value: strings as they are, everything else as JSON (true, 3, null)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def language(locale: str) -> str:
    """The language part of a locale: ``zh_CN`` -> ``zh``."""
    return locale.replace("-", "_").split("_")[0].lower()


def translations(node: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """The ``x-i18n`` texts of a schema node for ``locale`` (or its language)."""
    table = node.get("x-i18n")
    if isinstance(table, dict):
        for key in (locale, language(locale)):
            if isinstance(table.get(key), dict):
                return table[key]
    return {}


def text_in(node: Mapping[str, Any], key: str, locale: str) -> str | None:
    """A text keyword of a schema node (``title``, ``description``) in ``locale``, else the default."""
    value = translations(node, locale).get(key) or node.get(key)
    return value if isinstance(value, str) else None


def enum_labels(prop: Mapping[str, Any], locale: str = "zh_CN") -> dict[str, str]:
    """value -> label of a field's choices (``x-enum-labels``, and its ``x-i18n`` ``enum_labels``)."""
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    labels: dict[str, str] = {}
    for node in (items, prop):
        for table in (node.get("x-enum-labels"), translations(node, locale).get("enum_labels")):
            labels.update(table if isinstance(table, dict) else {})
    return labels


def form_title(schema: Mapping[str, Any], locale: str) -> str | None:
    """The form's title in ``locale``, falling back to the default (Chinese) ``title``."""
    return text_in(schema, "title", locale)
