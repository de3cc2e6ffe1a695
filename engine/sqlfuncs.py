"""Portable SQL for JSON list columns: "does this list hold any of these strings?".

SQLite reads the list with ``json_each``; PostgreSQL (JSONB) with ``jsonb_exists_any``. Used on the small
set of open tasks, it costs the same however many closed tasks and candidate rows history holds.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


class ListHasAny(ColumnElement[bool]):
    """``column`` (a JSON list of strings) contains at least one of ``values``."""

    inherit_cache = False
    type = sa.Boolean()

    def __init__(self, column: Any, values: list[str]) -> None:
        self.column = column
        self.values = list(values)


def _values(compiler: Any, element: ListHasAny, **kw: Any) -> str:
    return ", ".join(compiler.process(sa.literal(v), **kw) for v in element.values)


@compiles(ListHasAny, "sqlite")
def _sqlite(element: ListHasAny, compiler: Any, **kw: Any) -> str:
    if not element.values:
        return "0"
    column = compiler.process(element.column, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value IN ({_values(compiler, element, **kw)}))"


@compiles(ListHasAny, "postgresql")
def _postgresql(element: ListHasAny, compiler: Any, **kw: Any) -> str:
    if not element.values:
        return "false"
    column = compiler.process(element.column, **kw)
    return f"jsonb_exists_any({column}, ARRAY[{_values(compiler, element, **kw)}]::text[])"


def list_has_any(column: Any, values: list[str]) -> ListHasAny:
    return ListHasAny(column, sorted(values))


def list_items(column: Any, dialect: str) -> Any:
    """The strings of a JSON list ``column`` as a table with one ``value`` column, to join row by row
    (``json_each`` on SQLite, ``jsonb_array_elements_text`` on PostgreSQL, where it is implicitly lateral)."""
    if dialect == "sqlite":
        return sa.func.json_each(column).table_valued("value")
    return sa.func.jsonb_array_elements_text(column).table_valued("value")
