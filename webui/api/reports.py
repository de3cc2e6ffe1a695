"""GET /api/v1/reports/proposals: proposal statistics as JSON, or the handling report as CSV, xlsx or DOCX
(API.md)."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.congress.stats import report

from ..inputs import int_arg
from ..proposals import REPORT_LABELS
from ..report_wording import report_format, report_response
from ..runtime import rt
from .blueprint import bp


@bp.get("/reports/proposals")
def proposals_report():  # type: ignore[no-untyped-def]
    """?congress=<key>&session=<id>&year=<yyyy>&format=json|csv|xlsx|docx; a bad parameter is a 422 naming it."""
    fmt = report_format(request.args.get("format"))
    with rt().reading() as session:
        data = report(session, g.actor, request.args.get("congress") or None, int_arg("session"), int_arg("year"))
    if fmt == "json":
        return jsonify(data)
    return report_response(data, fmt, f"proposals-report-{request.args.get('congress') or 'all'}", REPORT_LABELS)
