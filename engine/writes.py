"""A command's own rows written with SQLAlchemy Core: the case row, its task rows and their candidates.

The unit of work costs more than the few statements a command sends (its bookkeeping took a third of completing
a task). ``casework.save`` therefore writes the rows it changed itself, as the flush would have: only the columns
whose value changed, the case's ``revision`` and a task's ``version`` checked and raised (a row someone else
changed in the meantime is a :class:`Conflict`, as ``Runtime.transaction`` says of a stale flush), new task rows
and their candidates in one INSERT each; a new case's row is inserted the same way. Every row written is left as
a flush leaves it (persistent, no history), so the session's own flush finds nothing more to do. A row whose
relationships changed, a case not yet inserted and every other table stay with the unit of work. The statements
run on the driver (``engine.direct``). A row a command read with Core becomes a persistent object with
:func:`loaded`, as an ORM load would leave it.

Both ends do what SQLAlchemy's own flush and load do with a row, through the same few instance-state calls
(``InstanceState._commit_all``, the state's ``key`` and ``session_id``, ``Session.identity_map.add``, the
transaction's record of what it wrote) rather than
``Session.add``, whose cascade walk over relationships nobody loaded cost more than the row's statement; the tests
(``tests/test_core_writes.py``, the suite on both databases) hold them to the ORM's behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .direct import Direct, insert, typed_values
from .errors import Conflict
from .models import Case, Task, TaskCandidate

STALE = "the case was changed by someone else in the meantime; reload and try again"
_state = so.attributes.instance_state  # an object's InstanceState (what sa.inspect gives, without its lookup)


def insert_case(session: so.Session, case: Case) -> None:
    """INSERT the new ``case`` (its id comes back) and attach it to ``session`` as persistent."""
    mapping = _mapping(Case)
    values = mapping.insert_values(case)
    ((case.id,),) = mapping.statement("insert_returning", tuple(values)).fetch(session, values)
    _attach(session, case, mapping)


def write_case_rows(session: so.Session, case: Case, rows: Iterable[Task] = ()) -> None:
    """Write ``case`` and those of its task rows the command changed, and insert the new ones among its open
    ``rows`` (see the module's text)."""
    new = [row for row in rows if _state(row).key is None]  # made by this command, not written yet
    if not _state(case).persistent:
        session.add_all(new)
        return  # its INSERT is the unit of work's, and so are its rows'
    update_row(session, case)
    changed = [o for o in session.dirty if isinstance(o, Task) and o.case_id == case.id]
    for row in sorted(changed, key=lambda r: r.id):  # the flush's order: by primary key
        update_row(session, row)
    insert_tasks(session, new)


def update_row(session: so.Session, obj: Case | Task) -> None:
    """UPDATE the columns of the persistent ``obj`` whose value changed, its version checked and raised.

    :raises Conflict: the row's version in the database is not the one this command read.
    """
    state = _state(obj)
    if not state.modified:
        return
    mapping = _mapping(type(obj))
    if not mapping.columns.issuperset(state.committed_state):
        return  # a relationship changed: the unit of work writes the row
    values = {key: state.dict[key] for key, old in state.committed_state.items()
              if old is so.attributes.NO_VALUE or old != state.dict[key]}
    if values:
        version = state.dict[mapping.version]
        values[mapping.version] = version + 1
        written = mapping.statement("update", tuple(values)).execute(
            session, {**values, "where_id": state.identity[0], "where_version": version})
        if written != 1:
            raise Conflict(STALE)
        state.dict[mapping.version] = version + 1  # as written; the history goes below
    _as_flushed(session, obj, mapping)


def insert_tasks(session: so.Session, rows: Iterable[Task]) -> None:
    """INSERT the new task ``rows`` and their candidates (one statement each), then attach them as persistent."""
    rows = list(rows)
    if not rows:
        return
    mapping = _mapping(Task)
    for row in rows:
        if row in session:  # added by a feature's row that refers to it (an SLA clock)
            session.expunge(row)  # with its candidates (the relationship cascades)
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = mapping.insert_values(row)
        by_columns.setdefault(tuple(values), []).append(values)
    for columns, values in by_columns.items():
        mapping.statement("insert", columns).executemany(session, values)
    candidates = [(row, c) for row in rows for c in row.candidates]
    _INSERT_CANDIDATE.executemany(session, [{"task_id": row.id, "kind": c.kind, "principal": c.principal}
                                            for row, c in candidates])
    for row, candidate in candidates:
        candidate.task_id = row.id
        _attach(session, candidate)
    for row in rows:
        _attach(session, row, mapping)


_INSERT_CANDIDATE = insert(TaskCandidate.__table__, ("task_id", "kind", "principal"))


def fresh(cls: type, **values: Any) -> Any:
    """A new (transient) object holding ``values``, as its constructor leaves it but without the attribute event
    the constructor fires per value: nothing needs tracking in a new row, whose INSERT writes what it holds."""
    obj = _manager(cls).new_instance()
    _state(obj).dict.update(values)
    return obj


@cache
def _manager(cls: type) -> Any:
    return sa.inspect(cls).class_manager


def loaded(session: so.Session, cls: type, values: dict[str, Any]) -> Any:
    """The persistent object of a row read with Core (``values``: its columns by attribute name; a column left out
    is loaded when first read), as an ORM load gives it: the session's own object when it holds the row already."""
    mapping = _mapping(cls)
    identity = mapping.mapper.identity_key_from_primary_key((values[mapping.key],))
    existing = session.identity_map.get(identity)
    if existing is not None:
        return existing
    obj = mapping.manager.new_instance()
    _state(obj).dict.update(values)  # loaded values: committed, no history
    _persistent(session, obj, identity)
    missing = mapping.columns.difference(values, mapping.deferred)
    if missing:
        session.expire(obj, missing)  # read when first used
    return obj


def _as_flushed(session: so.Session, obj: Any, mapping: _Mapping) -> None:
    """Leave the persistent ``obj`` as a flush leaves what it wrote: in ``session`` with no history to write (the
    flush's own last step on a row, ``InstanceState._commit_all``)."""
    _fill_unset(obj, mapping)
    state = _state(obj)
    state._commit_all(state.dict, session.identity_map)
    _written(session, state, new=False)


def _attach(session: so.Session, obj: Any, mapping: _Mapping | None = None) -> None:
    """Put the transient ``obj``, whose row is written, into ``session`` as persistent with no history (``mapping``:
    its columns left unset read as None)."""
    if mapping is not None:
        _fill_unset(obj, mapping)
    state = _persistent(session, obj)
    state._commit_all(state.dict, session.identity_map)
    _written(session, state, new=True)


def _written(session: so.Session, state: Any, new: bool) -> None:
    """Tell the innermost transaction (a SAVEPOINT's too) that its rollback must undo this row, as the flush does
    (``Session._register_altered``): an inserted object leaves the session, a changed one is expired."""
    transaction = session._transaction
    if transaction is not None:
        (transaction._new if new else transaction._dirty)[state] = True


def _persistent(session: so.Session, obj: Any, identity: Any = None) -> Any:
    """Make ``obj`` persistent in ``session`` as an ORM load makes a row it read (``sqlalchemy.orm.loading``): its
    identity (``identity``, else from its primary key) set, in the session's identity map. None of ``Session.add``'s
    cascade over the object's relationships: the caller attaches related objects itself."""
    state = _state(obj)
    state.key = identity or state.mapper.identity_key_from_instance(obj)
    state.session_id = session.hash_key
    session.identity_map.add(state)
    return state


def _fill_unset(obj: Any, mapping: _Mapping) -> None:
    """A column ``obj`` holds no value for reads as None, as after a flush (were it left unset, attaching the object
    would expire it: reading it would cost a SELECT). A column that is expired, or deferred (by the mapping or by
    the query that loaded ``obj``), stays unloaded: it is read when first used."""
    state = _state(obj)
    for key in mapping.columns.difference(state.dict, state.expired_attributes, state.callables, mapping.deferred):
        so.attributes.set_committed_value(obj, key, None)


class _Mapping:
    """What the Core writes and reads of one mapped class (a single-column primary key) need: its column attributes
    (named as their columns), its version attribute (the UPDATE's: Case and Task have one), its deferred columns and
    its statements (:meth:`statement`): the version-checked UPDATE by primary key and the INSERTs, one per set of
    columns written."""

    def __init__(self, cls: type) -> None:
        mapper = sa.inspect(cls)
        self.mapper, self.manager = mapper, mapper.class_manager
        table = mapper.local_table
        self.columns = frozenset(prop.key for prop in mapper.column_attrs)
        assert self.columns == frozenset(table.c.keys()), f"{cls.__name__}: attributes named as their columns"
        version = mapper.version_id_col
        self.version = mapper.get_property_by_column(version).key if version is not None else None
        # mapped as deferred: left out of a row, such a column loads by itself when read (never expired)
        self.deferred = frozenset(prop.key for prop in mapper.column_attrs if prop.deferred)
        (key,) = mapper.primary_key
        self.key = mapper.get_property_by_column(key).key
        self._builders = {
            "update": lambda columns: sa.update(table).where(
                key == sa.bindparam("where_id"), mapper.version_id_col == sa.bindparam("where_version"),
            ).values(typed_values(table, columns)),
            "insert": lambda columns: sa.insert(table).values(typed_values(table, columns)),
            "insert_returning": lambda columns: sa.insert(table).values(typed_values(table, columns)).returning(key),
        }
        self._statements: dict[tuple[str, tuple[str, ...]], Direct] = {}
        self.defaults = {column.key: column.default for column in table.c if column.default is not None}

    def statement(self, kind: str, columns: tuple[str, ...]) -> Direct:
        """The ``update``, ``insert`` or ``insert_returning`` (the primary key) statement writing ``columns``."""
        found = self._statements.get((kind, columns))
        if found is None:
            build = self._builders[kind]
            found = self._statements.setdefault((kind, columns), Direct(lambda: build(columns)))
        return found

    def insert_values(self, obj: Any) -> dict[str, Any]:
        """The INSERT's values of a new ``obj``: what it holds, and the Python default of what it lacks (set on it
        too); a column with neither is left out (NULL, as the flush leaves it)."""
        state = _state(obj)
        values = {key: state.dict[key] for key in self.columns if key in state.dict}
        for key, default in self.defaults.items():
            if key not in values:
                values[key] = default.arg(None) if default.is_callable else default.arg
                setattr(obj, key, values[key])
        return values


@cache
def _mapping(cls: type) -> _Mapping:
    return _Mapping(cls)
