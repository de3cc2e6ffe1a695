"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of this API, built from the app's own URL map.

Every ``/api/v1`` route is in the document: its path parameters come from the route's converters (``<int:…>``
is an integer the database can hold, ``<any(a, b):…>`` an enum), its summary from the view's docstring.
The routes of API.md also carry their request body and the exact shape, status and media type of their
success; a route added later without an entry in ``OPERATIONS`` is listed with "any success" until it gets
one. Every error of every operation is the ``Error`` schema (``4XX``, ``5XX``). ``tests/test_openapi.py``
runs schemathesis against this document and fails on any 5xx or any response that does not match it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify

from ..inputs import DB_INT_MAX
from .blueprint import bp

JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILES = ["application/pdf", DOCX, XLSX, "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"]
CODES = ["unauthenticated", "forbidden", "not_found", "conflict", "invalid", "too_many_requests", "internal"]


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Any] | None = None, **optional: Any) -> dict[str, Any]:
    """An object with these required properties (more are allowed)."""
    required = required or {}
    return {"type": "object", "required": sorted(required), "properties": {**required, **optional}}


def arr(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STR, INT, BOOL, NUM = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"}
ANY_OBJ = {"type": "object"}
STR_OR_NULL, INT_OR_NULL = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
STRS = arr(STR)

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"code": {"type": "string", "enum": CODES}, "message": STR,
                               "details": arr(ANY_OBJ)})}),
    "Task": obj({"id": STR, "case_id": INT, "business_key": STR_OR_NULL, "process": STR, "name": STR, "title": STR,
                 "candidate_groups": STRS, "assignee": STR_OR_NULL, "state": {"enum": [
                     "open", "claimed", "completed", "cancelled"]}, "created_at": STR,
                 "due_at": STR_OR_NULL, "overdue": BOOL, "form": STR_OR_NULL}),
    "Process": obj({"key": STR, "name": STR_OR_NULL, "version": INT, "deployed_at": STR, "hash": STR}),
    "CaseSummary": obj({"id": INT, "business_key": STR_OR_NULL, "process": STR, "status": STR, "started_at": STR}),
    "Case": obj({"id": INT, "business_key": STR_OR_NULL, "process": STR, "version": INT, "status": STR, "data": ANY_OBJ,
                 "open_tasks": arr(ref("Task"))}, history=arr(ANY_OBJ)),
    "Page": obj({"items": arr(ANY_OBJ), "total": INT}, page=INT),
    "Items": obj({"items": arr(ANY_OBJ)}),
    "Group": obj({"key": STR, "name": STR}),
    "Person": obj({"username": STR, "display_name": STR_OR_NULL}),
    "DisputeCase": obj({"id": INT, "business_key": STR_OR_NULL, "process": STR, "status": STR}),
    "SigninLock": obj({"username": STR_OR_NULL, "address": STR, "failures": INT, "locked_until": STR_OR_NULL}),
}
DEPLOYED = obj({"key": STR, "version": INT, "created": BOOL})
BPMN_BODY = {"application/xml": {"schema": STR},
             "multipart/form-data": {"schema": obj({"file": {"type": "string", "format": "binary"}})}}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


# (method, path) -> summary, success status, success content {media type: schema}, request body
OPERATIONS: dict[tuple[str, str], tuple[str, int, dict[str, Any] | None, dict[str, Any] | None]] = {
    ("post", "/api/v1/tokens"): ("Trade a username and password for a bearer token", 201,
                                 {JSON: obj({"token": STR, "expires_at": STR})},
                                 body(obj({"username": STR, "password": STR}))),
    ("get", "/api/v1/openapi.json"): ("This document", 200, {JSON: obj({"openapi": STR, "paths": ANY_OBJ})}, None),
    ("get", "/api/v1/processes"): ("The latest version of each process", 200, {JSON: arr(ref("Process"))}, None),
    ("post", "/api/v1/processes"): ("Deploy BPMN (+ forms, DMN): 201 a new version, 200 identical content", 200,
                                    {JSON: DEPLOYED}, {"required": True, "content": BPMN_BODY}),
    ("post", "/api/v1/processes/check"): ("Check BPMN without deploying", 200, {JSON: obj({
        "ok": BOOL, "problems": arr(obj({"message": STR}))})}, {"required": True, "content": BPMN_BODY}),
    ("get", "/api/v1/processes/{key}/versions"): ("Every version of a process", 200, {JSON: arr(ref("Process"))},
                                                  None),
    ("get", "/api/v1/processes/{key}/bpmn"): ("The BPMN XML of the latest (or ?version=n)", 200,
                                              {"application/xml": STR}, None),
    ("get", "/api/v1/groups"): ("Groups", 200, {JSON: arr(ref("Group"))}, None),
    ("post", "/api/v1/groups"): ("Create a group (admin)", 201, {JSON: ref("Group")}, body(obj(
        {"key": STR}, name=STR))),
    ("get", "/api/v1/groups/{key}/members"): ("Members of a group", 200, {JSON: arr(ref("Person"))}, None),
    ("post", "/api/v1/users"): ("Create a user (admin)", 201, {JSON: obj({"username": STR})}, body(obj(
        {"username": STR, "password": STR}, display_name=STR, groups=STRS, email=STR))),
    ("get", "/api/v1/cases"): ("Cases the caller may see, paged", 200, {JSON: obj({
        "items": arr(ref("CaseSummary")), "total": INT, "page": INT})}, None),
    ("post", "/api/v1/cases"): ("Start a case", 201, {JSON: ref("Case")}, body(obj({"process": STR}, data=ANY_OBJ))),
    ("get", "/api/v1/cases/{case_id}"): ("A case with its open tasks and history", 200, {JSON: ref("Case")}, None),
    ("post", "/api/v1/cases/{case_id}/cancel"): ("Cancel a case (supervisor, admin)", 200, {JSON: ref("Case")},
                                                 body(obj(reason=STR))),
    ("post", "/api/v1/cases/{case_id}/retry"): ("Retry a case in error (admin)", 200, {JSON: ref("Case")},
                                                body(obj(data=ANY_OBJ))),
    ("get", "/api/v1/cases/{case_id}/comments"): ("Comments and attachments of a case", 200, {JSON: obj({
        "case_id": INT, "comments": arr(ANY_OBJ), "attachments": arr(ANY_OBJ)})}, None),
    ("post", "/api/v1/cases/{case_id}/comments"): ("Comment on a case (@mentions notify)", 201, {JSON: obj({
        "id": INT, "body": STR})}, body(obj({"body": STR}, task_id=STR, attachments=arr(INT)))),
    ("post", "/api/v1/cases/{case_id}/attachments"): ("Attach a file (multipart field file)", 201, {JSON: obj({
        "id": INT, "filename": STR, "content_type": STR, "url": STR})}, {"required": True, "content": {
            "multipart/form-data": {"schema": obj({"file": {"type": "string", "format": "binary"}},
                                                  task_id=STR)}}}),
    ("get", "/api/v1/attachments/{attachment_id}"): ("Download an attachment", 200, {t: STR for t in FILES}, None),
    ("get", "/api/v1/tasks"): ("Tasks the caller may act on, paged", 200, {JSON: obj({
        "items": arr(ref("Task")), "total": INT, "page": INT})}, None),
    ("get", "/api/v1/tasks/{task_id}"): ("A task with its form schema and data, the case summary and where it may "
                                         "be returned to", 200, {JSON: {
        "allOf": [ref("Task"), obj({"schema": {"type": ["object", "null"]}, "data": ANY_OBJ,
                                    "summary": arr(obj({"label": STR, "value": STR})),
                                    "return_to": arr(obj({"name": STR, "title": STR}))},
                                   opinions=arr(ANY_OBJ))]}}, None),
    ("put", "/api/v1/tasks/{task_id}/draft"): ("Save the caller's draft of the task's form (not validated)", 200,
                                               {JSON: obj({"saved_at": STR, "data": ANY_OBJ})},
                                               body(obj({"data": ANY_OBJ}))),
    ("post", "/api/v1/tasks/{task_id}/return"): ("退回: send the case back to an earlier step, with a reason", 200,
                                                 {JSON: obj({"case": ref("Case")})},
                                                 body(obj({"to": STR, "reason": STR}))),
    ("post", "/api/v1/tasks/{task_id}/recall"): ("撤回: take back a step one completed while the next is untouched",
                                                 200, {JSON: obj({"case": ref("Case")})}, None),
    ("post", "/api/v1/tasks/{task_id}/urge"): ("催办: notify the handlers of an open task (once a day per caller)", 200,
                                               {JSON: obj({"notified": STRS})}, body(obj(message=STR))),
    ("post", "/api/v1/tasks/{task_id}/cc"): ("抄送: let the named users read the case and notify them", 200,
                                             {JSON: obj({"users": STRS})}, body(obj({"users": STRS}, message=STR))),
    ("get", "/api/v1/processes/{key}/start-form"): ("The form a case of the process starts with, and the caller's "
                                                     "draft of it", 200, {JSON: obj({
                                                         "process": STR, "name": STR, "version": INT,
                                                         "schema": {"type": ["object", "null"]},
                                                         "draft": {"type": ["object", "null"]},
                                                         "draft_saved_at": STR_OR_NULL})}, None),
    ("put", "/api/v1/processes/{key}/draft"): ("Save the caller's draft of the start form (no case is made)", 200,
                                               {JSON: obj({"saved_at": STR, "data": ANY_OBJ})},
                                               body(obj({"data": ANY_OBJ}))),
    ("get", "/api/v1/tasks/{task_id}/candidates"): ("Who the task may be delegated to", 200,
                                                    {JSON: arr(ref("Person"))}, None),
    ("post", "/api/v1/tasks/{task_id}/claim"): ("Claim a task", 200, {JSON: ref("Task")}, None),
    ("post", "/api/v1/tasks/{task_id}/release"): ("Give a task back to its groups", 200, {JSON: ref("Task")}, None),
    ("post", "/api/v1/tasks/{task_id}/delegate"): ("Delegate a task", 200, {JSON: ref("Task")},
                                                   body(obj({"user": STR}))),
    ("post", "/api/v1/tasks/{task_id}/complete"): ("Complete a task with its form data (409 when no longer open)",
                                                   200, {JSON: obj({"case": ref("Case")})}, body(obj(data=ANY_OBJ))),
    ("get", "/api/v1/inbox"): ("The caller's inbox with counts", 200, {JSON: obj({
        "items": arr(ref("Task")), "counts": ANY_OBJ, "total": INT, "page": INT})}, None),
    ("post", "/api/v1/inbox/bulk"): ("Claim, release or delegate several tasks", 200, {JSON: obj({
        "results": arr(obj({"ok": BOOL})), "ok": INT, "failed": INT})}, body(obj(
            {"action": STR, "tasks": STRS}, user=STR))),
    ("get", "/api/v1/inbox/filters"): ("The caller's saved filters and those shared with them", 200,
                                       {JSON: arr(obj({"id": INT, "name": STR}))}, None),
    ("post", "/api/v1/inbox/filters"): ("Save a filter", 201, {JSON: obj({"id": INT, "name": STR})},
                                        body(obj({"name": STR}, params=ANY_OBJ, shared_group=STR))),
    ("delete", "/api/v1/inbox/filters/{filter_id}"): ("Delete a saved filter", 204, None, None),
    ("get", "/api/v1/notifications"): ("The caller's notifications, newest first", 200, {JSON: obj({
        "items": arr(ANY_OBJ), "unread": INT})}, None),
    ("post", "/api/v1/notifications/read"): ("Mark notifications read (all, or ids)", 200,
                                             {JSON: obj({"marked": INT})}, body(obj(ids=arr(INT)))),
    ("get", "/api/v1/archive"): ("Registered proposals the caller may read", 200, {JSON: ref("Page")}, None),
    ("get", "/api/v1/reports/proposals"): (
        "Proposal statistics (?congress=, session=, year=; format=json, csv, xlsx, or docx: the handling report)",
        200, {JSON: obj({"submitted": INT, "registered": INT, "closed": INT, "by_department": arr(ANY_OBJ),
                         "by_category": arr(ANY_OBJ)}), "text/csv": STR, XLSX: STR, DOCX: STR}, None),
    ("get", "/api/v1/sla/overdue"): ("Open tasks past due, oldest first", 200, {JSON: obj({
        "items": arr({"allOf": [ref("Task"), obj({"overdue_by": INT})]}), "total": INT, "now": STR})}, None),
    ("get", "/api/v1/sla/summary"): ("Open, due-soon and overdue counts by process and group", 200, {JSON: obj({
        "by_process": arr(ANY_OBJ), "by_group": arr(ANY_OBJ), "totals": ANY_OBJ})}, None),
    ("get", "/api/v1/sla/tasks/{task_id}"): ("A task's deadline clock", 200, {JSON: obj({
        "task_id": STR, "paused": BOOL})}, None),
    ("get", "/api/v1/sla/away"): ("The caller's out-of-office deputy", 200, {JSON: obj({"absence": {
        "type": ["object", "null"]}})}, None),
    ("get", "/api/v1/disputes/cases"): ("Mediation and appeal cases the caller may read", 200,
                                        {JSON: obj({"items": arr(ref("DisputeCase"))})}, None),
    ("get", "/api/v1/disputes/cases/{case_id}"): ("A mediation or appeal case", 200, {JSON: ref("DisputeCase")},
                                                  None),
    ("post", "/api/v1/disputes/{process}"): ("File a mediation application or an appeal", 201,
                                             {JSON: ref("DisputeCase")}, body(obj(data=ANY_OBJ))),
    ("get", "/api/v1/cases/{case_id}/documents"): ("The documents a case's process produced (every process)", 200,
                                                   {JSON: arr(obj({"id": INT, "title": STR, "created_at": STR,
                                                                   "media_type": STR}))}, None),
    ("get", "/api/v1/documents/{document_id}"): ("Download a case document (whoever may read the case)", 200,
                                                 {DOCX: STR}, None),
    ("get", "/api/v1/disputes/cases/{case_id}/documents"): ("Documents of a case", 200, {JSON: obj({
        "items": arr(obj({"id": INT, "title": STR}))})}, None),
    ("get", "/api/v1/disputes/documents/{document_id}"): ("Download a document", 200, {DOCX: STR}, None),
    ("get", "/api/v1/disputes/warnings"): ("Early warnings", 200, {JSON: ref("Items")}, None),
    ("post", "/api/v1/disputes/warnings"): ("Record an early warning", 201, {JSON: obj({"id": INT})},
                                            body(ANY_OBJ)),
    ("get", "/api/v1/disputes/statistics"): ("Mediation and appeal statistics, counts only (?year=; format=json, "
                                             "csv, xlsx)", 200, {JSON: obj({"mediation": ANY_OBJ, "appeals": ANY_OBJ}),
                                                                 "text/csv": STR, XLSX: STR}, None),
    ("get", "/api/v1/signin-locks"): ("Sign-in locks in force (admin)", 200, {JSON: arr(ref("SigninLock"))}, None),
    ("post", "/api/v1/signin-locks/unlock"): ("Lift the sign-in locks of a username and/or an address (admin)", 200,
                                              {JSON: obj({"unlocked": INT})}, body(obj(username=STR, address=STR))),
    ("post", "/api/v1/users/{username}/unlock"): ("Lift a user's sign-in locks (admin)", 200,
                                                  {JSON: obj({"unlocked": INT})}, None),
}
ERRORS = {"4XX": {"description": "refused; nothing changed", "content": {JSON: {"schema": ref("Error")}}},
          "5XX": {"description": "server error", "content": {JSON: {"schema": ref("Error")}}}}
_PARAM = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of a Flask rule and its path parameters (typed by their converters)."""
    params = []
    for converter, args, name in _PARAM.findall(rule):
        if converter == "int":
            schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
        elif converter == "any":
            schema = {"type": "string", "enum": [a.strip(" '\"") for a in args.split(",")]}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAM.sub(lambda m: "{" + m.group(3) + "}", rule), params


def _operation(method: str, path: str, params: list[dict[str, Any]], doc: str) -> dict[str, Any]:
    summary, status, content, request_body = OPERATIONS.get((method, path), (doc, 0, None, None))
    if status == 0:
        success: dict[str, Any] = {"2XX": {"description": "success"}}
    else:
        response: dict[str, Any] = {"description": "success"}
        if content:
            response["content"] = {media: {"schema": schema} for media, schema in content.items()}
        success = {str(status): response}
        if (method, path) == ("post", "/api/v1/processes"):
            success["201"] = response
    op: dict[str, Any] = {"summary": summary, "responses": {**success, **ERRORS}}
    if params:
        op["parameters"] = params
    if request_body:
        op["requestBody"] = request_body
    if path == "/api/v1/tokens" or path == "/api/v1/openapi.json":
        op["security"] = []
    return op


def document() -> dict[str, Any]:
    """The whole document for the running app (every /api/v1 route)."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path, params = _path(rule.rule)
        view = current_app.view_functions[rule.endpoint]
        doc = (view.__doc__ or rule.endpoint.split(".")[-1].replace("_", " ")).strip().splitlines()[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(method.lower(), path, params, doc)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Docket API", "version": "1.0.0",
                 "description": "BPMN casework for a university staff union. Send Authorization: Bearer <token> "
                                "(POST /api/v1/tokens). Every error is the Error schema."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    """The OpenAPI 3.1 document of this API."""
    return jsonify(document())
