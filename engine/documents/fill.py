"""Fill text and DOCX templates with case data.

A placeholder is ``{field}``, ``{field.sub}`` (a value inside an object), ``{field|name}`` (usernames shown as
people's names), ``{field|raw}`` (the value as stored) or ``{field|optional}`` (a field a form may leave empty:
``—`` when the case has none, neither a marked blank nor a warning). In a table row, ``{items[].field}`` repeats the row
once per element of the list ``items`` (``{items[]}`` for a list of plain values; ``{#}`` is the row's number).
Values are written as people read them: the form's option labels instead of codes, ``2026年5月1日`` for dates,
是/否, lists joined with 、.

A placeholder naming a field the case does not have becomes a marked blank (``【待补：标签】``) and is reported
in ``missing`` (and logged); it never stops the document. Word splits typed text into several runs; a
placeholder may span them, and the filled text keeps the formatting of the run it starts in.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.oxml.ns import qn
from lxml import etree

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Asia/Shanghai")
PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_]\w*(?:\[\])?(?:\.[A-Za-z_]\w*(?:\[\])?)*|#)\s*(?:\|\s*(\w+)\s*)?\}")
FILTERS = ("name", "raw", "optional")
EMPTY = "—"  # what an optional field the case lacks prints as
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
W_T, W_P, W_TR, W_BR, W_R = qn("w:t"), qn("w:p"), qn("w:tr"), qn("w:br"), qn("w:r")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_MISSING = object()

NameLookup = Callable[[list[str]], Mapping[str, str]]


@dataclass(frozen=True)
class Placeholder:
    """One ``{...}`` in a template: the field path, its filter and the text as written."""

    path: str
    filter: str | None
    text: str

    @property
    def root(self) -> str:
        """The case-data field the placeholder starts from (``items`` for ``{items[].name}``; ``#`` for the
        row number)."""
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]


@dataclass
class FieldLabels:
    """What the forms say about fields: their titles and their options' labels (Chinese by default)."""

    titles: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)

    def option(self, name: str, value: str) -> str | None:
        """The label of ``value`` for the field ``name``. A field no form offers options for (a value copied into
        a list by a script, say a unit code) takes the label when exactly one label of any field matches."""
        if name in self.options:
            return self.options[name].get(value)
        found = {table[value] for table in self.options.values() if value in table}
        return found.pop() if len(found) == 1 else None


def field_labels(forms: Mapping[str, Any], locale: str = "zh_CN") -> FieldLabels:
    """Titles and option labels of every field of ``forms`` (nested objects and array items included)."""
    labels = FieldLabels()
    lang = locale.split("_")[0]

    def walk(schema: Any) -> None:
        if not isinstance(schema, dict):
            return
        props = schema.get("properties")
        for name, prop in (props.items() if isinstance(props, dict) else ()):
            if not isinstance(prop, dict):
                continue
            i18n = prop.get("x-i18n", {}).get(lang, {}) if lang != "zh" and isinstance(prop.get("x-i18n"), dict) \
                else {}
            title = i18n.get("title") or prop.get("title")
            if isinstance(title, str):
                labels.titles.setdefault(name, title)
            for node in (prop, prop.get("items") if isinstance(prop.get("items"), dict) else {}):
                table = (i18n.get("enum_labels") if lang != "zh" else None) or node.get("x-enum-labels")
                if isinstance(table, dict):
                    labels.options.setdefault(name, {}).update({str(k): str(v) for k, v in table.items()})
            walk(prop)
            walk(prop.get("items"))

    for schema in forms.values():
        walk(schema)
    return labels


def placeholders(text: str) -> list[Placeholder]:
    """The placeholders written in ``text``."""
    return [Placeholder(m.group(1), m.group(2), m.group(0)) for m in PLACEHOLDER.finditer(text)]


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        local = value.astimezone(LOCAL) if value.tzinfo else value
        return f"{_day(local)} {local:%H:%M}"
    if isinstance(value, date):
        return _day(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        if DATE.match(value):
            try:
                return _day(date.fromisoformat(value))
            except ValueError:
                return value
        if DATETIME.match(value):
            try:
                return _scalar(datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    return "" if value is None else str(value)


class Formatter:
    """Turns placeholders into text over one set of values, remembering the fields that were missing."""

    def __init__(self, data: Mapping[str, Any], labels: FieldLabels | None = None,
                 names: NameLookup | None = None) -> None:
        self.data, self.labels, self.names = data, labels or FieldLabels(), names
        self.missing: list[str] = []

    def lookup(self, path: str, scope: Mapping[str, Any] | None = None) -> Any:
        """The value at the dotted ``path`` (in ``scope``, else the case data), or ``_MISSING``."""
        value: Any = self.data if scope is None else scope
        for part in path.split("."):
            if not part:
                continue
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            else:
                return _MISSING
        return value

    def text(self, value: Any, name: str, how: str | None) -> str:
        """``value`` of the field ``name`` as people read it (``how`` is the placeholder's filter)."""
        if how == "raw":
            return "" if value is None else str(value)
        if isinstance(value, list | tuple):
            return "、".join(self.text(v, name, how) for v in value if v not in (None, ""))
        if isinstance(value, dict):
            return "；".join(f"{self.labels.titles.get(k, k)}：{self.text(v, k, how)}" for k, v in value.items())
        if how == "name" and self.names is not None and isinstance(value, str) and value:
            return self.names([value]).get(value, value)
        if not isinstance(value, bool) and isinstance(value, str | int):
            label = self.labels.option(name, str(value))
            if label is not None:
                return label
        return _scalar(value)

    def blank(self, placeholder: Placeholder) -> str:
        """The marked blank for a field that does not exist (logged once per field)."""
        if placeholder.path not in self.missing:
            self.missing.append(placeholder.path)
            log.warning("template field %r is not in the case data; left a marked blank", placeholder.path)
        last = placeholder.path.replace("[]", "").split(".")[-1]
        return f"【待补：{self.labels.titles.get(last, last)}】"

    def render(self, placeholder: Placeholder, item: Any = _MISSING, list_path: str | None = None,
               number: int = 0) -> str:
        """The text for ``placeholder``; inside a repeated row, paths under ``list_path[]`` read ``item`` and
        ``{#}`` is the row's ``number``."""
        path = placeholder.path
        if path == "#":
            return str(number) if number else self.blank(placeholder)
        if list_path is not None and path.startswith(list_path + "[]"):
            rest = path[len(list_path) + 2:].lstrip(".")
            value = item if not rest else self.lookup(rest, item if isinstance(item, Mapping) else {})
        elif "[]" in path:
            return self.blank(placeholder)  # a list placeholder outside a table row of that list
        else:
            value = self.lookup(path)
        if value is _MISSING or (placeholder.filter == "optional" and value in (None, "", [])):
            return EMPTY if placeholder.filter == "optional" else self.blank(placeholder)
        return self.text(value, path.replace("[]", "").split(".")[-1], placeholder.filter)

    def fill_text(self, text: str) -> str:
        """``text`` with its placeholders filled (for messages and subjects)."""
        return PLACEHOLDER.sub(lambda m: self.render(Placeholder(m.group(1), m.group(2), m.group(0))), text)


def render_text(text: str, data: Mapping[str, Any], labels: FieldLabels | None = None,
                names: NameLookup | None = None) -> tuple[str, list[str]]:
    """``text`` with ``{field}`` placeholders filled from ``data``; also the fields that were missing."""
    formatter = Formatter(data, labels, names)
    return formatter.fill_text(text), formatter.missing


# ---- DOCX ----------------------------------------------------------------------------------------------------

def _parts(doc: Any) -> Iterator[etree._Element]:
    """The body and every header and footer of the document (each once)."""
    yield doc.element.body
    seen: set[int] = set()
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            element = part._element
            if id(element) not in seen:
                seen.add(id(element))
                yield element


def _set_text(node: etree._Element, text: str) -> None:
    node.text = text
    if text != text.strip():
        node.set(XML_SPACE, "preserve")


def _put(node: etree._Element, before: str, value: str, after: str) -> None:
    """Write ``before + value + after`` into the text node, turning newlines of ``value`` into line breaks."""
    lines = value.split("\n")
    _set_text(node, before + lines[0] + (after if len(lines) == 1 else ""))
    anchor = node
    for n, line in enumerate(lines[1:], start=1):
        br = etree.Element(W_BR)
        anchor.addnext(br)
        t = etree.Element(W_T)
        _set_text(t, line + (after if n == len(lines) - 1 else ""))
        br.addnext(t)
        anchor = t


def _fill_paragraph(p: etree._Element, fill: Callable[[Placeholder], str]) -> None:
    nodes = [t for t in p.iter(W_T)]
    texts = [t.text or "" for t in nodes]
    full = "".join(texts)
    matches = list(PLACEHOLDER.finditer(full))
    if not matches:
        return
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text)

    def node_at(offset: int) -> int:
        return next(i for i, s in enumerate(starts) if s <= offset < s + len(texts[i]))

    for m in reversed(matches):
        value = fill(Placeholder(m.group(1), m.group(2), m.group(0)))
        i, j = node_at(m.start()), node_at(m.end() - 1)
        first = nodes[i].text or ""
        before = first[:m.start() - starts[i]]
        if i == j:
            _put(nodes[i], before, value, first[m.end() - starts[i]:])
            continue
        last = nodes[j].text or ""
        _set_text(nodes[j], last[m.end() - starts[j]:])
        for k in range(i + 1, j):
            nodes[k].text = ""
        _put(nodes[i], before, value, "")


def _list_path(row: etree._Element) -> str | None:
    text = "".join(t.text or "" for t in row.iter(W_T))
    for m in PLACEHOLDER.finditer(text):
        if "[]" in m.group(1):
            return m.group(1).split("[]", 1)[0]
    return None


def _expand_rows(part: etree._Element, formatter: Formatter) -> None:
    for row in list(part.iter(W_TR)):
        list_path = _list_path(row)
        if list_path is None or row.getparent() is None:
            continue
        items = formatter.lookup(list_path)
        if items is _MISSING:
            formatter.blank(Placeholder(list_path, None, "{" + list_path + "}"))
            items = []
        if not isinstance(items, list):
            items = [items]
        anchor = row
        for number, item in enumerate(items or [_MISSING], start=1):
            clone = copy.deepcopy(row)

            def fill(ph: Placeholder, item: Any = item, list_path: str = list_path, number: int = number) -> str:
                if item is _MISSING and (ph.path == "#" or ph.path.startswith(list_path + "[]")):
                    return "—"
                return formatter.render(ph, item, list_path, number)

            for p in clone.iter(W_P):
                _fill_paragraph(p, fill)
            anchor.addnext(clone)
            anchor = clone
        row.getparent().remove(row)


@dataclass(frozen=True)
class Filled:
    """A filled document and the template fields the case data did not have."""

    content: bytes
    missing: list[str]


def fill_docx(template: bytes, data: Mapping[str, Any], labels: FieldLabels | None = None,
              names: NameLookup | None = None) -> Filled:
    """The DOCX ``template`` filled from ``data``.

    :raises ValueError: ``template`` is not a DOCX file.
    """
    doc = _open(template)
    formatter = Formatter(data, labels, names)
    for part in _parts(doc):
        _expand_rows(part, formatter)
        for p in list(part.iter(W_P)):
            _fill_paragraph(p, formatter.render)
    out = BytesIO()
    doc.save(out)
    return Filled(out.getvalue(), formatter.missing)


def docx_placeholders(template: bytes) -> list[Placeholder]:
    """Every placeholder of a DOCX template, in order (headers and footers included).

    :raises ValueError: ``template`` is not a DOCX file.
    """
    doc = _open(template)
    found: list[Placeholder] = []
    for part in _parts(doc):
        for p in part.iter(W_P):
            found.extend(placeholders("".join(t.text or "" for t in p.iter(W_T))))
    return found


def _open(template: bytes) -> Any:
    try:
        return Document(BytesIO(template))
    except Exception as exc:  # python-docx raises several kinds (BadZipFile, KeyError, ValueError)
        raise ValueError(f"not a DOCX file ({type(exc).__name__}: {exc})") from exc


def unknown_filters(found: Iterable[Placeholder]) -> list[Placeholder]:
    """Placeholders whose ``|filter`` Docket does not know."""
    return [p for p in found if p.filter is not None and p.filter not in FILTERS]
