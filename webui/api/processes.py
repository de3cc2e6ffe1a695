"""Processes: list, versions, BPMN, check and deploy."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, g, jsonify, request

from engine import deploy as deployment
from engine.definitions.bundle import Bundle
from engine.definitions.check import has_errors
from engine.definitions.wording import normal_locale
from engine.deploy import check
from engine.designer.retirement import restore_process, retire_process
from engine.errors import Forbidden, Invalid, NotFound
from engine.queries import definition_json, definition_versions, latest_definitions
from engine.startforms import save_start_draft, start_form

from ..runtime import rt
from .blueprint import bp
from .errors import json_body
from .uploads import optional_flag


def bundle_from_request() -> Bundle:
    """The BPMN (raw XML body, or multipart ``file``) plus ``forms``, ``dmn`` and ``templates`` (DOCX) parts."""
    if request.mimetype in ("application/xml", "text/xml"):
        return Bundle(bpmn=request.get_data(), filename="upload.bpmn")
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the BPMN as application/xml or as the multipart part 'file'",
                      [{"field": "file", "message": "is required"}])
    bundle = Bundle(bpmn=upload.read(), filename=upload.filename or "upload.bpmn")
    for part in request.files.getlist("forms"):
        key = (part.filename or "").rsplit("/", 1)[-1].removesuffix(".json")
        try:
            bundle.forms[key] = json.loads(part.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            bundle.form_errors[key] = f"{part.filename}: not valid JSON ({exc})"
    for part in request.files.getlist("dmn"):
        bundle.dmn[part.filename or "decision.dmn"] = part.read().decode("utf-8", errors="replace")
    for part in request.files.getlist("templates"):
        bundle.templates[(part.filename or "template.docx").rsplit("/", 1)[-1]] = part.read()
    return bundle


@bp.get("/processes")
def list_processes():  # type: ignore[no-untyped-def]
    """Latest versions; retired processes only with ``?retired=true`` (then listed too, marked retired)."""
    with rt().reading() as session:
        retired = None if optional_flag("retired") else False
        return jsonify([definition_json(d) for d in latest_definitions(session, retired=retired)])


@bp.post("/processes/<key>/retire")
def retire(key: str):  # type: ignore[no-untyped-def]
    with rt().transaction() as session:
        changed = retire_process(session, g.actor, key)
        out = [definition_json(d) for d in definition_versions(session, key)][-1]
    return jsonify({**out, "changed": changed})


@bp.post("/processes/<key>/restore")
def restore(key: str):  # type: ignore[no-untyped-def]
    with rt().transaction() as session:
        changed = restore_process(session, g.actor, key)
        out = [definition_json(d) for d in definition_versions(session, key)][-1]
    return jsonify({**out, "changed": changed})


@bp.get("/processes/<key>/versions")
def process_versions(key: str):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify([definition_json(d) for d in definition_versions(session, key)])


@bp.get("/processes/<key>/bpmn")
def process_bpmn(key: str):  # type: ignore[no-untyped-def]
    version = request.args.get("version", type=int)
    with rt().reading() as session:
        versions = definition_versions(session, key)
        chosen = versions[-1] if version is None else next((d for d in versions if d.version == version), None)
        if chosen is None:
            raise NotFound(f"process '{key}' has no version {version}")
        return Response(chosen.bpmn_xml, mimetype="application/xml")


@bp.post("/processes/check")
def check_process():  # type: ignore[no-untyped-def]
    if not g.actor.is_designer:
        raise Forbidden("only process designers and administrators may check processes")
    bundle = bundle_from_request()
    with rt().reading() as session:
        problems = check(session, bundle)
    locale = problem_locale()
    return jsonify({"ok": not has_errors(problems), "problems": [p.as_dict(locale) for p in problems]})


def problem_locale() -> str | None:
    """The language the caller asks problems in: ``?lang=zh`` or ``Accept-Language``; None (English) else."""
    chosen = request.args.get("lang") or request.accept_languages.best_match(["zh_CN", "zh", "en"])
    return normal_locale(chosen) if chosen else None


@bp.post("/processes")
def deploy_process():  # type: ignore[no-untyped-def]
    bundle = bundle_from_request()
    done = deployment.deploy_process(rt(), g.actor, bundle)
    body = {"key": done.definition.key, "version": done.definition.version, "created": done.created,
            "warnings": [p.as_dict() for p in done.warnings]}
    if done.others:  # a file with several executable processes: each is deployed under its key
        body["processes"] = _deployed_processes(done)
    return jsonify(body), (201 if any(d.created for d in done.all) else 200)


def _deployed_processes(done: Any) -> list[dict[str, Any]]:
    """Each executable process the file deployed: its key, version and whether it is new."""
    return [{"key": d.definition.key, "version": d.definition.version, "created": d.created} for d in done.all]


@bp.get("/processes/<key>/start-form")
def process_start_form(key: str):  # type: ignore[no-untyped-def]
    """The form a case of this process starts with (``schema`` null when none) and the caller's draft of it."""
    runtime = rt()
    with runtime.reading() as session:
        form = start_form(runtime, session, g.actor, key)
    return jsonify({"process": form.process, "name": form.name, "version": form.version, "schema": form.schema,
                    "draft": form.draft, "draft_saved_at": form.draft_saved_at})


@bp.put("/processes/<key>/draft")
def process_start_draft(key: str):  # type: ignore[no-untyped-def]
    """Save the caller's draft of the start form: not validated, no case is made."""
    return jsonify(save_start_draft(rt(), g.actor, key, json_body().get("data", {})))
