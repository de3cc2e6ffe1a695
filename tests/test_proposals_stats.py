"""Statistics against a hand-counted fixture, the report downloads, and the archive search."""

from __future__ import annotations

import io
from typing import Any

import pytest
from test_proposals_helpers import REPLY, congress, do, row, submit, to_reply, to_review

from engine.congress import proposals as cp
from engine.runtime import Runtime

__all__ = ["congress"]


def _finish(rt: Runtime, a: dict[str, Any], case_id: int, lead: str, rating: str, grade: str | None,
            proposer: str) -> None:
    handler = "chen" if lead == "hr" else "liu"
    do(rt, a[handler], case_id, "draft_reply", REPLY)
    do(rt, a["he"], case_id, "sign_off", {"signoff": "approve"})
    do(rt, a[proposer], case_id, "proposer_rating", {"rating": rating})
    if grade:
        do(rt, a[handler], case_id, "grade_implementation", {"grade": grade, "grade_note": "已落实到位。"})
        do(rt, a["zhao"], case_id, "close_proposal", {})


@pytest.fixture
def dataset(rt: Runtime, congress: dict[str, Any]) -> dict[str, int]:
    """School congress: 7 published (3 registered: 2 closed A/satisfied + B/basic, 1 awaiting rating;
    1 rejected, 1 merged, 1 converted, 1 withdrawn) + 1 draft; the department congress: 1 registered."""
    a = congress["actors"]
    p1, c1 = submit(rt, a, proposer="wang")
    to_reply(rt, a, c1, lead="hr")
    _finish(rt, a, c1, "hr", "satisfied", "A", "wang")
    p2, c2 = submit(rt, a, proposer="li", signers=("wang", "zheng", "wu"), category="teaching",
                    title="关于延长图书馆开放时间的建议", suggestion="建议图书馆周末开放至晚上十点，方便教师查阅资料。")
    to_reply(rt, a, c2, lead="logistics")
    _finish(rt, a, c2, "logistics", "basic", "B", "li")
    p3, c3 = submit(rt, a, proposer="feng")
    to_reply(rt, a, c3, lead="hr")
    do(rt, a["chen"], c3, "draft_reply", REPLY)
    p4, c4 = submit(rt, a, proposer="zheng", signers=("li", "wang", "wu"))
    to_review(rt, a, c4)
    do(rt, a["zhao"], c4, "committee_review", {"decision": "reject", "reject_reason": "out_of_scope",
                                               "review_opinion": "超出学校职权。"})
    p5, c5 = submit(rt, a, proposer="wu", signers=("li", "wang", "zheng"))
    to_review(rt, a, c5)
    do(rt, a["zhao"], c5, "committee_review", {"decision": "merge", "merge_into": row(rt, p1).business_key,
                                     "review_opinion": "并入同类提案。"})
    p6, c6 = submit(rt, a, proposer="wang")
    to_review(rt, a, c6)
    do(rt, a["zhao"], c6, "committee_review", {"decision": "convert", "review_opinion": "作为意见建议转交。"})
    p7, _ = submit(rt, a, proposer="li", signers=("wang",))
    cp.withdraw_proposal(rt, a["li"], p7, "另行反映")
    cp.save_draft(rt, a["wang"], "school", {**_body(), "title": "尚未发布的草稿提案"})
    p8, c8 = submit(rt, a, proposer="ma", congress="cs", signers=("niu", "gao"),
                    suggestion="建议学院机房延长开放时间并更新实验设备。")
    do(rt, a["ding"], c8, "collect_cosignatures", {})
    do(rt, a["ding"], c8, "committee_review", {"decision": "register", "review_opinion": "立案。"})
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p8": p8}


def _body() -> dict[str, Any]:
    from test_proposals_helpers import BODY

    return dict(BODY)


def test_statistics_match_the_hand_count(api: Any, dataset: dict[str, int]) -> None:
    res = api.get("/api/v1/reports/proposals?congress=school", "zhao")
    assert res.status_code == 200
    data = res.get_json()
    expected = {"submitted": 7, "registered": 3, "merged": 1, "converted": 1, "rejected": 1, "withdrawn": 1,
                "closed": 2, "grade_A": 1, "grade_B": 1, "rated": 2, "satisfied": 1, "basic": 1}
    assert {k: data[k] for k in expected} == expected
    assert data["completion_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["implementation_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["satisfaction_rate"] == 1.0
    depts = {d["department"]: (d["registered"], d["closed"]) for d in data["by_department"]}
    assert depts == {"hr": (2, 1), "logistics": (1, 1)}
    cats = {c["category"]: c["submitted"] for c in data["by_category"]}
    assert cats == {"welfare": 6, "teaching": 1}
    # the school committee sees no department-congress figures; a department handler sees none at all
    assert api.get("/api/v1/reports/proposals?congress=cs", "zhao").status_code == 403
    assert api.get("/api/v1/reports/proposals?congress=school", "chen").status_code == 403
    assert api.get("/api/v1/reports/proposals?congress=cs", "ding").get_json()["registered"] == 1


def test_rates_are_settings(rt: Runtime, api: Any, dataset: dict[str, int]) -> None:
    from engine.congress.models import Congress

    with rt.transaction() as session:
        school = session.get(Congress, 1)
        school.settings = {"rates": {"completion_rate": {"num": ["closed"], "den": ["submitted"]}}}
    data = api.get("/api/v1/reports/proposals?congress=school", "zhao").get_json()
    assert data["completion_rate"] == pytest.approx(2 / 7, abs=1e-4)
    assert "satisfaction_rate" not in data


def test_report_downloads(api: Any, dataset: dict[str, int]) -> None:
    from openpyxl import load_workbook

    res = api.get("/api/v1/reports/proposals?congress=school&format=xlsx", "zhao")
    assert res.status_code == 200
    book = load_workbook(io.BytesIO(res.data))
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["立案"] == 3 and summary["办结"] == 2
    assert book["提案明细"].max_row == 8
    csv_text = api.get("/api/v1/reports/proposals?congress=school&format=csv", "zhao").data.decode("utf-8-sig")
    assert "办结率" in csv_text and "关于延长图书馆开放时间的建议" in csv_text
    assert api.get("/api/v1/reports/proposals?format=pdf", "zhao").status_code == 422


def test_archive_finds_a_two_character_word_of_the_body(api: Any, dataset: dict[str, int]) -> None:
    res = api.get("/api/v1/archive?q=周末", "chen")  # any logged-in staff member
    assert res.status_code == 200
    items = res.get_json()["items"]
    assert [i["id"] for i in items] == [dataset["p2"]]
    assert items[0]["reply"]["type"] == "adopted" and items[0]["rating"] == "basic"
    everything = api.get("/api/v1/archive", "chen").get_json()
    ids = {i["id"] for i in everything["items"]}
    assert ids == {dataset["p1"], dataset["p2"], dataset["p3"]}  # registered only, school congress only
    assert api.get("/api/v1/archive?q=机房", "chen").get_json()["total"] == 0  # a department congress (members)
    assert [i["id"] for i in api.get("/api/v1/archive?q=机房", "niu").get_json()["items"]] == [dataset["p8"]]
    assert api.get("/api/v1/archive?department=logistics", "chen").get_json()["total"] == 1
    assert api.get("/api/v1/archive?category=teaching&q=图书馆", "chen").get_json()["total"] == 1
    assert api.get("/api/v1/archive?q=窗口", "chen").get_json()["total"] == 3  # in the reply text too
    assert api.get("/api/v1/archive", None).status_code == 401


def test_similar_earlier_proposals(rt: Runtime, congress: dict[str, Any], dataset: dict[str, int]) -> None:
    from engine.congress.archive import similar

    with rt.reading() as session:
        found = similar(session, congress["actors"]["wu"], "建议图书馆延长开放时间")
    assert found and found[0][0].id == dataset["p2"]
