"""Proposal pages: congresses, sessions, co-signing, statistics, the handling report."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
