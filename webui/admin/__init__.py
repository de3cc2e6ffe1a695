"""管理 (administration): the pages where the union office keeps its reference data — units, staff, congresses
and delegates, the working-day calendar — and reads the history of every change."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import calendar, congresses, history, staff, units  # noqa: E402,F401  (registers the routes)
