"""The overview of the administration pages and the history of every administrative change."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.office.audit import admin_history

from ..runtime import rt
from . import bp
from .common import admin_actor

FIELD_LABELS = {  # the fields of reference data an administrative change records, as people call them
    "username": _l("Username"), "display_name": _l("Name"), "email": _l("E-mail"), "groups": _l("Groups"),
    "unit": _l("Unit"), "active": _l("Active"), "key": _l("Key"), "name": _l("Name"), "kind": _l("Kind"),
    "group": _l("Group"), "opens_at": _l("Opens"), "closes_at": _l("Closes"), "cutoff_at": _l("Cut-off"),
    "level": _l("Level"), "department": _l("Department"), "committee_group": _l("Committee group"),
    "presidium_group": _l("Presidium group"), "leader_group": _l("Leader group"), "settings": _l("Settings"),
    "holidays": _l("Holidays"), "workdays": _l("Working weekend days"), "term": _l("Term"), "number": _l("Number"),
    "delegates": _l("Delegates"), "rows": _l("Rows"), "created": _l("Created"), "updated": _l("Updated"),
    "cases": _l("Cases"), "tasks": _l("Tasks"), "count": _l("Count"),
}


def admin_field_label(key: str) -> str | None:
    """The label of a recorded field, or None (the template then shows the key as code)."""
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else None


@bp.app_template_global("admin_field_label")
def _admin_field_label(key: str) -> str | None:
    return admin_field_label(key)


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
