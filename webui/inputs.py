"""The request-input layer: every request's input is checked once, before authentication and before any view.

- JSON bodies are parsed here, with a size limit (``MAX_JSON_BYTES``) and a nesting limit (``MAX_JSON_DEPTH``);
  ``NaN``/``Infinity``, numbers that overflow and integers beyond 64 bits are refused.
- Every string of the request — JSON keys and values, form fields, uploaded file names, path and query
  parameters — is refused when it holds a NUL character or a lone UTF-16 surrogate (neither can be stored
  by PostgreSQL nor encoded as UTF-8).
- Integer path parameters (``<int:...>``) only match within the database's integer range, so a larger id
  is a plain 404; integer query and form parameters read with ``.get(name, type=int)`` are refused (422)
  outside that range.

A problem is a 422 whose ``details`` name the field (``{"field": "data.items[2].title", "message": ...}``)
in the documented error shape; pages get the error page instead.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, Request, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from engine.errors import Invalid

MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 64
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1  # ids and numbers the views hand to queries (PostgreSQL integer)
JSON_INT_MIN, JSON_INT_MAX = -(2**63), 2**63 - 1  # numbers kept in case data (a 64-bit integer on both databases)

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')

# English for the API, the page's language for the error page
PROBLEMS = {
    "nul": ("contains a NUL character", _l("contains a NUL character")),
    "surrogate": ("contains a lone surrogate (not valid Unicode)", _l("contains an invalid character")),
    "range": ("is out of range", _l("is out of range")),
    "depth": (f"is nested more than {MAX_JSON_DEPTH} levels deep", _l("is nested too deeply")),
    "json": ("is not valid JSON", _l("is not valid JSON")),
    "number": ("is not a finite number", _l("is not a finite number")),
    "encoding": ("is not UTF-8", _l("is not valid UTF-8 text")),
}


class BadInput(Invalid):
    """A request input the app cannot take at all; ``problem`` is a key of ``PROBLEMS``."""

    def __init__(self, field: str, problem: str) -> None:
        english, _page = PROBLEMS[problem]
        super().__init__(f"{field or 'the body'} {english}", [{"field": field, "message": english}])
        self.field, self.problem = field, problem

    def page_message(self) -> str:
        """The problem in the page's language, for the error page."""
        return f"{self.field} {PROBLEMS[self.problem][1]}".strip()


def check_text(field: str, value: str) -> None:
    """Refuse a string holding NUL or a lone surrogate, naming ``field``."""
    found = _FORBIDDEN.search(value)
    if found:
        raise BadInput(field, "nul" if found.group() == "\x00" else "surrogate")


def bounded_int(field: str, raw: str) -> int | None:
    """``raw`` as an integer within the database's range; None when it is no integer; BadInput when too large."""
    try:
        value = int(raw)
    except (ValueError, TypeError):
        return None
    if not DB_INT_MIN <= value <= DB_INT_MAX:
        raise BadInput(field, "range")
    return value


def int_arg(name: str, default: int | None = None) -> int | None:
    """Query parameter ``name`` as a whole number within the database's range; absent or empty → ``default``;
    anything else → 422 naming it."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise Invalid(f"'{name}' must be a whole number", [{"field": name, "message": "must be a whole number"}])
    return bounded_int(name, raw)


def id_list(body: dict[str, Any], field: str) -> list[int] | None:
    """``body[field]`` as a list of ids (whole numbers the database can hold); None when absent; else 422."""
    values = body.get(field)
    if values is None:
        return None
    if not isinstance(values, list):
        raise Invalid(f"'{field}' must be a list of ids", [{"field": field, "message": "must be a list of ids"}])
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"'{field}' must be a list of ids", [{"field": f"{field}[{i}]", "message": "must be an id"}])
        if not 0 < value <= DB_INT_MAX:
            raise BadInput(f"{field}[{i}]", "range")
    return values


class Parameters(ImmutableMultiDict):
    """Query and form parameters whose ``type=int`` reads stay within the database's integer range."""

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def,override]
        if type is not int:
            return super().get(key, default, type)
        if key not in self:
            return default
        value = bounded_int(key, self[key])
        return default if value is None else value

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def,override]
        if type is not int:
            return super().getlist(key, type)
        values = (bounded_int(key, raw) for raw in super().getlist(key))
        return [v for v in values if v is not None]


class DatabaseInt(IntegerConverter):
    """``<int:...>`` path parameters: only ids the database can hold match (a larger one is a 404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = DB_INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _depth_ok(text: str) -> bool:
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _finite(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _no_constant(raw: str) -> Any:
    raise ValueError(raw)


def _walk(value: Any) -> None:
    """Check every key, string and integer of a parsed JSON value, naming the first bad one by its path."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            check_text(path, item)
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if not JSON_INT_MIN <= item <= JSON_INT_MAX:
                raise BadInput(path, "range")
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else key
                check_text(name, key)
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(item))


def parse_json(data: bytes) -> Any:
    """The checked JSON value of a request body (BadInput naming the problem otherwise)."""
    if len(data) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"a JSON body may have at most {MAX_JSON_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("", "encoding") from None
    if not _depth_ok(text):
        raise BadInput("", "depth")
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadInput("", "json") from None
    _walk(value)
    return value


class DocketRequest(Request):
    """Flask's request with bounded integer parameters and the checked JSON parser."""

    parameter_storage_class = Parameters
    _checked_json: Any = ...

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        if self._checked_json is ...:
            data = self.get_data(cache=True)
            self._checked_json = parse_json(data) if data.strip() else None
        return self._checked_json


FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def check_request() -> None:
    """Check every string of the request (and parse a JSON body) before anything else reads it."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            check_text(name, value)
    sources = [request.args]
    if request.mimetype in FORM_TYPES:  # werkzeug reads form fields and files from these bodies only
        sources.append(request.form)
        for name, upload in request.files.items(multi=True):
            check_text(name, name)
            check_text(name, upload.filename or "")
    for source in sources:
        for name, values in source.lists():
            check_text(name, name)
            for value in values:
                check_text(name, value)
    if request.is_json and request.content_length != 0:
        request.get_json()


def init_app(app: Flask) -> None:
    """Install the checked request class and the bounded ``int`` converter (before any route is added);
    the app registers ``check_request`` as a before-request function."""
    app.request_class = DocketRequest
    app.url_map.converters["int"] = DatabaseInt
