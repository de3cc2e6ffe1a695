"""Designer pages: processes, versions, diffs, upload and deploy, the modeler, case migration."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.designer.diagram import case_diagram
from engine.designer.diff import diff_versions
from engine.designer.drafts import emptiness_problems, name_process
from engine.designer.listing import get_definition, newest, process_rows, running_by_definition
from engine.designer.migration import migrate_cases, plan_migration
from engine.designer.publish import Outcome, make_bundle, publish
from engine.designer.retirement import restore_process, retire_process
from engine.errors import Forbidden, Invalid, NotFound
from engine.forms import field_views
from engine.office.units import served_form
from engine.queries import definition_versions, group_names

from . import LOCALES
from .runtime import current_actor, rt

bp = Blueprint("designer", __name__, url_prefix="/designer")
NEW_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_new" targetNamespace="https://docket.example/bpmn">
  <bpmn:process id="new_process" name="New process" isExecutable="true">
    <bpmn:startEvent id="start"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_new"><bpmndi:BPMNPlane id="Plane_new" bpmnElement="new_process">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36"/>
    </bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def new_process_xml() -> str:
    """The diagram a new process starts from, its placeholder name in the reader's language."""
    return NEW_PROCESS.replace('name="New process"', "name=" + quoteattr(_("New process")), 1)


def _placeholder_names() -> set[str]:
    """The name a new diagram carries, in every language the modeler is offered in: still "not named"."""
    names = set()
    for locale in LOCALES:
        with force_locale(locale):
            names.add(_("New process"))
    return names


def _designer() -> Any:
    actor = current_actor()
    if not actor.is_designer:
        raise Forbidden(_("Only process designers and administrators may use the designer."))
    return actor


def _locale() -> str:
    return str(get_locale() or "zh_CN")


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    _designer()
    with rt().reading() as session:
        rows = process_rows(session)
    return render_template("designer/index.html", rows=rows)


def _form_previews(session: Any, parsed: Any) -> list[dict[str, Any]]:
    previews = []
    for meta in parsed.meta.tasks.values():
        if not meta.form_key:
            continue
        schema = served_form(session, parsed.forms.get(meta.form_key))
        previews.append({"task": meta, "form_key": meta.form_key, "schema": schema,
                         "fields": field_views(schema, _locale(), {}) if schema else []})
    return previews


@bp.route("/processes/<key>")
@login_required
def process(key: str):  # type: ignore[no-untyped-def]
    _designer()
    with rt().reading() as session:
        versions = definition_versions(session, key)
        by_version = {d.version: d for d in versions}
        chosen = by_version.get(request.args.get("v", type=int) or versions[-1].version)
        if chosen is None:
            raise NotFound(_("Version %(v)s of this process does not exist.", v=request.args.get("v")))
        default_base = chosen.version - 1 if chosen.version > 1 else None
        base = by_version.get(request.args.get("compare", default_base, type=int) or -1)
        diff = diff_versions(base.bpmn_xml, chosen.bpmn_xml) if base is not None and base is not chosen else None
        running = running_by_definition(session, key)
        parsed = rt().definition(session, chosen.id)
        previews = _form_previews(session, parsed)
        xml = chosen.bpmn_xml
    markers = {"added": [e.id for e in diff.added], "changed": [d.element.id for d in diff.changed]} if diff else {}
    return render_template("designer/process.html", key=key, versions=versions, chosen=chosen, base=base,
                           retired=versions[-1].retired_at is not None,
                           diff=diff, running=running, previews=previews, xml=xml, markers=markers,
                           lane_groups=parsed.meta.lane_groups)


@bp.route("/definitions/<int:definition_id>.bpmn")
@login_required
def download(definition_id: int):  # type: ignore[no-untyped-def]
    _designer()
    with rt().reading() as session:
        row = get_definition(session, definition_id)
        name, xml = f"{row.key}-v{row.version}.bpmn", row.bpmn_xml
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _outcome_page(template: str, outcome: Outcome | None, xml: str | None, **extra: Any) -> Any:
    markers = {"error": sorted({p.element for p in outcome.errors if p.element})} if outcome else {}
    diff = extra.get("diff")
    if diff is not None:
        markers.update(added=[e.id for e in diff.added], changed=[d.element.id for d in diff.changed])
    status = 422 if outcome is not None and outcome.errors else 200
    return render_template(template, outcome=outcome, xml=xml, markers=markers, **extra), status


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():  # type: ignore[no-untyped-def]
    actor = _designer()
    if request.method == "GET":
        return render_template("designer/upload.html", outcome=None, xml=None, markers={}, filename=None)
    file = request.files.get("bpmn")
    if file is None or not file.filename:
        raise Invalid(_("Choose a .bpmn file to upload."), [{"field": "bpmn", "message": _("required")}])
    data = file.read()
    extra = [(f.filename or "", f.read()) for f in request.files.getlist("extra") if f and f.filename]
    bundle = make_bundle(file.filename, data, extra)
    outcome = publish(rt(), actor, bundle, do_deploy=request.form.get("action") == "deploy")
    if outcome.version is not None:
        _flash_deployed(outcome)
        return redirect(url_for("designer.process", key=outcome.key, v=outcome.version))
    xml = data.decode("utf-8", errors="replace")
    deployed, diff = _against_deployed(outcome.key, data)
    return _outcome_page("designer/upload.html", outcome, xml, filename=bundle.filename,
                         forms=sorted(bundle.forms), deployed=deployed, diff=diff)


def _against_deployed(key: str | None, data: bytes) -> tuple[Any, Any]:
    """The latest deployed version of the uploaded process and the element diff to the upload (or Nones)."""
    if not key:
        return None, None
    with rt().reading() as session:
        latest = newest(session, key)
        if latest is None:
            return None, None
        try:
            diff = diff_versions(latest.bpmn_xml, data)
        except Exception:  # unreadable XML: the checker's problems say why
            return None, None
        return {"key": latest.key, "version": latest.version}, diff


def _flash_deployed(outcome: Outcome) -> None:
    if outcome.created:
        flash(_("Deployed %(key)s version %(v)s.", key=outcome.key, v=outcome.version), "success")
    else:
        flash(_("Nothing changed: version %(v)s of %(key)s is the same.", key=outcome.key, v=outcome.version),
              "info")
    if outcome.warnings:
        flash(_("%(n)s warning(s) from the checker; see the version's page.", n=len(outcome.warnings)), "info")


@bp.route("/modeler", methods=["GET", "POST"])
@login_required
def modeler():  # type: ignore[no-untyped-def]
    actor = _designer()
    key = request.values.get("process") or None
    if request.method == "POST":
        xml = request.form.get("xml", "")
        if not xml.strip():
            raise Invalid(_("The diagram is empty."), [{"field": "xml", "message": _("required")}])
        naming = {"key": key or request.form.get("key", "").strip(), "name": request.form.get("name", "").strip()}
        try:
            data = name_process(xml.encode("utf-8"), naming["key"], naming["name"], _placeholder_names())
        except Invalid as exc:
            errors = {d["field"]: _(MODELER_FIELD_ERRORS[d["field"]]) for d in exc.details}
            return render_template("designer/modeler.html", outcome=None, xml=xml, markers={}, key=key,
                                   chosen=None, naming=naming, naming_errors=errors, **_modeler_lists(key)), 422
        empty = emptiness_problems(data, f"{naming['key']}.bpmn")
        if empty:
            return _outcome_page("designer/modeler.html", Outcome(empty, naming["key"]), data.decode("utf-8"),
                                 key=key, chosen=None, naming=naming, naming_errors={}, **_modeler_lists(key))
        bundle = make_bundle(f"{naming['key']}.bpmn", data, [])
        outcome = publish(rt(), actor, bundle, do_deploy=True)
        if outcome.version is not None:
            _flash_deployed(outcome)
            return redirect(url_for("designer.process", key=outcome.key, v=outcome.version))
        return _outcome_page("designer/modeler.html", outcome, data.decode("utf-8"), key=key, chosen=None,
                             naming=naming, naming_errors={}, **_modeler_lists(key))
    chosen = None
    xml = new_process_xml()
    if key:
        with rt().reading() as session:
            versions = definition_versions(session, key)
            wanted = request.args.get("v", type=int)
            row = next((d for d in versions if d.version == wanted), versions[-1])
            xml = row.bpmn_xml
            chosen = {"key": row.key, "name": row.name, "version": row.version}
    naming = {"key": key or "", "name": chosen["name"] if chosen else ""}
    return render_template("designer/modeler.html", outcome=None, xml=xml, markers={}, key=key, chosen=chosen,
                           naming=naming, naming_errors={}, **_modeler_lists(key))


MODELER_FIELD_ERRORS = {
    "key": _l("Give the process a key: a letter, then letters, digits, _ or - (e.g. leave_request)."),
    "name": _l("Give the process a name."),
}


@bp.route("/processes/<key>/retire", methods=["POST"])
@login_required
def retire(key: str):  # type: ignore[no-untyped-def]
    actor = _designer()
    with rt().transaction() as session:
        retire_process(session, actor, key)
    flash(_("The process is retired: it takes no new cases; running cases go on."), "success")
    return redirect(url_for("designer.process", key=key))


@bp.route("/processes/<key>/restore", methods=["POST"])
@login_required
def restore(key: str):  # type: ignore[no-untyped-def]
    actor = _designer()
    with rt().transaction() as session:
        restore_process(session, actor, key)
    flash(_("The process is restored: new cases may start again."), "success")
    return redirect(url_for("designer.process", key=key))


def _modeler_lists(key: str | None) -> dict[str, list[str]]:
    """Known group keys and the process's form keys, offered as suggestions in the properties form."""
    with rt().reading() as session:
        groups = sorted(group_names(session))
        latest = newest(session, key)
        forms = sorted((latest.forms or {}) if latest else {})
    return {"groups": groups, "forms": forms}


def _case_ids() -> list[int]:
    ids = request.form.getlist("case", type=int)
    if len(ids) != len(request.form.getlist("case")):
        raise Invalid(_("Invalid case selection."), [{"field": "case", "message": "must be case ids"}])
    return ids


@bp.route("/processes/<key>/migrate", methods=["GET", "POST"])
@login_required
def migrate(key: str):  # type: ignore[no-untyped-def]
    actor = _designer()
    with rt().reading() as session:
        versions = definition_versions(session, key)
    by_id = {d.id: d for d in versions}
    target = by_id.get(request.values.get("to", type=int) or versions[-1].id)
    if target is None:
        raise NotFound(_("This process version does not exist."))
    results = None
    restart = request.values.get("restart") == "1"
    if request.method == "POST":
        ids = _case_ids()
        if not ids:
            flash(_("Select at least one case to migrate."), "info")
            return redirect(url_for("designer.migrate", key=key, to=target.id, restart="1" if restart else None))
        results = migrate_cases(rt(), actor, target.id, ids, restart=restart)
        moved = sum(r.ok for r in results)
        flash(_("%(n)s case(s) moved to version %(v)s.", n=moved, v=target.version),
              "success" if moved else "info")
    plans = plan_migration(rt(), actor, target.id, restart=restart)
    return render_template("designer/migrate.html", key=key, versions=versions, target=target, plans=plans,
                           results=results, restart=restart)


@bp.route("/cases/<int:case_id>/diagram.json")
@login_required
def case_diagram_json(case_id: int):  # type: ignore[no-untyped-def]
    runtime = rt()
    with runtime.reading() as session:
        data = case_diagram(runtime, session, current_actor(), case_id)
    for items in data["tasks"].values():
        for task in items:
            task["url"] = url_for("tasks.show", task_id=task["id"])
    return jsonify(data)
