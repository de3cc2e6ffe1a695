"""Units: the list by kind, adding one, renaming it, handing it to another group, deactivating it."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.office.units import KINDS, create_unit, list_units, update_unit
from engine.users import list_groups

from ..runtime import rt
from . import bp
from .common import admin_actor, attempt


@bp.get("/units")
@login_required
def units():  # type: ignore[no-untyped-def]
    admin_actor()
    kind = request.args.get("kind") or None
    with rt().reading() as session:
        rows = list_units(session, kind=kind)
        kinds = sorted({*KINDS, *(u.kind for u in list_units(session))})
        groups = [g.key for g in list_groups(session)]
    return render_template("admin/units.html", rows=rows, kinds=kinds, kind=kind, groups=groups)


@bp.post("/units")
@login_required
def unit_create():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    form = request.form

    def create() -> None:
        with rt().transaction() as session:
            create_unit(session, actor, form.get("key", ""), form.get("name", ""),
                        form.get("kind_other") or form.get("kind", ""), form.get("group") or None)

    attempt(create, _("Unit %(name)s added.", name=form.get("name", "")))
    return redirect(url_for("admin.units", kind=request.args.get("kind")))


@bp.post("/units/<key>")
@login_required
def unit_update(key: str):  # type: ignore[no-untyped-def]
    actor = admin_actor()
    form = request.form
    changes: dict = {}
    if "name" in form:
        changes["name"] = form["name"]
    if form.get("group"):
        changes["group"] = form["group"]
    if "active" in form:
        changes["active"] = form["active"] == "true"

    def change() -> None:
        with rt().transaction() as session:
            update_unit(session, actor, key, changes)

    attempt(change, _("Unit saved."))
    return redirect(url_for("admin.units", kind=request.args.get("kind")))
