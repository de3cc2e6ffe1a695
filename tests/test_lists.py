"""Cases, inbox and archive lists: pages, sorting by every column shown, tab counts that follow the filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from test_inbox_api import inbox, make_task
from test_inbox_pages import signed_in, web

from engine.clock import utcnow
from engine.models import Case
from engine.runtime import Runtime

__all__ = ["web"]


@pytest.fixture
def tasks(rt: Runtime, review_process: Any) -> dict[str, str]:
    now = utcnow()
    return {
        "b": make_task(rt, review_process, "乙 审查", ["committee"], now - timedelta(days=1), case_title="乙"),
        "a": make_task(rt, review_process, "甲 审查", ["committee"], now + timedelta(days=3), case_title="甲",
                       process="other"),
        "c": make_task(rt, review_process, "丙 审查", ["committee"], None, case_title="丙"),
    }


@pytest.mark.parametrize("sort,order", [("case", "bac"), ("-case", "cab"), ("due_at", "bac"), ("-due_at", "abc"),
                                        ("late", "abc"), ("-late", "bac"), ("process", "abc"), ("-process", "bca")])
def test_inbox_sorts_by_each_column(api: Any, tasks: dict[str, str], sort: str, order: str) -> None:
    """Business keys are numbered in creation order (b, a, c); a task without a due date sorts last."""
    by_id = {v: k for k, v in tasks.items()}
    assert "".join(by_id[t["id"]] for t in inbox(api, "zhao", f"sort={sort}")["items"]) == order


def test_unknown_sort_is_refused(api: Any, tasks: dict[str, str]) -> None:
    res = api.get("/api/v1/tasks?sort=nonsense", "zhao")
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "sort"
    assert api.get("/api/v1/cases?sort=nonsense", "admin").status_code == 422


def test_tab_counts_follow_the_filters(api: Any, tasks: dict[str, str]) -> None:
    everything = inbox(api, "zhao")["counts"]
    assert (everything["all"], everything["overdue"]) == (3, 1)
    other = inbox(api, "zhao", "process=other")["counts"]
    assert (other["all"], other["overdue"], other["group"]) == (1, 0, 1)
    assert inbox(api, "zhao", "q=乙")["counts"]["all"] == 1
    assert inbox(api, "zhao", "view=overdue")["counts"]["all"] == 3  # a tab is not a filter of the others


def test_case_list_pages_and_sorts(api: Any, rt: Runtime, people: dict, review_process: Any) -> None:
    from engine.instances import start_case

    for i in range(53):
        start_case(rt, people["wang"], "proposal_review", {"title": f"提案 {i:02d}"})
    first = api.get("/api/v1/cases", "wang").get_json()
    assert (first["total"], len(first["items"]), first["items"][0]["title"]) == (53, 50, "提案 52")
    second = api.get("/api/v1/cases?page=2", "wang").get_json()
    assert [c["title"] for c in second["items"]] == ["提案 02", "提案 01", "提案 00"]
    by_title = api.get("/api/v1/cases?sort=title", "wang").get_json()["items"]
    assert by_title[0]["title"] == "提案 00"


def test_cases_sort_newest_first_and_by_number_within_each_kind(api: Any, rt: Runtime, people: dict,
                                                              review_process: Any) -> None:
    """The default is the newest first; ``number`` sorts by the business key, so each process's numbers stay together
    in order (a 限时 case started between two 提案 cases does not split them, a 1000th case follows the 999th)."""
    from conftest import HERE, deploy_file

    from engine.instances import start_case

    deploy_file(rt, HERE / "bpmn" / "timed_review.bpmn")
    first = start_case(rt, people["wang"], "proposal_review", {"title": "一"})
    timed = start_case(rt, people["admin"], "timed_review", {"title": "二"})
    last = start_case(rt, people["wang"], "proposal_review", {"title": "三"})
    newest = [c["id"] for c in api.get("/api/v1/cases", "admin").get_json()["items"]]
    assert newest == [last.id, timed.id, first.id]
    by_number = [c["business_key"] for c in api.get("/api/v1/cases?sort=number", "admin").get_json()["items"]]
    assert by_number == sorted(by_number) and by_number.index(timed.business_key) in (0, 2)

    thousandth = first.business_key[:-3] + "1000"  # a year's 1000th case comes after its 999th
    with rt.transaction() as session:
        session.execute(sa.update(Case).where(Case.id == first.id).values(business_key=thousandth))
    by_number = [c["business_key"] for c in api.get("/api/v1/cases?sort=number", "admin").get_json()["items"]]
    assert by_number.index(thousandth) == by_number.index(last.business_key) + 1


def test_case_page_links_to_further_pages_and_sorts_by_header(web: Any, rt: Runtime, people: dict,
                                                              review_process: Any) -> None:
    from engine.instances import start_case

    for i in range(51):
        start_case(rt, people["wang"], "proposal_review", {"title": f"提案 {i:02d}"})
    client = signed_in(web, "wang")
    html = client.get("/cases/").get_data(as_text=True)
    assert "page=2" in html and 'aria-sort="descending"' in html
    sorted_page = client.get("/cases/?sort=title").get_data(as_text=True)
    assert sorted_page.index("提案 00") < sorted_page.index("提案 01")
    assert "提案 50" not in sorted_page  # on page 2

