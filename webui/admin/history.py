"""The overview of the administration pages and the history of every administrative change."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from engine.office.audit import admin_history

from ..runtime import rt
from . import bp
from .common import admin_actor


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    with rt().reading() as session:
        recent = admin_history(session, actor, page=1)["items"][:8]
    return render_template("admin/index.html", recent=recent)


@bp.get("/history")
@login_required
def history():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    with rt().reading() as session:
        page = admin_history(session, actor, page=request.args.get("page", 1, type=int),
                             kind=request.args.get("kind") or None, target=request.args.get("target") or None)
    return render_template("admin/history.html", page=page, kind=request.args.get("kind") or "",
                           target=request.args.get("target") or "")
