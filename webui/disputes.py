"""Mediation and appeal pages: early warnings, case files, documents."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("disputes", __name__, url_prefix="/disputes")
