"""App-wide error pages: engine errors become HTTP statuses; JSON for the API, HTML elsewhere."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import DocketError

from .api.errors import STATUS, error_response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(DocketError)
    def docket_error(exc: DocketError):  # type: ignore[no-untyped-def]
        status = STATUS.get(exc.code, 400)
        if _wants_json():
            return error_response(status, exc.code, exc.message, exc.details)
        return render_template("error.html", status=status, message=exc.message, details=exc.details), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        if _wants_json():
            return error_response(status, None, exc.description or exc.name)
        return render_template("error.html", status=status, message=exc.description, details=[]), status
