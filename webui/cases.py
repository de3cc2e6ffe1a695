"""Case pages: list, start, and the case view with data and history."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from engine.documents.store import case_documents, document_file
from engine.instances import may_start, start_case
from engine.office.units import served_forms
from engine.queries import case_json, group_names, latest_definitions, list_cases, visible_case

from .display import field_info, labelled_data, shown_value
from .runtime import current_actor, rt

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    with rt().reading() as session:
        listing = list_cases(session, actor, process=request.args.get("process") or None,
                             status=request.args.get("status") or None, q=request.args.get("q") or None,
                             page=request.args.get("page", 1, type=int))
        startable = [d for d in latest_definitions(session) if may_start(actor, d)]
    return render_template("cases/index.html", listing=listing, startable=startable)


@bp.route("/start", methods=["POST"])
@login_required
def start():  # type: ignore[no-untyped-def]
    title = request.form.get("title", "").strip()
    case = start_case(rt(), current_actor(), request.form.get("process", ""), {"title": title} if title else {})
    flash(_("Case %(key)s started.", key=case.business_key), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/<int:case_id>")
@login_required
def show(case_id: int):  # type: ignore[no-untyped-def]
    runtime = rt()
    with runtime.reading() as session:
        row = visible_case(session, current_actor(), case_id)
        case = case_json(session, row, history=True)
        forms = served_forms(session, runtime.definition(session, row.definition_id).forms)
        name = row.definition.name
        groups = group_names(session)
        documents = case_documents(session, current_actor(), case_id)
    locale = str(get_locale() or "zh_CN")
    fields, other = labelled_data(forms, case["data"] or {}, locale)
    return render_template("cases/case.html", case=case, process_name=name, fields=fields, other=other,
                           groups=groups, info=field_info(forms, locale), shown=shown_value, documents=documents)


@bp.route("/<int:case_id>/documents/<int:document_id>")
@login_required
def document(case_id: int, document_id: int):  # type: ignore[no-untyped-def]
    """Download one document of the case (whoever may read the case may read its documents)."""
    with rt().reading() as session:
        found = document_file(session, current_actor(), document_id)
    if found.case_id != case_id:
        abort(404)
    return send_file(BytesIO(found.content), mimetype=found.media_type, as_attachment=True,
                     download_name=found.filename)
