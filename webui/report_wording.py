"""The words of the proposal handling report's files (xlsx, CSV, DOCX) in the reader's language, for
``engine.congress.report_files``; and the response that carries a report file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.clock import utcnow
from engine.congress import report_files
from engine.errors import Invalid
from engine.workdays import LOCAL

from .table_files import MIMETYPES as TABLE_MIMETYPES

FORMATS = ("csv", "xlsx", "docx")
MIMETYPES = {**TABLE_MIMETYPES, "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
GRADE = {"A": _l("A solved"), "B": _l("B in progress or planned"), "C": _l("C needs future conditions"),
         "D": _l("D for reference")}
TEXT = {
    "indicator": _l("Indicator"), "value": _l("Value"), "rate": _l("Rate"), "how": _l("How it is counted"),
    "submitted": _l("Proposals submitted"), "registered": _l("Registered as proposals"),
    "merged": _l("Merged into another"), "converted": _l("Converted to opinions"),
    "rejected": _l("Not registered"), "withdrawn": _l("Withdrawn by the proposer"),
    "closed": _l("Handled and closed"), "rated": _l("Rated by the proposer"),
    "registration_rate": _l("Registration rate"), "completion_rate": _l("Completion rate"),
    "on_time_rate": _l("On-time rate"), "implementation_rate": _l("Implementation rate"),
    "satisfaction_rate": _l("Satisfaction rate"),
    "registration_rate_how": _l("registered ÷ submitted"), "completion_rate_how": _l("closed ÷ registered"),
    "on_time_rate_how": _l("steps done by their deadline ÷ (steps done + open steps past their deadline)"),
    "implementation_rate_how": _l("graded A or B ÷ registered"),
    "satisfaction_rate_how": _l("satisfied or basically satisfied ÷ rated"),
    "department": _l("Lead department"), "unassigned": _l("Not yet assigned"), "category": _l("Category"),
    "number": _l("Number"), "title": _l("Title"), "proposer": _l("Proposer"), "co_proposers": _l("Co-proposers"),
    "cosigners": _l("Seconded by"),
    "outcome": _l("Review outcome"), "status": _l("Status"), "lead_department": _l("Lead department"),
    "co_departments": _l("Co-departments"), "reply_type": _l("Reply"), "rating": _l("Rating"),
    "rating_comment": _l("Proposer's comment"), "rehandled": _l("Handled again"), "grade": _l("Grade"),
    "grade_note": _l("Implementation note"), "published_on": _l("Submitted on"),
    "registered_on": _l("Registered on"), "closed_on": _l("Closed on"), "yes": _l("Yes"), "no": _l("No"),
    "sheet_summary": _l("Summary"), "sheet_departments": _l("By lead department"),
    "sheet_categories": _l("By category"),
    "sheet_proposals": _l("Proposal list"), "chart_departments": _l("Registered and closed by lead department"),
    "docx_title": _l("%(congress)s: report on the handling of proposals"),
    "docx_subtitle": _l("%(period)s · drawn up on %(day)s"),
    "h_overview": _l("1. Overview"), "h_rates": _l("2. Rates"), "h_departments": _l("3. By lead department"),
    "h_categories": _l("4. By category"), "h_not_satisfied": _l("5. Proposals whose proposer was not satisfied"),
    "h_low_grades": _l("6. Proposals graded C or D, with the reasons"),
    "overview": _l("Proposals submitted: %(submitted)s. After review: registered %(registered)s, merged into "
                   "others %(merged)s, converted to opinions %(converted)s, not registered %(rejected)s; "
                   "withdrawn by the proposer %(withdrawn)s. Registered proposals handled and closed: %(closed)s. "
                   "Implementation grades: A (solved) %(grade_A)s, B %(grade_B)s, C %(grade_C)s, D %(grade_D)s."),
    "rates_text": _l("Completion rate %(completion)s, on-time rate %(on_time)s, satisfaction rate "
                     "%(satisfaction)s. A step still open past its deadline counts as late."),
    "none_assigned": _l("No proposal has been assigned yet."), "none_submitted": _l("No proposal was submitted."),
    "none_not_satisfied": _l("None: every proposer who rated the reply was satisfied or basically satisfied."),
    "none_low_grades": _l("None."),
}


def zone() -> ZoneInfo:
    """The instance's time zone (setting ``DOCKET_TIME_ZONE``, default Asia/Shanghai), as the engine reads it."""
    return LOCAL


def wording(labels: Mapping[str, Mapping[str, Any]]) -> report_files.Wording:
    """The report's words in the current request's language; ``labels``: the proposal pages' label tables by
    code family (category, status, outcome, rating, reply_type)."""
    families = {**labels, "grade": GRADE}
    return report_files.Wording(text={k: str(v) for k, v in TEXT.items()},
                                labels={f: {k: str(v) for k, v in m.items()} for f, m in families.items()},
                                zone=zone())


def report_format(fmt: str | None, allowed: tuple[str, ...] = ("json", *FORMATS)) -> str:
    """``fmt`` if it is one of ``allowed``; else Invalid naming ``format``."""
    fmt = fmt or allowed[0]
    if fmt not in allowed:
        raise Invalid(f"'format' must be one of {', '.join(allowed)}",
                      [{"field": "format", "message": f"must be one of {', '.join(allowed)}"}])
    return fmt


def _period(data: dict[str, Any]) -> str:
    parts = [data["session_name"]] if data.get("session_name") else []
    if data.get("year"):
        parts.append(_("year %(year)s", year=data["year"]))
    return " · ".join(parts) if parts else _("all sessions")


def report_response(data: dict[str, Any], fmt: str, name: str, labels: Mapping[str, Mapping[str, Any]]
                    ) -> Response:
    """The report ``data`` as a downloadable ``fmt`` file named ``name``.``fmt``, worded with ``labels``."""
    w = wording(labels)
    if fmt == "csv":
        body: str | bytes = report_files.to_csv(data, w)
    elif fmt == "xlsx":
        body = report_files.to_xlsx(data, w)
    else:
        today = format_date(utcnow().astimezone(w.zone).date(), "long")
        body = report_files.to_docx(data, w, _period(data), today)
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})
