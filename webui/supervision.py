"""The supervisors' board (督办): overdue and due-soon items, charts, exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
