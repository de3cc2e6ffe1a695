"""Congresses: create one (the school's or a college's 二级教代会) with its settings, change the settings, open and
close sessions, add and replace (撤换) delegates, import delegates from a spreadsheet."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.congress.congresses import (
    add_delegate,
    congress_json,
    create_congress_in_scope,
    create_session,
    get_congress,
    import_delegates,
    list_congresses,
    list_delegates,
    replace_delegate,
    require_admin,
    update_congress,
    update_session,
)
from engine.congress.settings import DEFAULTS, KINDS
from engine.errors import Invalid
from engine.office.units import list_units
from engine.workdays import DURATION, LOCAL

from ..filters import duration_words
from ..runtime import current_actor, rt
from . import bp
from .common import ARCHIVE_LABELS, DURATION_UNITS, SETTING_LABELS, attempt
from .staff import run_import

WHOLE = re.compile(r"-?[0-9]+")  # a whole number in ASCII digits (str.isdigit also takes ² and ٣)

FORM_SETTINGS = [k for k in KINDS if k not in ("rates", "categories")]


def _manager() -> Any:
    actor = current_actor()
    require_admin(actor)
    return actor


def _settings_from(form: Any) -> dict[str, Any]:
    """The settings fields of a form, typed; an unchanged default is not stored.

    :raises Invalid: naming the setting whose number or unit is wrong.
    """
    out: dict[str, Any] = {}
    for name in FORM_SETTINGS:
        kind = KINDS[name][0]
        if kind == "bool":
            value: Any = form.get(f"s_{name}") == "true"
        elif kind == "duration":
            value = _period_from(form, name)
            if value is None:
                continue
        else:
            raw = (form.get(f"s_{name}") or "").strip()
            if raw == "":
                continue
            if kind == "int":
                if not WHOLE.fullmatch(raw):
                    raise Invalid("not a number", [{"field": f"settings.{name}", "message": "must be a whole number"}])
                value = int(raw)
            else:
                value = raw
        if value != DEFAULTS[name]:
            out[name] = value
    return out


def _period_from(form: Any, name: str) -> str | None:
    """A period setting entered as a number and a unit (天, 周, 个月), stored as the ISO 8601 duration the engine
    counts with (``2`` and ``M`` -> ``P2M``); None when the number is empty (the default), unless the page kept a
    stored period that no single number and unit can show.

    :raises Invalid: for a number that is not a whole number of at least 1, or an unknown unit.
    """
    raw = (form.get(f"s_{name}") or "").strip()
    if raw == "":
        kept = (form.get(f"s_{name}_kept") or "").strip()
        return kept or None
    field = f"settings.{name}"
    if not WHOLE.fullmatch(raw) or int(raw) < 1:
        raise Invalid("not a period", [{"field": field, "message": "must be a whole number of at least 1"}])
    unit = form.get(f"s_{name}_unit") or "D"
    if unit not in DURATION_UNITS:
        raise Invalid("not a period", [{"field": field, "message": "must be days, weeks or months"}])
    return f"P{int(raw)}{unit}"


def _period_parts(value: str | None) -> tuple[int | None, str]:
    """A stored period as (number, unit letter) when one unit says it (a year is 12 months); (None, "") else."""
    match = DURATION.match(value or "")
    if not match:
        return None, ""
    parts = {k: int(float(v)) for k, v in match.groupdict().items() if v}
    if "years" in parts or "months" in parts:
        parts["months"] = parts.pop("years", 0) * 12 + parts.get("months", 0)
    letters = {"days": "D", "weeks": "W", "months": "M"}
    if len(parts) != 1 or next(iter(parts)) not in letters:
        return None, ""
    (unit, number), = parts.items()
    return number, letters[unit]


def _setting_rows(current: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for n in FORM_SETTINGS:
        kind, value = KINDS[n][0], current.get(n, DEFAULTS[n])
        row = {"name": n, "label": SETTING_LABELS[n], "kind": kind, "value": value, "default": DEFAULTS[n],
               "choices": [(c, ARCHIVE_LABELS.get(c, c)) for c in KINDS[n][1]] if kind == "choice" else []}
        if kind == "duration":
            number, unit = _period_parts(value)
            row.update(number=number, unit=unit or "M", units=list(DURATION_UNITS.items()),
                       kept=value if value and number is None else "",
                       words=duration_words(value) if value else "")
        rows.append(row)
    return rows


def _local(value: str, end: bool = False) -> str:
    """A date or datetime-local field as an ISO datetime in Asia/Shanghai (a date: start or end of the day)."""
    value = (value or "").strip()
    if not value:
        return ""
    if "T" not in value:
        try:
            day = datetime.fromisoformat(value).date()
        except ValueError:
            return value
        return datetime.combine(day, time(23, 59, 59) if end else time(0), LOCAL).isoformat()
    return value


@bp.get("/congresses")
@login_required
def congresses():  # type: ignore[no-untyped-def]
    _manager()
    with rt().reading() as session:
        rows = [congress_json(session, c) for c in list_congresses(session)]
        colleges = list_units(session, kind="college", active=True)
    return render_template("admin/congresses.html", rows=rows, colleges=colleges, settings=_setting_rows({}))


@bp.post("/congresses")
@login_required
def congress_create():  # type: ignore[no-untyped-def]
    actor = _manager()
    form = request.form

    def create() -> None:
        settings = _settings_from(form)
        with rt().transaction() as session:
            create_congress_in_scope(session, actor, form.get("key", ""), form.get("name", ""),
                                     form.get("scope") or "school", settings)

    if attempt(create, _("Congress %(name)s created.", name=form.get("name", ""))):
        return redirect(url_for("admin.congress", key=form.get("key", "").strip()))
    return redirect(url_for("admin.congresses"))


@bp.get("/congresses/<key>")
@login_required
def congress(key: str):  # type: ignore[no-untyped-def]
    _manager()
    with rt().reading() as session:
        row = get_congress(session, key)
        data = congress_json(session, row)
        delegates = list_delegates(session, row)
        units = {u.key: u.name for u in list_units(session)}
    return render_template("admin/congress.html", c=data, delegates=delegates, unit_names=units,
                           settings=_setting_rows(data["settings"]), now=datetime.now(LOCAL))


@bp.post("/congresses/<key>")
@login_required
def congress_update(key: str):  # type: ignore[no-untyped-def]
    actor = _manager()
    form = request.form

    def change() -> None:
        settings = _settings_from(form)
        cleared = {n: None for n in FORM_SETTINGS if n not in settings}
        with rt().transaction() as session:
            update_congress(session, actor, key, {"name": form.get("name", ""), "settings": {**cleared, **settings}})

    attempt(change, _("Saved."))
    return redirect(url_for("admin.congress", key=key))


@bp.post("/congresses/<key>/sessions")
@login_required
def session_create(key: str):  # type: ignore[no-untyped-def]
    actor = _manager()
    form = request.form

    def create() -> None:
        with rt().transaction() as session:
            create_session(session, actor, get_congress(session, key), form.get("name", ""), None, None,
                           _local(form.get("opens_at", "")), _local(form.get("closes_at", ""), end=True))

    attempt(create, _("Session %(name)s opened.", name=form.get("name", "")))
    return redirect(url_for("admin.congress", key=key))


@bp.post("/congresses/<key>/sessions/<int:session_id>/close")
@login_required
def session_close(key: str, session_id: int):  # type: ignore[no-untyped-def]
    actor = _manager()

    def close() -> None:
        with rt().transaction() as session:
            update_session(session, actor, get_congress(session, key), session_id, {"close": True})

    attempt(close, _("The session no longer collects proposals."))
    return redirect(url_for("admin.congress", key=key))


@bp.post("/congresses/<key>/delegates")
@login_required
def delegate_add(key: str):  # type: ignore[no-untyped-def]
    actor = _manager()
    form = request.form

    def add() -> None:
        with rt().transaction() as session:
            add_delegate(session, actor, get_congress(session, key), form.get("username", "").strip(),
                         form.get("delegation", "").strip(), form.get("unit") or None)

    attempt(add, _("Delegate %(name)s added.", name=form.get("username", "")))
    return redirect(url_for("admin.congress", key=key))


@bp.post("/congresses/<key>/delegates/<username>/replace")
@login_required
def delegate_replace(key: str, username: str):  # type: ignore[no-untyped-def]
    actor = _manager()

    def replace() -> None:
        with rt().transaction() as session:
            replace_delegate(session, actor, get_congress(session, key), username)

    attempt(replace, _("%(name)s was replaced; the record stays in the list.", name=username))
    return redirect(url_for("admin.congress", key=key))


@bp.route("/congresses/<key>/delegates/import", methods=["GET", "POST"])
@login_required
def delegates_import(key: str):  # type: ignore[no-untyped-def]
    actor = _manager()
    with rt().reading() as session:
        name = get_congress(session, key).name
    title = _("Import delegates of %(name)s", name=name)
    result, filename, error = None, None, None
    if request.method == "POST":
        result, filename, error = run_import(lambda session, fname, data, dry: import_delegates(
            session, actor, get_congress(session, key), fname, data, dry))
        if result is not None and not result.errors and request.form.get("dry_run") != "true":
            return render_template("admin/import_done.html", result=result, title=title,
                                   back=url_for("admin.congress", key=key))
    return render_template("admin/import.html", result=result, filename=filename, error=error, title=title,
                           action=url_for("admin.delegates_import", key=key),
                           back=url_for("admin.congress", key=key), delegates=True)
