"""The public proposal archive (提案库): search and read registered proposals."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("archive", __name__, url_prefix="/archive")
