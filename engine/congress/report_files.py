"""The proposal handling report (提案办理情况报告) as files: xlsx and CSV tables and the DOCX report for the next
congress. Every cell is worded for its reader: the caller passes a ``Wording`` (labels of the codes, the texts of
headers and sentences in the reader's language, the time zone); units and people are named from the report data
(``report()`` adds ``units`` and ``names``). Nothing here knows a language."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

GRADES = ("A", "B", "C", "D")
RATINGS = ("satisfied", "basic", "unsatisfied")
RATES = ("registration_rate", "completion_rate", "on_time_rate", "implementation_rate", "satisfaction_rate")
COUNTS = ("submitted", "registered", "merged", "converted", "rejected", "withdrawn", "closed", "rated")


@dataclass(frozen=True)
class Wording:
    """What a report file says, in the reader's language.

    ``text``: headers, sheet names, headings and sentences by key (sentences take ``%(name)s`` parameters);
    ``labels``: per code family (``category``, ``status``, ``outcome``, ``rating``, ``reply_type``, ``grade``) the
    label of each code; ``zone``: the time zone dates are shown in."""

    text: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]
    zone: tzinfo

    def t(self, key: str, **params: Any) -> str:
        """The text ``key`` with its parameters filled in."""
        text = self.text[key]
        return text % params if params else text

    def label(self, family: str, code: str | None) -> str:
        """The label of ``code`` (empty for none; the code itself when no label is known)."""
        if not code:
            return ""
        return str(self.labels.get(family, {}).get(code, code))

    def day(self, stamp: str | None) -> date | None:
        """An ISO timestamp as the calendar day it falls on in the instance's time zone."""
        return datetime.fromisoformat(stamp).astimezone(self.zone).date() if stamp else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Tables:
    """The report's tables as header + rows, shared by the xlsx, CSV and DOCX writers."""

    def __init__(self, data: dict[str, Any], w: Wording) -> None:
        self.data, self.w = data, w
        self.units: Mapping[str, str] = data.get("units") or {}
        self.names: Mapping[str, str] = data.get("names") or {}

    def unit(self, key: str | None) -> str:
        return self.units.get(key, key) if key else ""

    def person(self, username: str | None) -> str:
        return self.names.get(username, username) if username else ""

    def grade_header(self) -> list[str]:
        return [self.w.label("grade", g) for g in GRADES]

    def summary(self) -> list[list[Any]]:
        """(indicator, value): the counts, then the rates as percentages."""
        rows: list[list[Any]] = [[self.w.t(k), self.data.get(k, 0)] for k in COUNTS]
        rows += [[self.w.label("grade", g), self.data.get(f"grade_{g}", 0)] for g in GRADES]
        rows += [[self.w.label("rating", r), self.data.get(r, 0)] for r in RATINGS]
        rows += [[self.w.t(k), percent(self.data.get(k))] for k in RATES if k in self.data]
        return rows

    def rates(self) -> list[list[Any]]:
        """(rate, value, how it is counted) for the rates the congress reports."""
        return [[self.w.t(k), percent(self.data.get(k)), self.w.t(f"{k}_how")] for k in RATES if k in self.data]

    def departments(self) -> tuple[list[str], list[list[Any]]]:
        w = self.w
        head = [w.t("department"), w.t("registered"), w.t("closed"), *self.grade_header(),
                *[w.label("rating", r) for r in RATINGS], w.t("completion_rate"), w.t("on_time_rate"),
                w.t("satisfaction_rate")]
        rows = [[self.unit(d["department"]) or w.t("unassigned"), d["registered"], d["closed"],
                 *[d[f"grade_{g}"] for g in GRADES], *[d[r] for r in RATINGS], percent(d.get("completion_rate")),
                 percent(d.get("on_time_rate")), percent(d.get("satisfaction_rate"))]
                for d in self.data["by_department"]]
        return head, rows

    def categories(self) -> tuple[list[str], list[list[Any]]]:
        w = self.w
        head = [w.t("category"), w.t("submitted"), w.t("registered"), w.t("closed"), *self.grade_header(),
                w.t("satisfaction_rate")]
        rows = [[w.label("category", c["category"]), c["submitted"], c["registered"], c["closed"],
                 *[c[f"grade_{g}"] for g in GRADES], percent(c.get("satisfaction_rate"))]
                for c in self.data["by_category"]]
        return head, rows

    def proposals(self, dates: bool = True) -> tuple[list[str], list[list[Any]]]:
        """Every proposal; dates as ``date`` values (``dates=False``: as text)."""
        w = self.w
        head = [w.t(k) for k in ("number", "title", "proposer", "co_proposers", "cosigners", "category", "outcome",
                                 "status", "lead_department", "co_departments", "reply_type", "rating", "grade",
                                 "grade_note", "published_on", "registered_on", "closed_on")]
        rows = []
        for r in self.data["proposals"]:
            days = [w.day(r.get(k)) for k in ("published_at", "registered_at", "closed_at")]
            rows.append([r["number"] or "", r["title"], self.person(r["proposer"]),
                         "、".join(self.person(u) for u in r["co_proposers"]),
                         "、".join(self.person(u) for u in r.get("cosigners", [])), w.label("category", r["category"]),
                         w.label("outcome", r["outcome"]), w.label("status", r["status"]),
                         self.unit(r["lead_department"]), "、".join(self.unit(u) for u in r["co_departments"]),
                         w.label("reply_type", r["reply_type"]), w.label("rating", r["rating"]),
                         w.label("grade", r["grade"]), r.get("grade_note") or "",
                         *[(d if dates else d.isoformat()) if d else "" for d in days]])
        return head, rows

    def not_satisfied(self) -> tuple[list[str], list[list[Any]]]:
        w = self.w
        head = [w.t(k) for k in ("number", "title", "lead_department", "rating", "rating_comment", "rehandled")]
        rows = [[r["number"] or "", r["title"], self.unit(r["lead_department"]), w.label("rating", r["rating"]),
                 r.get("rating_comment") or "", w.t("yes") if r.get("rehandled") else w.t("no")]
                for r in self.data["proposals"] if r["rating"] == "unsatisfied"]
        return head, rows

    def low_grades(self) -> tuple[list[str], list[list[Any]]]:
        w = self.w
        head = [w.t(k) for k in ("number", "title", "lead_department", "grade", "grade_note")]
        rows = [[r["number"] or "", r["title"], self.unit(r["lead_department"]), w.label("grade", r["grade"]),
                 r.get("grade_note") or ""] for r in self.data["proposals"] if r["grade"] in ("C", "D")]
        return head, rows


def to_csv(data: dict[str, Any], w: Wording) -> str:
    """The summary, then the proposals, as CSV with a BOM (Excel opens UTF-8 Chinese correctly)."""
    tables = Tables(data, w)
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([w.t("indicator"), w.t("value")])
    out.writerows(tables.summary())
    out.writerow([])
    head, rows = tables.proposals(dates=False)
    out.writerow(head)
    out.writerows(rows)
    return "\ufeff" + buf.getvalue()


def to_xlsx(data: dict[str, Any], w: Wording) -> bytes:
    """Four sheets: summary, by department (with a chart), by category, and every proposal."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    tables = Tables(data, w)
    book = Workbook()
    summary = book.active
    summary.title = w.t("sheet_summary")
    summary.append([w.t("indicator"), w.t("value")])
    for row in tables.summary():
        summary.append(row)
    summary.column_dimensions["A"].width = 20
    sheets = [summary]
    for title, (head, rows) in ((w.t("sheet_departments"), tables.departments()),
                                (w.t("sheet_categories"), tables.categories()),
                                (w.t("sheet_proposals"), tables.proposals())):
        sheet = book.create_sheet(title)
        sheet.append(head)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        sheets.append(sheet)
    depts, items = sheets[1], sheets[3]
    count = len(data["by_department"])
    if count:
        chart = BarChart()
        chart.title = w.t("chart_departments")
        chart.add_data(Reference(depts, min_col=2, max_col=3, min_row=1, max_row=count + 1), titles_from_data=True)
        chart.set_categories(Reference(depts, min_col=1, min_row=2, max_row=count + 1))
        depts.add_chart(chart, "A" + str(count + 4))
    for row in items.iter_rows(min_row=2, min_col=15, max_col=17):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGHIJKLMNOPQ", (12, 36, 10, 16, 20, 14, 12, 12, 14, 20, 12, 10, 14, 30, 12, 12, 12),
                             strict=True):
        items.column_dimensions[column].width = width
    for sheet in sheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


BODY_FONT, TITLE_FONT = "宋体", "黑体"


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


class _Docx:
    """A report document: a centred title, numbered headings, paragraphs and bordered tables."""

    def __init__(self) -> None:
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        self.doc = Document()
        for section in self.doc.sections:  # wide tables: narrow margins
            section.left_margin = section.right_margin = Cm(2)
        style = self.doc.styles["Normal"]
        style.font.name = BODY_FONT
        style.font.size = Pt(12)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    def title(self, text: str, subtitle: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        for line, font, size, bold in ((text, TITLE_FONT, 18, True), (subtitle, BODY_FONT, 11, False)):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(line), font, size, bold)

    def heading(self, text: str) -> None:
        _font(self.doc.add_paragraph().add_run(text), TITLE_FONT, 14, bold=True)

    def para(self, text: str) -> None:
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(24)
        _font(p.add_run(text), BODY_FONT, 12)

    def table(self, head: list[str], rows: list[list[Any]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            _font(cell.paragraphs[0].add_run(str(text)), BODY_FONT, 9, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, 9)
        self.doc.add_paragraph()

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def to_docx(data: dict[str, Any], w: Wording, period: str, today: str) -> bytes:
    """The 提案办理情况报告 for the next congress: overview, rates, by department, by category, the proposals
    not satisfied, and those graded C or D with their reasons. ``period`` says what the report covers, ``today``
    is the date it is drawn up, as the reader writes it."""
    tables = Tables(data, w)
    doc = _Docx()
    doc.title(w.t("docx_title", congress=data.get("title") or ""), w.t("docx_subtitle", period=period,
                                                                        day=today))
    doc.heading(w.t("h_overview"))
    doc.para(w.t("overview", **{k: data.get(k, 0) for k in (*COUNTS, "grade_A", "grade_B", "grade_C", "grade_D")}))
    doc.table([w.t("indicator"), w.t("value")], [[w.t(k), data.get(k, 0)] for k in COUNTS])
    doc.heading(w.t("h_rates"))
    doc.para(w.t("rates_text", on_time=percent(data.get("on_time_rate")),
                 satisfaction=percent(data.get("satisfaction_rate")),
                 completion=percent(data.get("completion_rate"))))
    doc.table([w.t("rate"), w.t("value"), w.t("how")], tables.rates())
    for heading, (head, rows), empty in (
            (w.t("h_departments"), tables.departments(), w.t("none_assigned")),
            (w.t("h_categories"), tables.categories(), w.t("none_submitted")),
            (w.t("h_not_satisfied"), tables.not_satisfied(), w.t("none_not_satisfied")),
            (w.t("h_low_grades"), tables.low_grades(), w.t("none_low_grades"))):
        doc.heading(heading)
        if rows:
            doc.table(head, rows)
        else:
            doc.para(empty)
    return doc.bytes()
