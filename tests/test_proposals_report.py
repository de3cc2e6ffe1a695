"""The handling report for the next congress through HTTP: the xlsx and CSV read as people read them (labels,
names, unit names, grades A–D, local dates), the DOCX report with its tables, the on-time rate counting open
overdue steps as late, an empty period, and bad parameters."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from test_proposals_helpers import REPLY, congress, do, submit, to_reply
from test_proposals_stats import dataset
from test_proposals_web import web

from engine.clock import clock, utcnow
from engine.runtime import Runtime

__all__ = ["congress", "dataset", "web"]

CODE = re.compile(r"^[a-z_:]+$")  # an ascii identifier: an internal code or a username left in a cell
USERNAMES = {"wang", "li", "feng", "zheng", "wu", "chen", "liu", "zhao", "he", "ma"}


@pytest.fixture
def graded(rt: Runtime, congress: dict[str, Any], dataset: dict[str, int]) -> dict[str, int]:
    """The statistics dataset, plus: feng's proposal rated 不满意 with a comment, and zheng's closed with grade C
    and its reason."""
    a = congress["actors"]
    from test_proposals_helpers import row

    c3 = row(rt, dataset["p3"]).case_id
    assert c3 is not None
    do(rt, a["he"], c3, "sign_off", {"signoff": "approve"})
    do(rt, a["feng"], c3, "proposer_rating", {"rating": "unsatisfied", "rating_comment": "答复没有解决排队问题。"})
    p9, c9 = submit(rt, a, proposer="zheng", signers=("li", "wang", "wu"), category="campus",
                    title="关于新建教工活动中心的建议")
    to_reply(rt, a, c9, lead="logistics")
    do(rt, a["liu"], c9, "draft_reply", {**REPLY, "reply_type": "planned"})
    do(rt, a["he"], c9, "sign_off", {"signoff": "approve"})
    do(rt, a["zheng"], c9, "proposer_rating", {"rating": "basic"})
    do(rt, a["liu"], c9, "grade_implementation", {"grade": "C", "grade_note": "需待新校区建成后统筹解决。"})
    do(rt, a["zhao"], c9, "close_proposal", {})
    return {**dataset, "p9": p9}


def _cells(book: Any) -> list[tuple[str, Any]]:
    return [(sheet.title, cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell not in (None, "")]


def test_xlsx_report_holds_labels_names_and_four_grades(api: Any, graded: dict[str, int]) -> None:
    from openpyxl import load_workbook

    res = api.get("/api/v1/reports/proposals?congress=school&format=xlsx", "zhao")
    assert res.status_code == 200
    book = load_workbook(io.BytesIO(res.data))
    codes = [(s, v) for s, v in _cells(book) if isinstance(v, str) and CODE.match(v)]
    assert codes == []
    assert not {v for _s, v in _cells(book)} & USERNAMES
    assert book.sheetnames == ["汇总", "按主办单位", "按类别", "提案明细"]
    items = list(book["提案明细"].iter_rows(values_only=True))
    head = items[0]
    assert head[:9] == ("编号", "标题", "提案人", "共同提案人", "附议人", "类别", "审查结论", "状态", "主办单位")
    rows = {r[1]: dict(zip(head, r, strict=True)) for r in items[1:]}
    centre = rows["关于新建教工活动中心的建议"]
    assert centre["提案人"] == "Zheng" and centre["附议人"] == "Li、Wang、Wu"
    assert centre["类别"] == "校园建设与后勤"
    assert centre["主办单位"] == "后勤保障处" and centre["落实等级"] == "C 需待条件成熟"
    assert centre["落实情况说明"] == "需待新校区建成后统筹解决。" and centre["满意度"] == "基本满意"
    assert centre["状态"] == "已办结" and centre["审查结论"] == "已立案"
    assert isinstance(centre["提交日期"], date) and isinstance(centre["办结日期"], date)  # dates, not stamps
    assert rows["关于改善教职工午餐条件的建议"]["类别"] == "教职工权益与福利"
    depts = list(book["按主办单位"].iter_rows(values_only=True))
    assert depts[0][3:7] == ("A 已解决", "B 正在解决或列入计划", "C 需待条件成熟", "D 留作参考")
    by_unit = {r[0]: r for r in depts[1:]}
    assert set(by_unit) == {"人事处", "后勤保障处"}
    assert by_unit["后勤保障处"][3:7] == (0, 1, 1, 0)
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["立案"] == 4 and summary["D 留作参考"] == 0 and summary["C 需待条件成熟"] == 1
    assert summary["立案率"] == "50.0%"  # 4 registered of 8 submitted


def test_dates_follow_the_instance_time_zone(rt: Runtime, api: Any, congress: dict[str, Any]) -> None:
    """A proposal published at 23:30 UTC is dated the next day in Shanghai."""
    from openpyxl import load_workbook

    late = utcnow().replace(hour=23, minute=30)  # within the session's collection window
    clock.freeze(late)
    submit(rt, congress["actors"], proposer="wang")
    book = load_workbook(io.BytesIO(api.get("/api/v1/reports/proposals?congress=school&format=xlsx", "zhao").data))
    items = list(book["提案明细"].iter_rows(values_only=True))
    row = dict(zip(items[0], items[1], strict=True))
    assert row["提交日期"].date() == late.date() + timedelta(days=1)  # xlsx keeps a date as midnight
    assert book["提案明细"]["O2"].number_format == "yyyy-mm-dd"


def test_csv_report_is_worded_too(api: Any, graded: dict[str, int]) -> None:
    res = api.get("/api/v1/reports/proposals?congress=school&format=csv", "zhao")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    cells = [c for line in csv.reader(io.StringIO(res.data.decode("utf-8-sig"))) for c in line if c]
    assert [c for c in cells if CODE.match(c)] == []
    assert not set(cells) & USERNAMES
    assert "后勤保障处" in cells and "Zheng" in cells and "C 需待条件成熟" in cells
    assert re.search(r"\d{4}-\d\d-\d\dT", res.data.decode("utf-8-sig")) is None  # no ISO timestamps


def test_english_report_speaks_english(api: Any, graded: dict[str, int]) -> None:
    from openpyxl import load_workbook

    res = api.get("/api/v1/reports/proposals?congress=school&format=xlsx&lang=en", "zhao")
    book = load_workbook(io.BytesIO(res.data))
    assert book.sheetnames == ["Summary", "By lead department", "By category", "Proposal list"]
    head = next(book["By lead department"].iter_rows(values_only=True))
    assert head[3:7] == ("A solved", "B in progress or planned", "C needs future conditions", "D for reference")
    assert [v for _s, v in _cells(book) if isinstance(v, str) and CODE.match(v)] == []


def test_docx_report_opens_with_its_tables(api: Any, graded: dict[str, int]) -> None:
    from docx import Document

    res = api.get("/api/v1/reports/proposals?congress=school&format=docx", "zhao")
    assert res.status_code == 200
    assert res.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    doc = Document(io.BytesIO(res.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "第七届教职工代表大会提案办理情况报告" in text
    for heading in ("一、总体情况", "二、办理成效", "三、各主办单位办理情况", "四、各类别提案情况",
                    "五、提案人不满意的提案", "六、落实等级为 C、D 的提案及原因"):
        assert heading in text
    assert "本期共收到提案 8 件" in text
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    assert len(tables) == 6  # counts, rates, departments, categories, not satisfied, grades C/D
    rates = {r[0]: r[1] for r in tables[1][1:]}
    assert set(rates) >= {"立案率", "办结率", "按时办结率", "落实率", "满意率"}
    not_satisfied = tables[4]
    assert [r[1] for r in not_satisfied[1:]] == ["关于改善教职工午餐条件的建议"]
    assert not_satisfied[1][3:5] == ["不满意", "答复没有解决排队问题。"]
    low = tables[5]
    assert low[1][1:] == ["关于新建教工活动中心的建议", "后勤保障处", "C 需待条件成熟", "需待新校区建成后统筹解决。"]
    cells = [c for t in tables for r in t for c in r if c]
    assert [c for c in cells if CODE.match(c)] == [] and not set(cells) & USERNAMES


def test_statistics_page_offers_the_report(web: Any, graded: dict[str, int]) -> None:
    web = web("zhao")
    page = web.get("/proposals/statistics?congress=school").get_data(as_text=True)
    assert 'id="download-docx"' in page and 'id="on-time-rate"' in page
    res = web.get("/proposals/statistics.docx?congress=school")
    assert res.status_code == 200 and res.data[:2] == b"PK"
    assert web.get("/proposals/statistics.xlsx?congress=school&session=abc").status_code == 422


def test_open_overdue_steps_count_as_late(api: Any, graded: dict[str, int]) -> None:
    before = api.get("/api/v1/reports/proposals?congress=school", "zhao").get_json()
    assert before["tasks_open_overdue"] == 0
    clock.advance(timedelta(days=400))  # every open step of the proposals is now past its deadline
    api.tokens.clear()  # the tokens have expired meanwhile
    after = api.get("/api/v1/reports/proposals?congress=school", "zhao").get_json()
    assert after["tasks_open_overdue"] > 0
    assert after["on_time_rate"] == pytest.approx(
        after["tasks_on_time"] / (after["tasks_on_time"] + after["tasks_late"] + after["tasks_open_overdue"]), abs=1e-4)
    assert after["on_time_rate"] < (before["on_time_rate"] or 1)
    hr = next(d for d in after["by_department"] if d["department"] == "hr")
    assert hr["tasks_open_overdue"] > 0 and hr["on_time_rate"] < 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "docx"])
def test_an_empty_period_gives_headers_and_no_rows(api: Any, graded: dict[str, int], fmt: str) -> None:
    res = api.get(f"/api/v1/reports/proposals?congress=school&year=2001&format={fmt}", "zhao")
    assert res.status_code == 200
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(res.data))
        for name in ("按主办单位", "按类别", "提案明细"):
            assert book[name].max_row == 1 and book[name]["A1"].value
    elif fmt == "csv":
        lines = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))
        assert lines[-1][:2] == ["编号", "标题"]
    else:
        from docx import Document

        doc = Document(io.BytesIO(res.data))
        assert "本期共收到提案 0 件" in "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize(("query", "field"), [
    ("congress=nope", "congress"), ("congress=school&session=abc", "session"),
    ("congress=school&session=999", "session"),
    ("congress=school&year=soon", "year"), ("congress=school&year=99999", "year"), ("format=pdf", "format"),
])
def test_bad_parameters_are_named(api: Any, graded: dict[str, int], query: str, field: str) -> None:
    res = api.get(f"/api/v1/reports/proposals?{query}", "zhao")
    assert res.status_code == 422
    assert [d["field"] for d in res.get_json()["error"]["details"]] == [field]
