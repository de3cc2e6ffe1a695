"""GET /api/v1/reports/proposals: proposal statistics as JSON, CSV or xlsx (API.md)."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from engine.congress.stats import report, to_csv, to_xlsx
from engine.errors import Invalid

from ..inputs import int_arg
from ..runtime import rt
from .blueprint import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/reports/proposals")
def proposals_report():  # type: ignore[no-untyped-def]
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        raise Invalid("'format' must be json, csv or xlsx", [{"field": "format", "message": "unknown format"}])
    with rt().reading() as session:
        data = report(session, g.actor, request.args.get("congress") or None, int_arg("session"), int_arg("year"))
    if fmt == "csv":
        return Response(to_csv(data), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=proposals-report.csv"})
    if fmt == "xlsx":
        return Response(to_xlsx(data), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=proposals-report.xlsx"})
    return jsonify(data)
