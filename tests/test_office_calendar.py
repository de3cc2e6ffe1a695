"""Working days over a year the library does not know: flagged while unknown, counted right once the office
enters it, recomputed (dry run first) for tasks computed before, never changed silently."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from test_disputes_helpers import disputes, mediation_application

from engine.access import ADMIN as ADMIN_GROUP
from engine.access import Actor
from engine.clock import clock
from engine.disputes.commands import file_application
from engine.office.calendar import put_year, recompute_due_dates, unknown_soon
from engine.runtime import Runtime
from engine.workdays import LOCAL, add_workdays, is_workday, year_days

__all__ = ["disputes"]
ADMIN = Actor("admin", frozenset({ADMIN_GROUP}))
FILED = datetime(2026, 12, 30, 10, 0, tzinfo=LOCAL)
HOLIDAYS_2027 = ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10",
                 "2027-02-11"]
WORKDAYS_2027 = ["2027-02-20"]


def file_for_acceptance(rt: Runtime, who: dict[str, Actor]) -> dict[str, Any]:
    """A mediation filed on 2026-12-30 that goes straight to the 3-working-day acceptance."""
    clock.freeze(FILED)
    case = file_application(rt, who["zhang"], "mediation", mediation_application(request_school=True,
                                                                              known_on="2026-12-20"))
    api_tasks = [t for t in case.open_task_rows if t.name == "accept_case"]
    assert api_tasks, [t.name for t in case.open_task_rows]
    return {"case": case, "task": api_tasks[0]}


def due_day(task: Any) -> date:
    return task.due_at.astimezone(LOCAL).date()


def test_with_2027_unknown_the_task_is_flagged_and_counted_monday_to_friday(rt: Runtime,
                                                                             disputes: dict[str, Actor]) -> None:
    filed = file_for_acceptance(rt, disputes)
    assert due_day(filed["task"]) == date(2027, 1, 4)  # 1 January counted as a working day
    assert filed["task"].calendar_warning is True
    with rt.reading() as session:
        assert unknown_soon(session, FILED) == [2027]


def test_with_2027_entered_by_the_office_the_acceptance_is_due_on_the_fifth(rt: Runtime,
                                                                            disputes: dict[str, Actor]) -> None:
    with rt.transaction() as session:
        put_year(session, ADMIN, 2027, HOLIDAYS_2027, WORKDAYS_2027)
    assert year_days(2027).source == "office" and not is_workday(date(2027, 1, 1))
    assert is_workday(date(2027, 2, 20))  # a Saturday the office made a working day
    filed = file_for_acceptance(rt, disputes)
    assert due_day(filed["task"]) == date(2027, 1, 5)
    assert filed["task"].calendar_warning is False
    with rt.reading() as session:
        assert unknown_soon(session, FILED) == []


def test_due_dates_computed_before_change_only_when_recomputed(rt: Runtime, disputes: dict[str, Actor]) -> None:
    filed = file_for_acceptance(rt, disputes)
    with rt.transaction() as session:
        put_year(session, ADMIN, 2027, HOLIDAYS_2027, WORKDAYS_2027)
    from engine.models import Task

    with rt.reading() as session:
        assert due_day(session.get(Task, filed["task"].id)) == date(2027, 1, 4)  # not changed silently
    plan = recompute_due_dates(rt, ADMIN, dry_run=True)
    assert [(p["task_id"], p["due_at"][:10], p["new_due_at"][:10], p["still_unknown"]) for p in plan] == [
        (filed["task"].id, "2027-01-04", "2027-01-05", False)]
    with rt.reading() as session:
        assert due_day(session.get(Task, filed["task"].id)) == date(2027, 1, 4)  # the dry run moved nothing
    recompute_due_dates(rt, ADMIN, dry_run=False)
    with rt.reading() as session:
        task = session.get(Task, filed["task"].id)
        assert due_day(task) == date(2027, 1, 5) and task.calendar_warning is False
    assert recompute_due_dates(rt, ADMIN, dry_run=True) == []


def test_a_year_another_worker_wrote_is_seen_at_the_next_transaction(rt: Runtime, database_url: str,
                                                                     disputes: dict[str, Actor]) -> None:
    with rt.transaction() as session:
        put_year(session, ADMIN, 2027, ["2027-01-01"], [])
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    engine = sa.create_engine(database_url)  # another worker's write: its own connection, a new stamp
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE calendar_year SET holidays = :h, stamp = 'other-worker' WHERE year = 2027"),
                     {"h": json.dumps(["2027-01-01", "2027-01-04"])})
    engine.dispose()
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)  # outside a transaction: the cache as it was
    with rt.reading() as session:
        session.execute(sa.select(1))  # a transaction begins: the first working-day count reads the stamps
        assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)


@pytest.fixture(autouse=True)
def _thaw() -> Any:
    yield
    clock.unfreeze()


def test_the_flag_shows_in_the_task_json_the_inbox_and_the_board_banner(rt: Runtime, api: Any,
                                                                        disputes: dict[str, Actor]) -> None:
    filed = file_for_acceptance(rt, disputes)
    task = api.get(f"/api/v1/tasks/{filed['task'].id}", "ma").get_json()
    assert task["calendar_warning"] is True and task["due_at"].startswith("2027-01-04")
    api.client.application.config["WTF_CSRF_ENABLED"] = False  # form posts from the test client
    client = api.client
    client.post("/login", data={"username": "ma", "password": "pw-ma"})
    assert "日历未定" in client.get("/inbox").get_data(as_text=True)
    assert "日历未定" in client.get(f"/tasks/{filed['task'].id}").get_data(as_text=True)
    board = api.client.application.test_client()
    board.post("/login", data={"username": "admin", "password": "pw-admin"})
    page = board.get("/supervision/").get_data(as_text=True)
    assert 'id="calendar-banner"' in page and "2027 年的法定节假日尚未录入" in page
    with rt.transaction() as session:
        put_year(session, ADMIN, 2027, HOLIDAYS_2027, WORKDAYS_2027)
    assert 'id="calendar-banner"' not in board.get("/supervision/").get_data(as_text=True)
