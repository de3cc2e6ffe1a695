"""Mediation and appeals API: filing, case files, documents, recusal, consent, routing, early warnings,
statistics. Every call checks the caller against the case's confidentiality."""

from __future__ import annotations

from io import BytesIO

from flask import g, jsonify, request, send_file

from engine.disputes import commands, warnings
from engine.disputes.casefile import case_file, my_cases
from engine.disputes.documents import document_json, get_document, list_documents
from engine.disputes.statistics import statistics
from engine.errors import Invalid

from ..dispute_statistics import statistics_tables
from ..inputs import int_arg
from ..report_wording import report_format
from ..runtime import rt
from ..table_files import tables_response
from .blueprint import bp
from .errors import json_body

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(case_id: int) -> dict:
    with rt().reading() as session:
        return case_file(session, g.actor, case_id)


def _data(body: dict) -> dict:
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise Invalid("'data' must be an object", [{"field": "data", "message": "must be an object"}])
    return data


@bp.post("/disputes/<any(mediation, appeals):process>")
def disputes_file(process: str):  # type: ignore[no-untyped-def]
    case = commands.file_application(rt(), g.actor, process, _data(json_body()))
    return jsonify(_file(case.id)), 201


@bp.get("/disputes/cases")
def disputes_cases():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify({"items": my_cases(session, g.actor)})


@bp.get("/disputes/cases/<int:case_id>")
def disputes_case(case_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_file(case_id))


@bp.get("/disputes/cases/<int:case_id>/documents")
def disputes_documents(case_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        return jsonify({"items": [document_json(d) for d in list_documents(session, g.actor, case_id)]})


@bp.get("/disputes/documents/<int:document_id>")
def disputes_document(document_id: int):  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        doc = get_document(session, g.actor, document_id)
        content, name = doc.content, doc.filename
    return send_file(BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=name)


@bp.post("/disputes/cases/<int:case_id>/recusals")
def disputes_recusal(case_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    row = commands.request_recusal(rt(), g.actor, case_id, str(body.get("target", "")), str(body.get("reason", "")))
    return jsonify({"id": row.id, "status": row.status, "kind": row.kind}), 201


@bp.post("/disputes/recusals/<int:recusal_id>/decide")
def disputes_recusal_decide(recusal_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    if not isinstance(body.get("granted"), bool):
        raise Invalid("'granted' must be true or false", [{"field": "granted", "message": "must be a boolean"}])
    row = commands.decide_recusal(rt(), g.actor, recusal_id, body["granted"], str(body.get("note", "")),
                                  body.get("replacement"))
    return jsonify({"id": row.id, "status": row.status})


@bp.post("/disputes/cases/<int:case_id>/consents")
def disputes_consent(case_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    row = commands.record_consent(rt(), g.actor, case_id, str(body.get("party", "")), bool(body.get("agreed", True)),
                                  body.get("days"), str(body.get("note", "")))  # type: ignore[arg-type]
    return jsonify({"id": row.id, "party": row.party, "agreed": row.agreed, "days": row.days}), 201


@bp.post("/disputes/cases/<int:case_id>/route")
def disputes_route(case_id: int):  # type: ignore[no-untyped-def]
    appeal = commands.route_to_appeal(rt(), g.actor, case_id)
    return jsonify(_file(appeal.id)), 201


@bp.get("/disputes/warnings")
def disputes_warnings():  # type: ignore[no-untyped-def]
    with rt().reading() as session:
        rows = warnings.list_warnings(session, g.actor, request.args.get("status") or None)
        return jsonify({"items": [warnings.warning_json(r) for r in rows]})


@bp.post("/disputes/warnings")
def disputes_warning_create():  # type: ignore[no-untyped-def]
    row = warnings.create_warning(rt(), g.actor, json_body())
    return jsonify(warnings.warning_json(row)), 201


@bp.post("/disputes/warnings/<int:warning_id>/follow-up")
def disputes_warning_follow_up(warning_id: int):  # type: ignore[no-untyped-def]
    body = json_body()
    row = warnings.follow_up(rt(), g.actor, warning_id, str(body.get("note", "")), bool(body.get("close", False)))
    return jsonify(warnings.warning_json(row))


@bp.post("/disputes/warnings/<int:warning_id>/convert")
def disputes_warning_convert(warning_id: int):  # type: ignore[no-untyped-def]
    case = warnings.convert_warning(rt(), g.actor, warning_id, _data(json_body()))
    return jsonify(_file(case.id)), 201


@bp.get("/disputes/statistics")
def disputes_statistics():  # type: ignore[no-untyped-def]
    """?year=<yyyy>&format=json|csv|xlsx: counts only; the files carry labels in the reader's language."""
    fmt = report_format(request.args.get("format"), ("json", "csv", "xlsx"))
    year = int_arg("year")
    with rt().reading() as session:
        data = statistics(session, g.actor, year)
    if fmt == "json":
        return jsonify(data)
    return tables_response(statistics_tables(data), fmt, f"disputes-statistics-{year or 'all'}")
