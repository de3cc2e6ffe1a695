"""The overview of the administration pages and the history of every administrative change.

An administrative change records the target (``unit:hr``, ``congress:school/delegate:wang``, ...) and the values
before and after as the engine keeps them (``engine.office.audit``); here each becomes what the office reads: the
target by its names, each field by its label, each value by its name (people, groups, units, rules, dates), and
an update shows only the fields that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.congress.congresses import congress_json, list_congresses
from engine.office.audit import admin_history
from engine.office.units import unit_names
from engine.queries import latest_definitions, task_labels

from ..display import plain
from ..filters import duration_words, readable
from ..language import colon, list_separator
from ..names import group_label, groups_label, person
from ..proposals import CATEGORY, RATING
from ..report_wording import GRADE, TEXT
from ..runtime import rt
from . import bp
from .common import ARCHIVE_LABELS, SETTING_LABELS, admin_actor, admin_kind_label, session_bound

FIELD_LABELS = {  # every field an administrative change records (engine.office, engine.congress), in this order
    "username": _l("Username"), "display_name": _l("Name"), "key": _l("Key"), "name": _l("Name"),
    "kind": _l("Kind"), "scope": _l("Scope"), "level": _l("Level"), "department": _l("Department"),
    "year": _l("Year"), "source": _l("Source"), "email": _l("E-mail"), "unit": _l("Unit"),
    "group": _l("Acting group"), "groups": _l("Groups"), "delegation": _l("Delegation"), "active": _l("Active"),
    "since": _l("Since"), "until": _l("Until"), "retired": _l("Retired"),
    "committee_group": _l("Committee group"), "presidium_group": _l("Presidium group"),
    "leader_group": _l("Leader group"), "settings": _l("Settings"), "sessions": _l("Sessions"),
    "term": _l("Congress term"), "number": _l("Meeting of the term"), "opens_at": _l("Opens"),
    "closes_at": _l("Closes"), "cutoff_at": _l("Cut-off"), "holidays": _l("Holidays"),
    "workdays": _l("Working weekend days"), "rows": _l("Rows"), "created": _l("Created"), "updated": _l("Updated"),
    "delegates": _l("Delegates"), "released_tasks": _l("Tasks handed back to their groups"),
    "task": _l("Task"), "case": _l("Case"), "from": _l("Old due date"), "to": _l("New due date"),
    "cases": _l("Cases"), "tasks": _l("Tasks"), "count": _l("Count"), "id": _l("Number"),
}
TARGETS = {  # the first word of a recorded target, as people call what changed
    "unit": _l("Unit"), "group": _l("User group"), "user": _l("Staff member"), "congress": _l("Congress"),
    "session": _l("Session"), "delegate": _l("Congress delegate"), "calendar": _l("Working-day calendar"),
    "file": _l("File"), "process": _l("Process"),
}
CALENDAR_SOURCES = {"library": _l("Official calendar (built in)"), "office": _l("Entered by the office"),
                    "unknown": _l("Not known")}
RATE_PARTS = {"satisfied": RATING["satisfied"], "basic": RATING["basic"],
              **{f"grade_{g}": label for g, label in GRADE.items()}}
TIMES = {"opens_at": False, "closes_at": True, "cutoff_at": True}  # session bounds: True where a day ends


@dataclass
class Shown:
    """One recorded field as the page shows it: its label and its value in words, or records within it."""

    label: str
    text: str = ""
    code: bool = False  # a key people type (a unit's or group's key), shown as such
    verbatim: bool = False  # a login name or an address: never translated
    records: list[list[Shown]] = field(default_factory=list)


class Names:
    """The names a change's values and target refer to, read once per page."""

    def __init__(self, session: Any, items: list[dict[str, Any]]) -> None:
        self.units = unit_names(session)
        self.congresses: dict[str, str] = {}
        self.sessions: dict[str, str] = {}
        for row in list_congresses(session):
            data = congress_json(session, row)
            self.congresses[row.key] = row.name
            self.sessions.update({str(s["id"]): s["name"] for s in data["sessions"]})
        self.processes = {d.key: d.name for d in latest_definitions(session)}
        self.tasks = task_labels(session, sorted(_task_ids(items)))

    def unit(self, key: Any) -> str:
        return self.units.get(str(key), str(key))


def _task_ids(items: list[dict[str, Any]]) -> set[str]:
    """The ids of the tasks the changes name (a deactivation's released tasks, recomputed due dates)."""
    found: set[str] = set()
    for item in items:
        for value in (item["before"], item["after"]):
            if isinstance(value, Mapping):
                found.update(str(t) for t in value.get("released_tasks") or [])
            elif isinstance(value, list):
                found.update(str(v["task"]) for v in value if isinstance(v, Mapping) and v.get("task"))
    return found


def admin_field_label(key: str) -> str:
    """The label of a recorded field (a setting by its label on the congress page)."""
    label = FIELD_LABELS.get(key) or SETTING_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def _rate(spec: Any) -> str:
    """A statistics rate as "registered ÷ submitted", with the counters' names."""
    if not isinstance(spec, Mapping):
        return plain(spec)

    def counters(names: Any) -> str:
        return " + ".join(str(TEXT.get(n) or RATE_PARTS.get(n) or n) for n in names or [])

    return f"{counters(spec.get('num'))} ÷ {counters(spec.get('den'))}"


def _setting(key: str, value: Any) -> Shown:
    label = admin_field_label(key)
    if key == "archive":
        return Shown(label, str(ARCHIVE_LABELS.get(value, value)))
    if key == "categories" and isinstance(value, list):
        return Shown(label, list_separator().join(str(CATEGORY.get(c, c)) for c in value))
    if key == "rates" and isinstance(value, Mapping):
        return Shown(label, records=[[Shown(str(TEXT.get(k, k)), _rate(v))] for k, v in value.items()])
    if key in ("return_workdays", "rating_workdays") and isinstance(value, int):
        return Shown(label, duration_words(f"P{value}D", workdays=True))
    if key in ("extension_max_days", "between_sessions_cosign_days") and isinstance(value, int):
        return Shown(label, duration_words(f"P{value}D"))
    return Shown(label, readable(value) if value is not None else "—")


def _shown(key: str, value: Any, names: Names) -> Shown:
    """One recorded field in words."""
    label = admin_field_label(key)
    if value is None or value == "" or value == []:
        return Shown(label, "—")
    if key == "settings" and isinstance(value, Mapping):
        return Shown(label, "" if value else _("As the defaults"), records=[[_setting(k, v)] for k, v in value.items()])
    if isinstance(value, Mapping):
        return Shown(label, records=[pairs(value, names)])
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return Shown(label, records=[pairs(v, names) for v in value])
    if key in ("username", "email"):
        return Shown(label, str(value), verbatim=True)
    if key in ("display_name", "name", "delegation"):
        return Shown(label, str(value))
    if key in ("key", "group") or key.endswith("_group"):
        text = group_label(value) if key != "key" else str(value)
        return Shown(label, text, code=text == value)
    if key == "groups":
        return Shown(label, groups_label(value) if isinstance(value, list) else str(value))
    if key in ("unit", "department"):
        return Shown(label, names.unit(value))
    if key == "scope":
        return Shown(label, _("The whole school") if value == "school" else names.unit(value))
    if key in ("kind", "level"):
        return Shown(label, _("The whole school") if value == "school" else admin_kind_label(value))
    if key == "source":
        return Shown(label, str(CALENDAR_SOURCES.get(value, value)))
    if key in TIMES and isinstance(value, str):
        return Shown(label, session_bound(value, TIMES[key]))
    if key == "task":
        return Shown(label, names.tasks.get(str(value), _("a task that no longer exists")))
    if key == "released_tasks" and isinstance(value, list):
        return Shown(label, list_separator().join(names.tasks.get(str(t), str(t)) for t in value))
    if key in ("holidays", "workdays") and isinstance(value, list):
        return Shown(label, list_separator().join(str(d) for d in value) or "—")
    return Shown(label, plain(value))


def _order(key: str) -> tuple[int, str]:
    keys = list(FIELD_LABELS)
    return (keys.index(key), key) if key in keys else (len(keys), key)


def pairs(value: Mapping[str, Any], names: Names, only: set[str] | None = None) -> list[Shown]:
    """A recorded record as labelled fields, in the order of ``FIELD_LABELS``: ``only`` those fields (an update's
    changes, emptied ones too), else those that have a value."""
    return [_shown(k, v, names) for k, v in sorted(value.items(), key=lambda kv: _order(kv[0]))
            if (k in only if only is not None else v not in (None, "", []))]


def shown_value(value: Any, names: Names, only: set[str] | None = None) -> list[Shown] | str:
    """The value before or after a change: labelled fields for a record, records for a list of them, else words."""
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        return pairs(value, names, only)
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return [Shown("", records=[pairs(v, names) for v in value])]
    if isinstance(value, list) and not value:
        return _("nothing")
    return plain(value)


def target_text(target: str | None, names: Names) -> str:
    """What changed, by name: ``congress:school/delegate:wang`` -> "Congress 第七届… › Congress delegate 王老师"."""
    words = []
    for part in (target or "").split("/"):
        kind, _sep, key = part.partition(":")
        if kind == "unit":
            name = names.unit(key)
        elif kind == "group":
            name = group_label(key)
        elif kind in ("user", "delegate"):
            name = person(key)
        elif kind == "congress":
            name = names.congresses.get(key, key)
        elif kind == "session":
            name = names.sessions.get(key, key)
        elif kind == "process":
            name = names.processes.get(key, key)
        else:
            name = key
        label = TARGETS.get(kind)
        words.append(f"{label}{colon()}{name}" if label is not None and name else str(label or part))
    return " › ".join(words)


def history_rows(session: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes as the page shows them; an update shows only the fields that changed."""
    names = Names(session, items)
    rows = []
    for item in items:
        before, after = item["before"], item["after"]
        only = None
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            changed = {k for k in {*before, *after} if before.get(k) != after.get(k)}
            only = changed or None
        rows.append({**item, "target_text": target_text(item["target"], names),
                     "before_shown": shown_value(before, names, only),
                     "after_shown": shown_value(after, names, only)})
    return rows


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    with rt().reading() as session:
        recent = history_rows(session, admin_history(session, actor, page=1)["items"][:8])
    return render_template("admin/index.html", recent=recent)


@bp.get("/history")
@login_required
def history():  # type: ignore[no-untyped-def]
    actor = admin_actor()
    with rt().reading() as session:
        page = admin_history(session, actor, page=request.args.get("page", 1, type=int),
                             kind=request.args.get("kind") or None, target=request.args.get("target") or None)
        page["items"] = history_rows(session, page["items"])
    return render_template("admin/history.html", page=page, kind=request.args.get("kind") or "",
                           target=request.args.get("target") or "")
