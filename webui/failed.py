"""The page of cases in error: the message, the element that failed, and a button to run it again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.failures import failed_cases
from engine.instances import retry_case

from .runtime import current_actor, rt

bp = Blueprint("failed", __name__, url_prefix="/failed")


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    listing = failed_cases(rt(), current_actor(), process=request.args.get("process") or None,
                           page=request.args.get("page", 1, type=int))
    return render_template("failed/index.html", listing=listing)


@bp.route("/<int:case_id>/retry", methods=["POST"])
@login_required
def retry(case_id: int):  # type: ignore[no-untyped-def]
    case = retry_case(rt(), current_actor(), case_id)
    if case.status == "error":
        flash(_("Case %(key)s failed again; the message below is the new one.", key=case.business_key), "info")
    else:
        flash(_("Case %(key)s runs again.", key=case.business_key), "success")
    return redirect(url_for("failed.index"))
