"""Case pages: list, start (a process's start form first, when it has one), and the case view with data and
history."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from engine.approval.people import display_names
from engine.conditions import applicable
from engine.documents.store import case_documents, document_file
from engine.errors import Invalid
from engine.forms import FieldError, coerce_form_input, field_views, form_title
from engine.instances import may_start, start_case
from engine.office.units import served_forms
from engine.queries import CASE_SORTS, case_json, group_names, latest_definitions, list_cases, visible_case
from engine.startforms import save_start_draft, start_form, submit_start_form
from engine.summary import case_facts, case_links
from engine.taskview import next_task_for

from .display import field_info, shown_value, translate_errors
from .notifications import seen_case
from .runtime import current_actor, rt

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    with rt().reading() as session:
        sort = request.args.get("sort") or "-started"
        listing = list_cases(session, actor, process=request.args.get("process") or None,
                             status=request.args.get("status") or None, q=request.args.get("q") or None,
                             page=request.args.get("page", 1, type=int),
                             sort=sort if sort.lstrip("-") in CASE_SORTS else "-started")
        names = display_names(session, [c["started_by"] or "" for c in listing["items"]])
        processes = {d.key: d.name for d in latest_definitions(session, retired=False)}
        startable = [d for d in latest_definitions(session) if may_start(actor, d)]
    return render_template("cases/index.html", listing=listing, startable=startable, names=names,
                           processes=processes, args=request.args)


@bp.route("/start", methods=["POST"])
@login_required
def start():  # type: ignore[no-untyped-def]
    process = request.form.get("process", "")
    runtime = rt()
    with runtime.reading() as session:
        form = start_form(runtime, session, current_actor(), process)
    if form.schema is not None:
        return redirect(url_for("cases.new", process=process))
    title = request.form.get("title", "").strip()
    case = start_case(rt(), current_actor(), process, {"title": title} if title else {})
    flash(_("Case %(key)s started.", key=case.business_key), "success")
    return _landing(case.id)


def _landing(case_id: int):  # type: ignore[no-untyped-def]
    """After starting: my first step in the case, else the feature's page of it, else the case page."""
    actor = current_actor()
    with rt().reading() as session:
        following = next_task_for(session, actor, case_id)
        links = case_links(session, actor, visible_case(session, actor, case_id), str(get_locale() or "zh_CN"))
    if following:
        return redirect(url_for("tasks.show", task_id=following))
    return redirect(links[0]["url"] if links else url_for("cases.show", case_id=case_id))


def _start_page(form, values=None, errors=None, status=200):  # type: ignore[no-untyped-def]
    locale = str(get_locale() or "zh_CN")
    schema = form.schema or {"type": "object", "properties": {}}
    fields = field_views(schema, locale, values if values is not None else (form.draft or {}),
                         translate_errors(errors or []))
    return render_template("cases/new.html", form=form, fields=fields, errors=errors or [],
                           form_title=form_title(schema, locale)), status


@bp.route("/new/<process>", methods=["GET"])
@login_required
def new(process: str):  # type: ignore[no-untyped-def]
    """The start form: nothing exists until it is submitted valid."""
    runtime = rt()
    with runtime.reading() as session:
        return _start_page(start_form(runtime, session, current_actor(), process))


@bp.route("/new/<process>", methods=["POST"])
@login_required
def create(process: str):  # type: ignore[no-untyped-def]
    runtime = rt()
    with runtime.reading() as session:
        form = start_form(runtime, session, current_actor(), process)
    schema = form.schema or {"type": "object", "properties": {}}
    data, errors = coerce_form_input(schema, request.form)
    title = request.form.get("title", "").strip()
    if form.schema is None and title:
        data = {"title": title}
    if request.form.get("action") == "draft":
        save_start_draft(rt(), current_actor(), process, applicable(schema, data))
        flash(_("Draft saved. Nothing has been filed yet; come back to it any time."), "success")
        return redirect(url_for("cases.new", process=process))
    if errors:
        return _start_page(form, request.form, errors, 422)
    try:
        case = submit_start_form(rt(), current_actor(), process, applicable(schema, data))
    except Invalid as exc:
        return _start_page(form, request.form, [FieldError(str(d.get("field", "")), str(d.get("message", "")),
                                                           str(d.get("code", "invalid")), str(d.get("limit", "")))
                                                for d in exc.details], 422)
    flash(_("%(key)s has been filed.", key=case.business_key), "success")
    return _landing(case.id)


@bp.route("/<int:case_id>")
@login_required
def show(case_id: int):  # type: ignore[no-untyped-def]
    runtime = rt()
    actor = current_actor()
    locale = str(get_locale() or "zh_CN")
    with runtime.reading() as session:
        row = visible_case(session, actor, case_id)
        case = case_json(session, row, history=True)
        parsed = runtime.definition(session, row.definition_id)
        forms = served_forms(session, parsed.forms)
        name = row.definition.name
        groups = group_names(session)
        documents = case_documents(session, actor, case_id)
        facts = case_facts(session, parsed, row, locale)
        links = case_links(session, actor, row, locale)
    seen_case(case_id)
    shown_fields = {f["field"] for f in facts}
    other = [(k, v) for k, v in sorted((case["data"] or {}).items()) if k not in shown_fields and k != "initiator"]
    return render_template("cases/case.html", case=case, process_name=name, facts=facts, other=other, links=links,
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
