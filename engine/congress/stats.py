"""Proposal statistics per congress and session: counters, the configured rates, breakdowns by department,
category and status, and the handling report (提案办理情况报告) as rows, CSV and xlsx."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.errors import Forbidden

from .congresses import get_congress, is_delegate, is_official
from .models import Congress, Proposal
from .settings import DEFAULTS, effective

COUNTERS = ("submitted", "registered", "merged", "converted", "rejected", "withdrawn", "closed", "grade_A",
            "grade_B", "grade_C", "grade_D", "satisfied", "basic", "unsatisfied", "unrated", "rated")


def count(rows: list[Proposal]) -> dict[str, int]:
    """The counters over published proposals; grades, closing and ratings are counted among registered ones."""
    c: Counter[str] = Counter({k: 0 for k in COUNTERS})
    for p in rows:
        if p.status == "draft":
            continue
        c["submitted"] += 1
        if p.outcome in ("registered", "merged", "converted", "rejected", "withdrawn"):
            c[p.outcome] += 1
        if p.outcome != "registered":
            continue
        if p.status == "closed":
            c["closed"] += 1
        if p.grade:
            c[f"grade_{p.grade}"] += 1
        if p.rating in ("satisfied", "basic", "unsatisfied"):
            c[p.rating] += 1
            c["rated"] += 1
        elif p.rating == "none":
            c["unrated"] += 1
    return dict(c)


def rates(counters: dict[str, int], formulas: dict[str, dict[str, list[str]]]) -> dict[str, float | None]:
    """Each rate = sum of its numerator counters / sum of its denominator counters (None when 0/0)."""
    out: dict[str, float | None] = {}
    for name, formula in formulas.items():
        den = sum(counters.get(k, 0) for k in formula["den"])
        num = sum(counters.get(k, 0) for k in formula["num"])
        out[name] = round(num / den, 4) if den else None
    return out


def _allowed(session: so.Session, actor: Actor, congress: Congress) -> bool:
    return is_official(actor, congress) or is_delegate(session, congress.id, actor.username)


def _rows(session: so.Session, congress_ids: list[int], session_id: int | None, year: int | None
          ) -> list[Proposal]:
    stmt = sa.select(Proposal).where(Proposal.congress_id.in_(congress_ids), Proposal.status != "draft")
    if session_id:
        stmt = stmt.where(Proposal.session_id == session_id)
    rows = list(session.scalars(stmt.order_by(Proposal.business_key)))
    if year:
        rows = [p for p in rows if p.published_at and p.published_at.year == year]
    return rows


def _breakdown(rows: list[Proposal], key: str, formulas: dict[str, Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[Proposal]] = {}
    for p in rows:
        groups.setdefault(getattr(p, key) or "", []).append(p)
    out = []
    for name in sorted(groups):
        counters = count(groups[name])
        out.append({key.replace("lead_", ""): name or None, **counters, **rates(counters, formulas)})
    return out


def report(session: so.Session, actor: Actor, congress: str | None = None, session_id: int | None = None,
           year: int | None = None) -> dict[str, Any]:
    """The statistics the caller may see (one congress, or every congress they take part in)."""
    if congress:
        chosen = [get_congress(session, congress)]
        if not _allowed(session, actor, chosen[0]):
            raise Forbidden(f"you may not see the statistics of {chosen[0].name}")
    else:
        chosen = [c for c in session.scalars(sa.select(Congress).order_by(Congress.id)) if _allowed(session, actor, c)]
    formulas = effective(chosen[0])["rates"] if len(chosen) == 1 else DEFAULTS["rates"]
    rows = _rows(session, [c.id for c in chosen], session_id, year)
    counters = count(rows)
    by_status = Counter(p.status for p in rows)
    registered = [p for p in rows if p.outcome == "registered"]
    return {
        "congresses": [c.key for c in chosen], "session": session_id, "year": year, **counters,
        **rates(counters, formulas), "formulas": formulas,
        "by_department": _breakdown(registered, "lead_department", formulas),
        "by_category": _breakdown(rows, "category", formulas),
        "by_status": [{"status": k, "count": v} for k, v in sorted(by_status.items())],
        "proposals": [handling_row(p) for p in rows],
    }


def handling_row(p: Proposal) -> dict[str, Any]:
    reply = p.reply or {}
    return {"number": p.business_key, "title": p.title, "proposer": p.proposer,
            "co_proposers": list(p.co_proposers or []), "category": p.category, "outcome": p.outcome,
            "status": p.status, "lead_department": p.lead_department, "co_departments": list(p.co_departments or []),
            "reply_type": reply.get("reply_type"), "reply": reply.get("reply"), "rating": p.rating,
            "grade": p.grade}


SUMMARY = [("submitted", "提交"), ("registered", "立案"), ("merged", "并案"), ("converted", "转为意见建议"),
           ("rejected", "不予立案"), ("withdrawn", "撤回"), ("closed", "办结"), ("completion_rate", "办结率"),
           ("implementation_rate", "落实率"), ("satisfaction_rate", "满意率")]
COLUMNS = [("number", "编号"), ("title", "标题"), ("proposer", "提案人"), ("category", "类别"), ("outcome", "审查结论"),
           ("status", "状态"), ("lead_department", "主办单位"), ("reply_type", "答复类型"), ("rating", "满意度"),
           ("grade", "落实等级")]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(value)
    return "" if value is None else value


def to_csv(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["指标", "数值"])
    for key, label in SUMMARY:
        out.writerow([label, _cell(data.get(key))])
    out.writerow([])
    out.writerow([label for _, label in COLUMNS])
    for row in data["proposals"]:
        out.writerow([_cell(row.get(k)) for k, _ in COLUMNS])
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 Chinese correctly


def to_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append(["指标", "数值"])
    for key, label in SUMMARY:
        sheet.append([label, _cell(data.get(key))])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    depts = book.create_sheet("按承办单位")
    depts.append(["承办单位", "立案", "办结", "A", "B", "满意", "基本满意", "不满意"])
    for d in data["by_department"]:
        depts.append([d["department"] or "", d["registered"], d["closed"], d["grade_A"], d["grade_B"],
                      d["satisfied"], d["basic"], d["unsatisfied"]])
    if data["by_department"]:
        chart = BarChart()
        chart.title = "各承办单位立案与办结"
        chart.add_data(Reference(depts, min_col=2, max_col=3, min_row=1, max_row=len(data["by_department"]) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(depts, min_col=1, min_row=2, max_row=len(data["by_department"]) + 1))
        depts.add_chart(chart, "J2")
    items = book.create_sheet("提案明细")
    items.append([label for _, label in COLUMNS])
    for row in data["proposals"]:
        items.append([_cell(row.get(k)) for k, _ in COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
