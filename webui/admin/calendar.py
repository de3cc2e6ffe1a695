"""The working-day calendar: which years are known, entering a year by hand, and recomputing the due dates of
open tasks that were counted over an unknown year (shown as a dry run first)."""

from __future__ import annotations

from datetime import datetime

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.office.calendar import calendar_json, put_year, recompute_due_dates
from engine.workdays import LOCAL

from ..runtime import rt
from . import bp
from .common import admin_actor, attempt


def _dates(text: str) -> list[str]:
    return [d.strip() for d in text.replace(",", "\n").replace("，", "\n").splitlines() if d.strip()]


@bp.get("/calendar")
@login_required
def calendar():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    this = datetime.now(LOCAL).year
    year = request.args.get("year", type=int) or this
    with rt().reading() as session:
        years = [calendar_json(session, y) for y in range(this - 1, this + 3)]
        chosen = calendar_json(session, year)
    plan = recompute_due_dates(rt(), actor, dry_run=True)
    return render_template("admin/calendar.html", years=years, chosen=chosen, plan=plan)


@bp.post("/calendar/<int:year>")
@login_required
def calendar_save(year: int):  # type: ignore[no-untyped-def]
    actor = admin_actor()
    form = request.form

    def save() -> None:
        with rt().transaction() as session:
            put_year(session, actor, year, _dates(form.get("holidays", "")), _dates(form.get("workdays", "")))

    attempt(save, _("The working days of %(year)s are saved; due dates computed from now on use them.", year=year))
    return redirect(url_for("admin.calendar", year=year))


@bp.post("/calendar/recompute")
@login_required
def calendar_recompute():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    moved = [p for p in recompute_due_dates(rt(), actor, dry_run=False) if p["new_due_at"]]
    return redirect(url_for("admin.calendar", recomputed=len(moved)))
