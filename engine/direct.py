"""Hot statements run straight on the database driver: built with SQLAlchemy Core, compiled once per dialect.

Executing a cached Core statement through SQLAlchemy still costs several times the driver's own work on every
call (the cache key, an execution context, parameter processing in general form, a result object). The few
statements every command sends — its case and task rows, their candidates, its events, the new-task
notifications — and the bearer-token check of every API call are therefore compiled once per dialect (and per
length of each list parameter) and run on the session's DB-API connection, inside the session's transaction:

    _INSERT_EVENT = insert(Event.__table__, ("case_id", "task_id", "actor", "kind", "at", "data"))
    _INSERT_EVENT.executemany(session, rows)

Every value still goes through its column type's bind processor (dates, JSON, the models' own types), exactly as
SQLAlchemy would send it, and the engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners still
hear of every statement (statement counters, plan checks, tracing; their context is a small stand-in, not
SQLAlchemy's execution context). A driver error comes out as SQLAlchemy's (``IntegrityError``…), and a lost
connection is invalidated; the ``handle_error`` event is not fired. A direct SELECT does not autoflush: it reads
what the transaction has written so far, not objects still pending in the session. A SELECT's rows come back
read as their column types read them; a RETURNING clause's as the driver gives them (keep it to ids and names).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import BindParameter

Build = Callable[..., sa.Executable]


class _Plan:
    """One compiled form of a statement: its SQL text, the order of its parameters and their processors."""

    def __init__(self, statement: sa.Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.insert_prefetch or compiled.update_prefetch:  # type: ignore[attr-defined]
            raise ValueError(f"a column default computed in Python would be skipped here: {compiled.string}")
        if compiled.post_compile_params:  # type: ignore[attr-defined]
            raise ValueError("an IN list is expanded per execution; name it in ``lists`` (an empty one: write the "
                             f"condition out, e.g. sa.false()): {compiled.string}")
        self.sql = compiled.string
        self.positional = compiled.positional
        binds: dict[BindParameter[Any], str] = compiled.bind_names  # type: ignore[attr-defined]
        processors: dict[str, Callable[[Any], Any] | None] = {}
        defaults: dict[str, Any] = {}
        for bind, name in binds.items():
            processors[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if not bind.required and bind.value is not None:
                defaults[name] = bind.value  # a literal the statement carries (e.g. a WHERE constant)
        names = list(compiled.positiontup or []) if self.positional else list(binds.values())
        # per parameter in the order the driver takes them: its name, its processor, its value when none is given
        self.slots = [(name, processors[name], defaults.get(name, _REQUIRED)) for name in names]
        columns = statement.selected_columns if isinstance(statement, sa.Select) else ()
        readers = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        # the columns a SELECT reads through their type (dates, JSON on SQLite...), by position
        self.readers = [(i, read) for i, read in enumerate(readers) if read is not None]

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for ``values``, each as its column type sends it.

        :raises ValueError: a parameter of the statement has no value."""
        out = []
        for name, process, default in self.slots:
            value = values.get(name, default)
            if value is _REQUIRED:
                raise ValueError(f"no value given for the statement's parameter {name!r}")
            out.append(value if process is None else process(value))
        return out if self.positional else {slot[0]: value for slot, value in zip(self.slots, out, strict=True)}


_REQUIRED = object()


class Direct:
    """A statement that runs on the driver's cursor (:meth:`execute`, :meth:`fetch`, :meth:`executemany`).

    ``build`` makes it. When it takes list parameters, name them in ``lists``: ``build`` is then called with one
    bound parameter per item for each (see :func:`slots`), once per combination of lengths, and the values are
    given as lists under those names; for an empty list write the condition out (an empty IN list would be
    expanded on every execution). With ``by_dialect`` ``build`` is also given ``dialect``, the database's name, for
    a statement written differently per database."""

    def __init__(self, build: Build, lists: Iterable[str] = (), by_dialect: bool = False) -> None:
        self._build = build
        self._lists = tuple(lists)
        self._by_dialect = by_dialect
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self, dialect: Dialect, values: Mapping[str, Any]) -> tuple[_Plan, Mapping[str, Any]]:
        lengths = tuple(len(values[name]) for name in self._lists)
        key = (type(dialect), dialect.paramstyle, lengths)  # per driver: its SQL text and value processing
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                shapes: dict[str, Any] = {name: slots(name, n) for name, n in zip(self._lists, lengths, strict=True)}
                if self._by_dialect:
                    shapes["dialect"] = dialect.name
                plan = self._plans.setdefault(key, _Plan(self._build(**shapes), dialect))
        if self._lists:
            values = dict(values)
            for name in self._lists:
                values.update({f"{name}_{i}": item for i, item in enumerate(values.pop(name))})
        return plan, values

    def execute(self, session: so.Session | sa.Connection, values: Mapping[str, Any]) -> int:
        """Run once with ``values``; returns how many rows it wrote."""
        cursor, _ = self._cursor(session, values)
        count = cursor.rowcount
        cursor.close()
        return count

    def fetch(self, session: so.Session | sa.Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once with ``values``; returns the rows it read (or a RETURNING clause gave) as the driver gives them."""
        cursor, plan = self._cursor(session, values)
        rows = cursor.fetchall()
        cursor.close()
        if not plan.readers:
            return [tuple(row) for row in rows]
        out = []
        for row in rows:
            read_row = list(row)
            for i, read in plan.readers:
                if read_row[i] is not None:
                    read_row[i] = read(read_row[i])
            out.append(tuple(read_row))
        return out

    def _cursor(self, session: so.Session | sa.Connection, values: Mapping[str, Any]) -> tuple[Any, _Plan]:
        connection = _connection(session)
        plan, values = self._plan(connection.dialect, values)
        return _run(connection, plan, plan.parameters(values), False), plan

    def executemany(self, session: so.Session | sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per row of ``rows`` (all of the same shape), in one call to the driver."""
        if not rows:
            return
        connection = _connection(session)
        plan, _ = self._plan(connection.dialect, rows[0])
        _run(connection, plan, [plan.parameters(row) for row in rows], True).close()


_CONNECTION = "docket_direct_connection"  # session.info: (the transaction, its connection)


def _connection(session: so.Session | sa.Connection) -> sa.Connection:
    """The connection of the session's transaction (``Session.connection``, begun if need be), remembered for the
    transaction's other statements: asking the session each time costs more than most of them. A connection given
    instead of a session (a single read, ``Runtime.connection``) is used as it is."""
    if isinstance(session, sa.Connection):
        return session
    held = session.info.get(_CONNECTION)
    transaction = session.get_transaction()
    if held is not None and held[0] is transaction and transaction is not None and transaction.is_active:
        return held[1]
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


def slots(name: str, count: int) -> list[BindParameter[Any]]:
    """``count`` bound parameters standing for the items of the list parameter ``name``."""
    return [sa.bindparam(f"{name}_{i}") for i in range(count)]


def insert(table: sa.Table, columns: Iterable[str]) -> Direct:
    """The INSERT of exactly ``columns`` into ``table`` (each row gives a value for each)."""
    columns = tuple(columns)
    return Direct(lambda: sa.insert(table).values(typed_values(table, columns)))


def typed_values(table: sa.Table, keys: Iterable[str]) -> dict[str, BindParameter[Any]]:
    """``{column: bound parameter of the column's type}`` for the ``keys`` of ``table``: the VALUES or SET clause of
    a statement given exactly those columns."""
    return {key: sa.bindparam(key, type_=table.c[key].type) for key in keys}


class _Context:
    """What the cursor events receive as their execution context: the statement's own facts, and room for what a
    listener keeps between ``before_cursor_execute`` and ``after_cursor_execute`` (a tracer's span)."""

    def __init__(self, statement: str, parameters: Any, many: bool) -> None:
        self.statement, self.parameters, self.executemany = statement, parameters, many


def _run(connection: sa.Connection, plan: _Plan, parameters: Any, many: bool) -> Any:
    statement = plan.sql
    dbapi_connection = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()  # type: ignore[union-attr]
    # as SQLAlchemy does: the cursor events only when someone listens (walking the listener lists costs microseconds)
    heard = connection._has_events or connection.engine._has_events  # type: ignore[attr-defined]
    if heard:
        context = _Context(statement, parameters, many)
        for listener in connection.dispatch.before_cursor_execute:
            statement, parameters = listener(connection, cursor, statement, parameters, context, many)
    try:
        if many:
            cursor.executemany(statement, parameters)
        else:
            cursor.execute(statement, parameters)
    except Exception as exc:
        cursor.close()
        error = sa.exc.DBAPIError.instance(statement, parameters, exc, connection.dialect.loaded_dbapi.Error)
        if isinstance(exc, connection.dialect.loaded_dbapi.Error) and \
                connection.dialect.is_disconnect(exc, dbapi_connection, cursor):
            error.connection_invalidated = True
            connection.invalidate(exc)  # a lost connection is not handed out again
        raise error from exc
    if heard:
        for listener in connection.dispatch.after_cursor_execute:
            listener(connection, cursor, statement, parameters, context, many)
    return cursor
