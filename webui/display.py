"""Case data and validation messages made readable for the page's language."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.forms import FieldError, field_views, value_labels

from .filters import readable
from .language import english, list_separator
from .names import known_people, person

_MESSAGES: dict[str, Any] = {
    "required": _l("is required"),
    "min_length": _l("must be at least %(n)s characters"),
    "max_length": _l("must be at most %(n)s characters"),
    "minimum": _l("must be at least %(n)s"),
    "maximum": _l("must be at most %(n)s"),
    "choice": _l("must be one of: %(n)s"),
    "date": _l("must be a valid date (YYYY-MM-DD)"),
    "number": _l("must be a number"),
    "integer": _l("must be a whole number"),
    "not_allowed": _l("is not an allowed field"),
}


def translate_error(error: FieldError) -> str:
    """A field error in the page's language, chosen by its machine code (others keep the engine's words in
    English and read "is not accepted" in Chinese, beside the form's sentence that says why)."""
    return engine_field_message(error.code, error.message, error.limit)


def engine_field_message(code: str, message: str, limit: Any = "") -> str:
    """A field problem the engine reported, in the page's language."""
    msgid = _MESSAGES.get(code)
    if msgid is not None:
        return str(msgid) % {"n": limit}
    if english() or not message:
        return message
    return _("is not accepted")


def translate_errors(errors: list[FieldError]) -> list[FieldError]:
    return [FieldError(e.field, translate_error(e), e.code, e.limit) for e in errors]


def shown(view: Any) -> str:
    """A form field's value as people read it: option names joined as the page's language joins a list, yes/no,
    else the text."""
    if view.options:
        labels = dict(view.options)
        values = view.value if isinstance(view.value, list) else [view.value]
        return list_separator().join(labels.get(str(v), str(v)) for v in values if v != "")
    if isinstance(view.value, bool):
        return _("Yes") if view.value else _("No")
    return str(view.value)


def field_info(forms: dict[str, Any], locale: str) -> dict[str, tuple[str, dict[str, str]]]:
    """field name -> (label, {option value: option label}) over every form of the process."""
    info: dict[str, tuple[str, dict[str, str]]] = {}
    for schema in forms.values():
        named = value_labels(schema, locale)
        for view in field_views(schema, locale, {}):
            _label, options = info.setdefault(view.name, (view.label, {}))
            options.update({k: v for k, v in [*view.options, *named.get(view.name, {}).items()] if k not in options})
    return info


def shown_value(info: dict[str, tuple[str, dict[str, str]]], name: str, value: Any) -> str:
    """A changed value as people read it: option labels instead of codes, lists joined."""
    options = info.get(name, ("", {}))[1]
    if isinstance(value, list):
        return list_separator().join(options.get(str(v)) or _plain(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return options.get(str(value)) or _plain(value)


def _plain(value: Any) -> str:
    """A value no option names: a login name becomes the person's name, else it reads as stored."""
    if isinstance(value, str) and value.isascii() and value in known_people():
        return person(value)
    return readable(value)


def people_text(value: Any) -> str:
    """A shown value that is a list of login names ("han, song") as the people's names; others unchanged."""
    text = str(value or "")
    tokens = [t for t in re.split(r"[,，、\s]+", text) if t]
    if tokens and all(t.isascii() and t in known_people() for t in tokens):
        return list_separator().join(person(t) for t in tokens)
    return text


def plain(value: Any) -> str:
    """A stored value as people read it: names for login names, local times, durations in words, lists joined."""
    if isinstance(value, list):
        return list_separator().join(_plain(v) for v in value)
    return _plain(value)


def register(app: Any) -> None:
    """The template filters that show stored values as people read them."""
    app.add_template_filter(plain, "plain")
    app.add_template_filter(people_text, "people_text")
