"""App-wide error handling: every failure is an answer in the documented shape, never a bare 500.

Engine errors become their HTTP status (``STATUS``); the API (``/api/...``) answers
``{"error": {"code", "message", "details"}}``, pages answer the error page in the reader's language.
Anything unexpected is logged with its traceback and answered 500 ``internal`` the same way.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.errors import DocketError

from .api.errors import api_error, error_response, status_of
from .catalog import error_text
from .inputs import BadInput

log = logging.getLogger("docket.errors")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _page_sentence(status: int) -> str:
    """What the error page says for an HTTP error, in the page's language."""
    sentences = {
        400: _("The request could not be understood."),
        401: _("Please sign in first."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist, or it is not visible to you."),
        405: _("This address does not accept that kind of request."),
        409: _("Someone else changed this in the meantime. Reload the page and try again."),
        413: _("The upload or form is too large."),
        415: _("The request's content type is not accepted here."),
        422: _("Some input could not be accepted."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return sentences.get(status, _("Something went wrong on the server. The problem has been logged."))


def _page(status: int, message: str, details: list | None = None) -> Response:
    try:
        return make_response(render_template("error.html", status=status, message=message,
                                             details=details or []), status)
    except Exception:  # the error page itself failed (e.g. the database is gone): plain text, still no traceback
        log.exception("the error page could not be rendered")
        return Response(f"{status} {message}\n", status=status, mimetype="text/plain")


def register(app: Flask) -> None:
    """Install the handlers on ``app`` (after its blueprints)."""

    @app.errorhandler(DocketError)
    def docket_error(exc: DocketError):  # type: ignore[no-untyped-def]
        status, _code = status_of(exc.code)
        if _wants_json():
            return api_error(exc)
        if isinstance(exc, BadInput):
            return _page(status, exc.page_message())
        return _page(status, error_text(exc), exc.details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        if _wants_json():
            response, status = error_response(status, None, exc.description or exc.name)
            response.status_code = status
        else:
            response = _page(status, _page_sentence(status))
        for name, value in exc.get_headers():
            if name in ("Allow", "Retry-After"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return error_response(500, "internal", InternalServerError.description)
        return _page(500, _page_sentence(500))
