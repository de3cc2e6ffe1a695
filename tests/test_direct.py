"""Hot statements on the driver's cursor (engine.direct): values go through their column types as SQLAlchemy would
send them, list parameters take any length, the engine's listeners hear every statement, a refused row raises
SQLAlchemy's own error and leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from engine.direct import Direct, insert, slots, typed_values
from engine.models import Event, Task, User
from engine.runtime import Runtime

EVENT_COLUMNS = ("case_id", "task_id", "actor", "kind", "at", "data")
INSERT_EVENT = insert(Event.__table__, EVENT_COLUMNS)
USERS_NAMED = Direct(lambda names: sa.select(User.username).where(User.username.in_(names) if names else sa.false())
                     .order_by(User.username), lists=("names",))


def test_values_are_written_as_their_column_types_write_them(rt: Runtime) -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=beijing)
    rows = [{"case_id": None, "task_id": None, "actor": "zhao", "kind": "probe", "at": at,
             "data": {"意见": "同意", "n": [1, 2]}},
            {"case_id": None, "task_id": "t-1", "actor": None, "kind": "probe", "at": at, "data": None}]
    with rt.transaction() as session:
        INSERT_EVENT.executemany(session, rows)
    with rt.reading() as session:
        read = session.scalars(sa.select(Event).where(Event.kind == "probe").order_by(Event.id)).all()
    assert [(e.actor, e.task_id, e.at, e.data) for e in read] == [
        ("zhao", None, at.astimezone(UTC), {"意见": "同意", "n": [1, 2]}), (None, "t-1", at.astimezone(UTC), None)]
    assert read[0].at.tzinfo is not None


def test_list_parameters_take_any_length(rt: Runtime, people: dict) -> None:
    with rt.reading() as session:
        def named(names: list[str]) -> list[str]:
            return [name for (name,) in USERS_NAMED.fetch(session, {"names": names})]

        assert named(["zhao"]) == ["zhao"]
        assert named(["qian", "zhao", "nobody"]) == ["qian", "zhao"]
        assert named([]) == []


def test_the_engines_listeners_hear_every_statement(rt: Runtime) -> None:
    """Before and after each statement, with a context a listener may keep its own state on (as a tracer keeps
    its span)."""
    heard: list[tuple[str, object]] = []
    finished: list[tuple[str, object]] = []

    def before(_conn: object, _cursor: object, statement: str, parameters: object, context: object, _many: bool
               ) -> None:
        context.span = statement  # type: ignore[attr-defined]
        heard.append((statement, parameters))

    def after(_conn: object, _cursor: object, statement: str, _parameters: object, context: object, many: bool
              ) -> None:
        finished.append((context.span, many))  # type: ignore[attr-defined]

    sa.event.listen(rt.db, "before_cursor_execute", before)
    sa.event.listen(rt.db, "after_cursor_execute", after)
    try:
        with rt.transaction() as session:
            INSERT_EVENT.executemany(session, [{"case_id": None, "task_id": None, "actor": "a", "kind": "probe",
                                                "at": datetime.now(UTC), "data": None}])
    finally:
        sa.event.remove(rt.db, "before_cursor_execute", before)
        sa.event.remove(rt.db, "after_cursor_execute", after)
    inserts = [s for s, _ in heard if s.lstrip().upper().startswith("INSERT INTO EVENT")]
    assert inserts and [(s, True) for s in inserts] == [(s, m) for s, m in finished if s in inserts]


def test_a_refused_row_raises_sqlalchemys_error_and_changes_nothing(rt: Runtime) -> None:
    good = {"case_id": None, "task_id": None, "actor": "a", "kind": "probe", "at": datetime.now(UTC), "data": None}
    with pytest.raises(sa.exc.IntegrityError), rt.transaction() as session:
        INSERT_EVENT.executemany(session, [good])
        INSERT_EVENT.executemany(session, [{**good, "kind": None}])  # kind is NOT NULL
    with rt.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.kind == "probe")) == 0


def test_a_statement_that_would_skip_a_python_default_is_refused(rt: Runtime) -> None:
    partial = Direct(lambda: sa.insert(Task.__table__).values(typed_values(Task.__table__, ("id", "case_id"))))
    with pytest.raises(ValueError, match="default computed in Python"), rt.transaction() as session:
        partial.execute(session, {"id": "x", "case_id": 1})


def test_an_in_list_left_to_expand_per_execution_is_refused(rt: Runtime) -> None:
    expanding = Direct(lambda: sa.select(User.username).where(User.username.in_(["a", "b"])))
    with pytest.raises(ValueError, match="name it in ``lists``"), rt.reading() as session:
        expanding.fetch(session, {})


def test_slots_name_one_parameter_per_item() -> None:
    assert [p.key for p in slots("keys", 3)] == ["keys_0", "keys_1", "keys_2"]


def test_a_parameter_without_a_value_is_refused(rt: Runtime) -> None:
    row = {"case_id": None, "task_id": None, "actor": "a", "kind": "probe", "at": datetime.now(UTC)}  # no data
    with pytest.raises(ValueError, match="'data'"), rt.transaction() as session:
        INSERT_EVENT.executemany(session, [row])
