"""The one shape of every API error: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

STATUS = {"not_found": 404, "forbidden": 403, "conflict": 409, "invalid": 422, "too_many_requests": 429}
"""The HTTP status of each engine error code (engine errors know nothing of HTTP)."""
CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "invalid",
         409: "conflict", 413: "invalid", 415: "invalid", 422: "invalid", 429: "too_many_requests", 500: "internal"}


def error_response(status: int, code: str | None = None, message: str = "", details: list[Any] | None = None
                   ) -> tuple[Response, int]:
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "details": details or []}}
    return jsonify(body), status


def status_of(code: str) -> tuple[int, str]:
    """The HTTP status and documented code of an engine error code (an unnamed one is bad input)."""
    if code in STATUS:
        return STATUS[code], code
    return 422, "invalid"


def api_error(exc: Any) -> Response:
    """An engine error (``engine.errors.DocketError``) as the API answers it, with ``Retry-After`` when the error
    says how long to wait."""
    status, code = status_of(exc.code)
    response, status = error_response(status, code, exc.message, exc.details)
    response.status_code = status
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def json_body() -> dict[str, Any]:
    """The request's JSON object (parsed and checked by ``webui.inputs``), or an Invalid error naming the problem."""
    from flask import request

    from engine.errors import Invalid

    data = request.get_json(silent=True)
    if data is None and request.data:
        raise Invalid("the body is not valid JSON", [{"field": "", "message": "invalid JSON"}])
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", [{"field": "", "message": "must be an object"}])
    return data
