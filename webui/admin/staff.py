"""Staff: list and search, add a user, change groups, unit and details, reset a password, deactivate and
reactivate; import a staff list (a dry run lists every bad row and column first)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import DocketError
from engine.office.imports import ImportResult, import_users
from engine.office.staff import add_user, get_user, list_users, update_user, user_json
from engine.office.units import list_units
from engine.users import list_groups

from ..runtime import rt
from . import bp
from .common import admin_actor, attempt, message


def _choices(session: Any) -> dict[str, Any]:
    return {"groups": list_groups(session), "units": list_units(session)}


@bp.get("/users")
@login_required
def users():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    q, group = request.args.get("q", "").strip(), request.args.get("group") or None
    with rt().reading() as session:
        rows = [user_json(u) for u in list_users(session, actor, q=q or None, group=group)]
        choices = _choices(session)
    names = {u.key: u.name for u in choices["units"]}
    return render_template("admin/users.html", rows=rows, q=q, group=group, unit_names=names, **choices)


@bp.post("/users")
@login_required
def user_create():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    form = request.form

    def create() -> None:
        with rt().transaction() as session:
            add_user(session, actor, form.get("username", ""), form.get("password", ""),
                     form.get("display_name") or None, form.getlist("groups"), form.get("email") or None,
                     form.get("unit") or None)

    if attempt(create, _("User %(name)s added.", name=form.get("username", ""))):
        return redirect(url_for("admin.user", username=form.get("username", "").strip()))
    return redirect(url_for("admin.users"))


@bp.get("/users/<username>")
@login_required
def user(username: str):  # type: ignore[no-untyped-def]
    admin_actor()
    with rt().reading() as session:
        found = user_json(get_user(session, username))
        choices = _choices(session)
    return render_template("admin/user.html", user=found, **choices)


@bp.post("/users/<username>")
@login_required
def user_update(username: str):  # type: ignore[no-untyped-def]
    actor = admin_actor()
    form = request.form
    action = form.get("action", "save")
    if action == "password":
        changes: dict[str, Any] = {"password": form.get("password", "")}
        done = _("The password was reset.")
    elif action in ("deactivate", "activate"):
        changes = {"active": action == "activate"}
        done = _("The user can sign in again.") if action == "activate" else \
            _("The user is deactivated: they cannot sign in, and the tasks they held went back to their groups.")
    else:
        changes = {"display_name": form.get("display_name", ""), "email": form.get("email") or None,
                   "groups": form.getlist("groups"), "unit": form.get("unit") or None}
        done = _("Saved.")

    def change() -> None:
        with rt().transaction() as session:
            update_user(session, actor, username, changes)

    attempt(change, done)
    return redirect(url_for("admin.user", username=username))


@bp.route("/users/import", methods=["GET", "POST"])
@login_required
def users_import():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    result, filename, error = None, None, None
    if request.method == "POST":
        result, filename, error = run_import(lambda session, name, data, dry: import_users(
            session, actor, name, data, dry)[0])
        if result is not None and not result.errors and request.form.get("dry_run") != "true":
            return render_template("admin/import_done.html", result=result, back=url_for("admin.users"),
                                   title=_("Import staff"))
    return render_template("admin/import.html", result=result, filename=filename, error=error,
                           title=_("Import staff"), action=url_for("admin.users_import"),
                           back=url_for("admin.users"), delegates=False)


def run_import(command: Any) -> tuple[ImportResult | None, str | None, str | None]:
    """Run an import view's command on the uploaded file: (result, file name, an error for the page)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, None, _("Choose a spreadsheet (.xlsx) or a UTF-8 .csv file.")
    data = upload.read()
    dry = request.form.get("dry_run") == "true"
    try:
        with rt().transaction() as session:
            result = command(session, upload.filename, data, dry)
    except DocketError as exc:
        if exc.code != "invalid" or not exc.details or "row" not in exc.details[0]:
            raise
        result = ImportResult(errors=list(exc.details))
    result.errors = [{**e, "message": message(e["message"])} for e in result.errors]
    return result, upload.filename, None
