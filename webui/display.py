"""Case data and validation messages made readable for the page's language."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.forms import FieldError, field_views

_MESSAGES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^is required$"), _l("is required")),
    (re.compile(r"^must be at least (\S+) characters$"), _l("must be at least %(n)s characters")),
    (re.compile(r"^must be at most (\S+) characters$"), _l("must be at most %(n)s characters")),
    (re.compile(r"^must be at least (\S+)$"), _l("must be at least %(n)s")),
    (re.compile(r"^must be at most (\S+)$"), _l("must be at most %(n)s")),
    (re.compile(r"^must be one of: (.+)$"), _l("must be one of: %(n)s")),
    (re.compile(r"^must be a valid date \(YYYY-MM-DD\)$"), _l("must be a valid date (YYYY-MM-DD)")),
    (re.compile(r"^must be a number$"), _l("must be a number")),
    (re.compile(r"^must be a whole number$"), _l("must be a whole number")),
    (re.compile(r"^is not an allowed field$"), _l("is not an allowed field")),
]


def translate_message(message: str) -> str:
    """The engine's English validation message in the page's language (unknown ones unchanged)."""
    for pattern, msgid in _MESSAGES:
        match = pattern.match(message)
        if match:
            return str(msgid) % {"n": match.group(1)} if match.groups() else str(msgid)
    return message


def translate_errors(errors: list[FieldError]) -> list[FieldError]:
    return [FieldError(e.field, translate_message(e.message)) for e in errors]


def shown(view: Any) -> str:
    """A form field's value as people read it: option names joined with 、, yes/no, else the text."""
    if view.options:
        labels = dict(view.options)
        values = view.value if isinstance(view.value, list) else [view.value]
        return "、".join(labels.get(str(v), str(v)) for v in values if v != "")
    if isinstance(view.value, bool):
        return _("Yes") if view.value else _("No")
    return str(view.value)


def field_info(forms: dict[str, Any], locale: str) -> dict[str, tuple[str, dict[str, str]]]:
    """field name -> (label, {option value: option label}) over every form of the process."""
    info: dict[str, tuple[str, dict[str, str]]] = {}
    for schema in forms.values():
        for view in field_views(schema, locale, {}):
            info.setdefault(view.name, (view.label, dict(view.options)))
    return info


def shown_value(info: dict[str, tuple[str, dict[str, str]]], name: str, value: Any) -> str:
    """A changed value as people read it: option labels instead of codes, lists joined."""
    options = info.get(name, ("", {}))[1]
    if isinstance(value, list):
        return "、".join(options.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return options.get(str(value), "" if value is None else str(value))
