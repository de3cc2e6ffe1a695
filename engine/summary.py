"""The case beside the form: the facts a process declares per step, the opinions of earlier steps, and the
feature pages and documents of the case — labelled and formatted in the reader's language.

The BPMN file says what is shown, with properties read here (no Python per process):

``summary``
    on a user task (or on the process, for every step without its own): the case fields to show beside its
    form, comma-separated, in order (``title, cause, suggestion, initiator, cosigners``).
``opinion``
    on a user task: the fields of its form that are its opinion (``decision, review_opinion``); every completed
    step with one appears, oldest first, in the opinion trail of the later steps, beside returns and recalls.
``caseForm``
    on the process: a form (JSON Schema, like any task form) that labels the case's own fields, those no step's
    form asks for (a proposal's title and cause, the proposer). ``"x-format": "user"`` on a field (or its
    items) shows usernames as people's names.

Labels and option names come from that form and the forms of the process's steps. Features add links to their
own case pages and the case's documents through the hooks ``case_links`` and ``case_documents`` (each handler
appends ``{"url", "label": {"zh": ..., "en": ...}}`` or ``{"title", "url", "created_at"}`` to the list it gets).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .access import Actor
from .approval.people import display_names
from .behaviours import behaviours
from .definitions.parse import ParsedDefinition
from .forms import field_views, value_labels
from .hooks import emit
from .models import Case, Event, Task
from .office.units import served_forms
from .workdays import LOCAL

SUMMARY, OPINION, CASE_FORM = "summary", "opinion", "caseForm"
USER = "user"
TRAIL_KINDS = ("task_completed", "task_returned", "task_recalled")

behaviours.property(SUMMARY, doc="On a user task or the process: the case fields shown beside the step's form and "
                                 "as `summary` in `GET /api/v1/tasks/<id>`, comma-separated, in order; labels "
                                 "and option names come from the process's forms (`caseForm` included).")
behaviours.property(OPINION, doc="On a user task: the fields of its form that are its opinion (e.g. `decision, "
                                 "review_opinion`); later steps show them in their opinion trail.")
behaviours.property(CASE_FORM, doc="On the process: a form (JSON Schema) that labels the case's own fields for the "
                                   "summary; `\"x-format\": \"user\"` shows usernames as names.")


def names(value: str | None) -> list[str]:
    """The names in a comma-separated property value."""
    return [n.strip() for n in (value or "").replace("，", ",").split(",") if n.strip()]


def _lang(locale: str) -> str:
    return "en" if str(locale).lower().startswith("en") else "zh"


class Labels:
    """Field labels, option names and display hints over the process's forms: ``first`` (a step's own form)
    wins, then the ``caseForm``, then the other forms."""

    def __init__(self, parsed: ParsedDefinition, forms: dict[str, Any], locale: str, first: str | None = None
                 ) -> None:
        self.locale = locale
        self.fields: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {}
        order = [k for k in (first, (parsed.meta.settings.get(CASE_FORM) or "").strip()) if k]
        keys = [k for k in order if k in forms] + [k for k in forms if k not in order]
        for schema in (forms[k] for k in keys):
            props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
            named = value_labels(schema, locale)
            for view in field_views(schema, locale, {}):
                prop = props.get(view.name) if isinstance(props.get(view.name), dict) else {}
                options = [*view.options, *named.get(view.name, {}).items()]
                found = self.fields.get(view.name)
                if found is None:
                    self.fields[view.name] = (view.label, dict(options), prop)
                else:  # an option only a later form offers (a presidium's decision) still has its name
                    found[1].update({k: v for k, v in options if k not in found[1]})

    def label(self, name: str) -> str | None:
        """The field's label, or None when no form of the process describes it."""
        found = self.fields.get(name)
        return found[0] if found else None

    def shown(self, name: str, value: Any, people: dict[str, str]) -> str:
        """``value`` as people read it: option names, people's names, dates, yes/no; lists joined as the reader's
        language joins them (、 or a comma)."""
        _, options, prop = self.fields.get(name, ("", {}, {}))
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        is_user = USER in (prop.get("x-format"), items.get("x-format"))
        kind = prop.get("format") or items.get("format")
        values = value if isinstance(value, list | tuple) else [value]
        separator = ", " if _lang(self.locale) == "en" else "、"
        return separator.join(s for s in (self._one(v, options, is_user, kind, people) for v in values) if s)

    def _one(self, value: Any, options: dict[str, str], is_user: bool, kind: Any, people: dict[str, str]) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            key = "true" if value else "false"
            return options.get(key) or (("Yes" if value else "No") if _lang(self.locale) == "en" else
                                        ("是" if value else "否"))
        if isinstance(value, dict):
            pair, between = ("{}: {}", "; ") if _lang(self.locale) == "en" else ("{}：{}", "；")
            return between.join(pair.format(k, v) for k, v in value.items() if v not in (None, "", []))
        text = value if isinstance(value, str) else str(value)
        if text in options:
            return options[text]
        if is_user:
            return people.get(text, text)
        if kind == "date-time" or (isinstance(value, str) and _looks_like_time(value)):
            return _local_time(value)
        if kind == "date":
            return text[:10]
        return text


def _looks_like_time(text: str) -> bool:
    return len(text) >= 16 and text[4:5] == "-" and text[10:11] == "T"


def _local_time(text: str) -> str:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%d %H:%M")
    return when.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def summary_fields(parsed: ParsedDefinition, step: str) -> list[str]:
    """The case fields the step (else the process) declares in its ``summary`` property."""
    meta = parsed.meta.tasks.get(step)
    own = meta.properties.get(SUMMARY) if meta is not None else None
    return names(own if own is not None else parsed.meta.settings.get(SUMMARY))


def _user_values(labels: Labels, fields: list[str], data: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for name in fields:
        prop = labels.fields.get(name, ("", {}, {}))[2]
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if USER in (prop.get("x-format"), items.get("x-format")):
            value = data.get(name)
            found.update(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    return found


def case_summary(session: so.Session, parsed: ParsedDefinition, case: Case, step: str, locale: str
                 ) -> list[dict[str, str]]:
    """``[{"label", "value"}]``: the case facts the step declares, those with a value, in order."""
    labels = Labels(parsed, served_forms(session, parsed.forms), locale)
    data = case.data or {}
    fields = [f for f in summary_fields(parsed, step) if labels.label(f)]
    people = display_names(session, _user_values(labels, fields, data))
    out = []
    for name in fields:
        shown = labels.shown(name, data.get(name), people)
        if shown:
            out.append({"field": name, "label": labels.label(name) or name, "value": shown})
    return out


def case_facts(session: so.Session, parsed: ParsedDefinition, case: Case, locale: str) -> list[dict[str, str]]:
    """``[{"field", "label", "value"}]``: every case field some form of the process labels, with a value, in the
    order the forms give (``caseForm`` first) — the case page's data."""
    labels = Labels(parsed, served_forms(session, parsed.forms), locale)
    data = case.data or {}
    fields = [f for f in labels.fields if f in data and f != "initiator"]
    people = display_names(session, _user_values(labels, fields, data))
    out = []
    for name in fields:
        shown = labels.shown(name, data.get(name), people)
        if shown:
            out.append({"field": name, "label": labels.label(name) or name, "value": shown})
    return out


def opinion_trail(session: so.Session, parsed: ParsedDefinition, case: Case, locale: str) -> list[dict[str, Any]]:
    """The opinions of the case's completed steps (those with an ``opinion`` property), its returns and its
    recalls, oldest first: ``[{"kind", "step", "by", "at", "items": [{"label", "value"}], "reason", "to"}]``."""
    events = session.scalars(sa.select(Event).where(Event.case_id == case.id, Event.kind.in_(TRAIL_KINDS))
                             .order_by(Event.id)).all()
    labels: dict[str, Labels] = {}
    forms = served_forms(session, parsed.forms)
    wanted: list[tuple[Event, list[str]]] = []
    for event in events:
        meta = parsed.meta.tasks.get((event.data or {}).get("task", ""))
        fields = names(meta.properties.get(OPINION)) if meta is not None else []
        if event.kind != "task_completed" or fields:
            wanted.append((event, fields))
            key = meta.form_key if meta is not None else None
            labels.setdefault(key or "", Labels(parsed, forms, locale, key))
    submitted = [(e.data or {}).get("data") or {} for e, _ in wanted]
    named = {u for d, (e, f) in zip(submitted, wanted, strict=True)
             for u in _user_values(labels[_form_of(parsed, e)], f, d)}
    people = display_names(session, {e.actor or "" for e, _ in wanted} | named)
    trail = []
    for (event, fields), data in zip(wanted, submitted, strict=True):
        info = event.data or {}
        entry: dict[str, Any] = {"kind": event.kind.removeprefix("task_"), "step": info.get("title", ""),
                                 "by": people.get(event.actor or "", event.actor or ""),
                                 "at": event.at.isoformat(), "items": []}
        if event.kind == "task_completed":
            own = labels[_form_of(parsed, event)]
            entry["items"] = [{"label": own.label(f) or f, "value": own.shown(f, data.get(f), people)}
                              for f in fields if own.label(f) and own.shown(f, data.get(f), people)]
            if not entry["items"]:
                continue
        elif event.kind == "task_returned":
            entry["reason"], entry["to"] = info.get("reason", ""), info.get("to_title", "")
        trail.append(entry)
    return trail


def _form_of(parsed: ParsedDefinition, event: Event) -> str:
    meta = parsed.meta.tasks.get((event.data or {}).get("task", ""))
    return (meta.form_key if meta is not None else None) or ""


def return_notice(session: so.Session, task: Task) -> dict[str, Any] | None:
    """Why an open task is back: the latest return to it (``{"by", "at", "reason", "from"}``), if that is how
    it opened."""
    if task.state not in ("open", "claimed"):
        return None
    events = session.scalars(sa.select(Event).where(Event.case_id == task.case_id, Event.kind == "task_returned",
                                                    Event.at >= task.created_at).order_by(Event.id.desc())).all()
    event = next((e for e in events if (e.data or {}).get("to_task") == task.id), None)
    if event is None:
        return None
    who = display_names(session, [event.actor or ""]).get(event.actor or "", event.actor or "")
    return {"by": who, "at": event.at.isoformat(), "reason": (event.data or {}).get("reason", ""),
            "from": (event.data or {}).get("title", "")}


def case_links(session: so.Session, actor: Actor, case: Case, locale: str) -> list[dict[str, str]]:
    """``[{"label", "url"}]``: the features' own pages of this case (a proposal page, a dispute case file)."""
    found: list[dict[str, Any]] = []
    emit(session, "case_links", case=case, actor=actor, links=found)
    lang = _lang(locale)
    return [{"label": str((link.get("label") or {}).get(lang) or (link.get("label") or {}).get("zh") or ""),
             "url": link["url"]} for link in found if link.get("url")]


def case_documents(session: so.Session, actor: Actor, case: Case) -> list[dict[str, Any]]:
    """``[{"title", "url", "created_at"}]``: documents and attachments of the case, newest first."""
    found: list[dict[str, Any]] = []
    emit(session, "case_documents", case=case, actor=actor, documents=found)
    return sorted(found, key=lambda d: d.get("created_at") or "", reverse=True)
