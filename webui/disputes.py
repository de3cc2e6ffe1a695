"""Mediation and appeal pages: my cases, case files with deadlines and documents, early warnings, statistics."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.disputes import commands, warnings
from engine.disputes.access import KINDS, may_see_statistics, may_see_warnings
from engine.disputes.casefile import case_file, my_cases
from engine.disputes.documents import get_document
from engine.disputes.statistics import statistics
from engine.errors import Invalid
from engine.queries import casework_process

from .catalog import error_text
from .display import engine_field_message
from .dispute_labels import labels, outcome, outcome_text
from .dispute_statistics import statistics_tables
from .inputs import int_arg
from .notifications import seen_case
from .runtime import current_actor, rt
from .table_files import tables_response

bp = Blueprint("disputes", __name__, url_prefix="/disputes")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _tabs() -> dict[str, bool]:
    actor = current_actor()
    return {"warnings": may_see_warnings(actor), "statistics": may_see_statistics(actor)}


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        cases = my_cases(session, current_actor())
    process = request.args.get("process")
    if process in KINDS:
        cases = [c for c in cases if c["kind"] == process]
    for row in cases:
        row["outcome_label"] = outcome_text(row.get("outcome_label") or "")
    return render_template("disputes/index.html", cases=cases, tabs=_tabs(), process=process)


@bp.route("/apply/<any(mediation, appeals):process>", methods=["GET", "POST"])
@login_required
def apply(process: str):  # type: ignore[no-untyped-def]
    """The application form (the start form of the process serving this kind of case, ``mediation`` or
    ``appeals``): the case exists only once it is submitted."""
    with rt().reading() as session:
        key = casework_process(session, process)
    return redirect(url_for("cases.new", process=key))


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        file = case_file(session, current_actor(), case_id)
    seen_case(case_id)
    file["outcome_label"] = outcome(file)
    return render_template("disputes/case.html", case=file, tabs=_tabs(), sanctions=labels("sanctions"),
                           matters=labels("matters"), deadline_labels=labels("deadlines"))


@bp.route("/cases/<int:case_id>/recusals", methods=["POST"])
@login_required
def recusal(case_id: int):  # type: ignore[no-untyped-def]
    commands.request_recusal(rt(), current_actor(), case_id, request.form.get("target", ""),
                             request.form.get("reason", ""))
    flash(_("The recusal request has been recorded."), "success")
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/recusals/<int:recusal_id>/decide", methods=["POST"])
@login_required
def decide(recusal_id: int):  # type: ignore[no-untyped-def]
    row = commands.decide_recusal(rt(), current_actor(), recusal_id, request.form.get("granted") == "1",
                                  request.form.get("note", ""), request.form.get("replacement") or None)
    flash(_("The recusal has been decided."), "success")
    return redirect(url_for(".case", case_id=row.case_id))


@bp.route("/cases/<int:case_id>/consents", methods=["POST"])
@login_required
def consent(case_id: int):  # type: ignore[no-untyped-def]
    days = request.form.get("days", type=int)
    if days is None or days < 0:
        raise Invalid(_("Days must be a whole number."), [{"field": "days", "message": "must be a whole number"}])
    commands.record_consent(rt(), current_actor(), case_id, request.form.get("party", ""),
                            request.form.get("agreed") == "1", days, request.form.get("note", ""))
    flash(_("The consent has been recorded."), "success")
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/cases/<int:case_id>/route", methods=["POST"])
@login_required
def route(case_id: int):  # type: ignore[no-untyped-def]
    appeal = commands.route_to_appeal(rt(), current_actor(), case_id)
    flash(_("Appeal case %(key)s opened.", key=appeal.business_key), "success")
    return redirect(url_for(".case", case_id=appeal.id))


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        doc = get_document(session, current_actor(), document_id)
        content, name = doc.content, doc.filename
    return send_file(BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=name)


@bp.route("/warnings", methods=["GET", "POST"])
@login_required
def warning_list():  # type: ignore[no-untyped-def]
    actor = current_actor()
    if not may_see_warnings(actor):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            warnings.create_warning(rt(), actor, request.form.to_dict())
        except Invalid as exc:
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details}
        else:
            flash(_("The early warning has been logged."), "success")
            return redirect(url_for(".warning_list"))
    with rt().reading() as session:
        rows = warnings.list_warnings(session, actor, request.args.get("status") or None)
    return render_template("disputes/warnings.html", rows=rows, tabs=_tabs(), errors=errors, form=request.form,
                           risks=labels("risks"), sources=labels("sources"), statuses=labels("statuses"),
                           matters=labels("matters"), status=request.args.get("status")), 422 if errors else 200


@bp.route("/warnings/<int:warning_id>/follow-up", methods=["POST"])
@login_required
def warning_follow_up(warning_id: int):  # type: ignore[no-untyped-def]
    warnings.follow_up(rt(), current_actor(), warning_id, request.form.get("note", ""),
                       request.form.get("close") == "1")
    flash(_("The follow-up has been recorded."), "success")
    return redirect(url_for(".warning_list"))


@bp.route("/warnings/<int:warning_id>/convert", methods=["GET", "POST"])
@login_required
def warning_convert(warning_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    if not may_see_warnings(actor):
        abort(403)
    with rt().reading() as session:
        row = next((w for w in warnings.list_warnings(session, actor) if w.id == warning_id), None)
    if row is None:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: v for k, v in request.form.to_dict().items() if k != "csrf_token"}
        try:
            created = warnings.convert_warning(rt(), actor, warning_id, data)
        except Invalid as exc:
            errors = {d.get("field", ""): engine_field_message(str(d.get("code", "")), str(d.get("message", "")))
                      for d in exc.details} or {"": error_text(exc)}
        else:
            flash(_("Mediation case %(key)s opened from the early warning.", key=created.business_key), "success")
            return redirect(url_for(".case", case_id=created.id))
    return render_template("disputes/convert.html", warning=row, tabs=_tabs(), errors=errors,
                           form=request.form), 422 if errors else 200


@bp.route("/statistics")
@login_required
def stats():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        data = statistics(session, current_actor(), request.args.get("year", type=int))
    return render_template("disputes/statistics.html", stats=data, tabs=_tabs(), matters=labels("matters"),
                           sanctions=labels("sanctions"))


@bp.route("/statistics.<fmt>")
@login_required
def stats_file(fmt: str):  # type: ignore[no-untyped-def]
    """The statistics as xlsx or CSV (counts only), for ?year= or every year."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year = int_arg("year")
    with rt().reading() as session:
        data = statistics(session, current_actor(), year)
    return tables_response(statistics_tables(data), fmt, f"disputes-statistics-{year or 'all'}")
