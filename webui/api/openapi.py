"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of this API."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from .blueprint import bp

ERROR = {"$ref": "#/components/schemas/Error"}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(summary: str, ok: int = 200, params: list | None = None, body: dict | None = None,
        errors: tuple[int, ...] = (401, 403, 404), schema: dict | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "OK", "content": {"application/json": {
        "schema": schema or {"type": "object"}}}}}
    for code in errors:
        responses[str(code)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _q(*names: str) -> list[dict]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names]


def document() -> dict[str, Any]:
    obj = {"type": "object"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Docket API", "version": "1.0.0",
                 "description": "BPMN casework for a university staff union. Send Authorization: Bearer <token>."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string", "enum": ["unauthenticated", "forbidden", "not_found", "conflict",
                                                            "invalid", "too_many_requests"]},
                        "message": {"type": "string"}, "details": {"type": "array", "items": obj}}}}},
                "Task": {"type": "object", "properties": {k: {} for k in (
                    "id", "case_id", "business_key", "process", "name", "title", "candidate_groups", "assignee",
                    "state", "created_at", "due_at", "overdue", "form")}},
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/tokens": {"post": {**_op("Get a bearer token", 201, body={
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}, errors=(401, 422)),
                "security": []}},
            "/api/v1/processes": {"get": _op("Latest version of each process"),
                                  "post": _op("Deploy BPMN (+ forms, dmn)", 201, errors=(401, 403, 422))},
            "/api/v1/processes/check": {"post": _op("Check BPMN without deploying", errors=(401, 403, 422))},
            "/api/v1/processes/{key}/versions": {"get": _op("All versions", params=[KEY])},
            "/api/v1/processes/{key}/bpmn": {"get": _op("BPMN XML", params=[KEY, *_q("version")])},
            "/api/v1/groups": {"get": _op("Groups"), "post": _op("Create a group", 201, body=obj,
                                                                  errors=(401, 403, 409, 422))},
            "/api/v1/groups/{key}/members": {"get": _op("Members of a group", params=[KEY])},
            "/api/v1/users": {"post": _op("Create a user", 201, body=obj, errors=(401, 403, 409, 422))},
            "/api/v1/cases": {"get": _op("Cases the caller may see", params=_q("process", "status", "q", "page")),
                              "post": _op("Start a case", 201, body={"type": "object", "required": ["process"],
                                          "properties": {"process": {"type": "string"}, "data": obj}},
                                          errors=(401, 403, 404, 422))},
            "/api/v1/cases/{case_id}": {"get": _op("A case with open tasks and history", params=[CASE_ID])},
            "/api/v1/cases/{case_id}/cancel": {"post": _op("Cancel a case", params=[CASE_ID], body=obj,
                                                           errors=(401, 403, 404, 409, 422))},
            "/api/v1/cases/{case_id}/retry": {"post": _op("Retry a case in error", params=[CASE_ID],
                                                          errors=(401, 403, 404, 409))},
            "/api/v1/tasks": {"get": _op("Tasks the caller may act on",
                                         params=_q("scope", "state", "overdue", "process", "sort", "page"))},
            "/api/v1/tasks/{task_id}": {"get": _op("A task with its form schema and data", params=[TASK_ID])},
            "/api/v1/tasks/{task_id}/claim": {"post": _op("Claim", params=[TASK_ID], errors=(401, 403, 404, 409))},
            "/api/v1/tasks/{task_id}/release": {"post": _op("Release", params=[TASK_ID],
                                                            errors=(401, 403, 404, 409))},
            "/api/v1/tasks/{task_id}/delegate": {"post": _op("Delegate", params=[TASK_ID], body=obj,
                                                             errors=(401, 403, 404, 409, 422))},
            "/api/v1/tasks/{task_id}/complete": {"post": _op("Complete with form data", params=[TASK_ID],
                                                             body=obj, errors=(401, 403, 404, 409, 422))},
        },
    }


def _routes() -> dict[str, dict[str, Any]]:
    """Every /api/v1 route of this app, summarised from its view's docstring (so none is missing)."""
    import re

    from flask import current_app

    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in re.findall(r"{([a-z_]+)}", path)]
        doc = (current_app.view_functions[rule.endpoint].__doc__ or rule.endpoint).strip().splitlines()[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _op(doc, params=params or None)
    return paths


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    """The OpenAPI 3.1 document of this API."""
    doc = document()
    for path, ops in _routes().items():
        for method, op in ops.items():
            doc["paths"].setdefault(path, {}).setdefault(method, op)
    return jsonify(doc)
