"""Designer pages: processes, versions, diffs, upload and deploy, the modeler, case migration."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("designer", __name__, url_prefix="/designer")
