"""The statistics of mediation and appeals as xlsx and CSV, from the page and the API: counts and labels only,
never a name; an empty year gives headers and no rows; a bad year is named."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from test_disputes_api import _complete, _file
from test_disputes_helpers import appeal_application, checks, disputes, mediation_application
from test_disputes_pages import signed_in, web

__all__ = ["disputes", "web"]

CODE = re.compile(r"^[a-z_:]+$")
NAMES = ("张老师", "李老师", "王老师", "张三丰", "zhang", "wang", "li", "xu", "yang", "chen")


@pytest.fixture
def cases(api: Any, disputes: dict) -> None:
    """Two mediations (one settled at the department) and an appeal decided by variation."""
    _file(api, "zhang", "mediation", mediation_application(applicant_name="张三丰"))
    settled = _file(api, "li", "mediation", mediation_application(applicant_name="李老师", department="化学系"))
    _complete(api, "xu", settled, "dept_mediate", {"dept_result": "settled", "dept_record": "协商一致。",
                                                  "agreement_terms": "补发。"})
    appeal = _file(api, "wang", "appeals", appeal_application())
    _complete(api, "yang", appeal, "acceptance_check", {
        "cond_eligible": True, "cond_scope": True, "cond_in_time": True, "cond_jurisdiction": True,
        "cond_materials": True, "acceptance_decision": "accept", "acceptance_note": "受理。"})
    _complete(api, "yang", appeal, "hear_union", {})
    _complete(api, "chen", appeal, "review_decision", {**checks(proportionality="偏重"), "outcome": "vary",
                                                       "varied_sanction": "warning", "decision_reasons": "改警告"})


def _cells(book: Any) -> list[Any]:
    return [c for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r if c not in (None, "")]


def test_xlsx_export_has_counts_and_labels_never_names(api: Any, cases: None) -> None:
    from openpyxl import load_workbook

    res = api.get("/api/v1/disputes/statistics?format=xlsx", "sun")
    assert res.status_code == 200
    book = load_workbook(io.BytesIO(res.data))
    assert book.sheetnames == ["汇总", "调解结果", "按争议类别", "按单位", "按处分种类的申诉结果"]
    cells = _cells(book)
    assert not [c for c in cells if isinstance(c, str) and CODE.match(c)]
    assert not [c for c in cells if isinstance(c, str) and any(n in c for n in NAMES)]
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["调解案件"] == 2 and summary["申诉案件"] == 1
    assert ("化学系", 1) in list(book["按单位"].iter_rows(values_only=True))
    appeals = list(book["按处分种类的申诉结果"].iter_rows(values_only=True))
    assert appeals[1][0] == "记过" and appeals[1][3] == 1  # varied once


def test_csv_export_from_the_page(web: Any, cases: None) -> None:
    sun = signed_in(web, "sun")
    assert 'id="download-xlsx"' in sun.get("/disputes/statistics").get_data(as_text=True)
    res = sun.get("/disputes/statistics.csv")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    text = res.data.decode("utf-8-sig")
    cells = [c for line in csv.reader(io.StringIO(text)) for c in line if c]
    assert "物理学系" in cells and not [c for c in cells if CODE.match(c)]
    assert not any(n in text for n in ("张老师", "李老师", "王老师", "张三丰"))
    assert signed_in(web, "wei").get("/disputes/statistics.csv").status_code == 403
    assert sun.get("/disputes/statistics.pdf").status_code == 404


def test_english_export_names_kinds_and_sanctions_in_english(web: Any, cases: None) -> None:
    res = signed_in(web, "sun").get("/disputes/statistics.csv?lang=en")
    assert res.status_code == 200
    rows = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row if c]
    assert "Demerit" in cells and "记过" not in cells  # the sanction appealed against
    assert "Pay" in cells  # the kind of dispute


def test_empty_year_gives_headers_only(api: Any, cases: None) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(api.get("/api/v1/disputes/statistics?format=xlsx&year=2001", "sun").data))
    for sheet in book.worksheets[1:]:
        assert sheet.max_row == 1 and sheet["A1"].value
    assert {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}["调解案件"] == 0


@pytest.mark.parametrize(("query", "field"), [("year=soon", "year"), ("year=99999", "year"),
                                              ("format=pdf", "format")])
def test_bad_parameters_are_named(api: Any, cases: None, query: str, field: str) -> None:
    res = api.get(f"/api/v1/disputes/statistics?{query}", "sun")
    assert res.status_code == 422
    assert [d["field"] for d in res.get_json()["error"]["details"]] == [field]
