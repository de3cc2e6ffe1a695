"""SLA rules of a task: the process's reminder/escalation settings (task properties override them) and the
reminder plan they give for a due date.

Process-level properties (``spiffworkflow:properties`` / ``camunda:properties`` on the process), with defaults:
``remindBeforeDays`` 1 (working days before the due day, at 09:00), a reminder at 09:00 on the due day,
``remindEveryDays`` 1 (calendar days after the due day, at 09:00; 0 = none), ``escalateAfterDays`` 3 to
``escalateTo`` (groups, default ``supervisor``), ``escalateAgainAfterDays`` 7 to ``escalateAgainTo`` (default
``admin``), ``lockAfterDue`` false, ``extensionMax`` (ISO duration; none = no extension), ``extensionCount`` 1,
``extensionApprovers`` (groups, default ``supervisor``).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy.orm as so

from engine.definitions.meta import ProcessMeta, read_process
from engine.definitions.parse import main_process
from engine.definitions.xml import parse_xml
from engine.models import ProcessDefinition
from engine.workdays import LOCAL, subtract_workdays

REMIND_HOUR = time(9, 0)
REMINDER_RULES = ("before", "due", "after")
_cache: weakref.WeakKeyDictionary[Any, dict[int, ProcessMeta]] = weakref.WeakKeyDictionary()  # per database
_lock = threading.Lock()


@dataclass(frozen=True)
class Rules:
    """The SLA rules that apply to one task."""

    remind_before_days: int = 1
    remind_every_days: int = 1
    escalate_after_days: int = 3
    escalate_to: tuple[str, ...] = ("supervisor",)
    escalate_again_after_days: int = 7
    escalate_again_to: tuple[str, ...] = ("admin",)
    lock_after_due: bool = False
    extension_max: str | None = None
    extension_count: int = 1
    extension_approvers: tuple[str, ...] = ("supervisor",)
    calendar: str = "calendar"


def process_meta(session: so.Session, definition_id: int) -> ProcessMeta:
    """Docket's reading of a deployed version (cached per database and version: versions never change)."""
    bind = session.get_bind()
    with _lock:
        found = _cache.get(bind, {}).get(definition_id)
    if found is not None:
        return found
    row = session.get(ProcessDefinition, definition_id)
    meta = read_process(main_process(parse_xml(row.bpmn_xml.encode("utf-8"))))
    with _lock:
        _cache.setdefault(bind, {})[definition_id] = meta
    return meta


def _days(value: str | None, default: int) -> int:
    try:
        return max(int(str(value).strip()), 0) if value not in (None, "") else default
    except ValueError:
        return default


def _groups(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(g.strip() for g in value.split(",") if g.strip())


def rules_for(session: so.Session, definition_id: int, task_name: str) -> Rules:
    """The rules of task ``task_name`` in a deployed version: process settings, overridden by task properties."""
    meta = process_meta(session, definition_id)
    task = meta.tasks.get(task_name)
    props = {**meta.settings, **(task.properties if task else {})}
    return Rules(
        remind_before_days=_days(props.get("remindBeforeDays"), 1),
        remind_every_days=_days(props.get("remindEveryDays"), 1),
        escalate_after_days=_days(props.get("escalateAfterDays"), 3),
        escalate_to=_groups(props.get("escalateTo"), ("supervisor",)),
        escalate_again_after_days=_days(props.get("escalateAgainAfterDays"), 7),
        escalate_again_to=_groups(props.get("escalateAgainTo"), ("admin",)),
        lock_after_due=str(props.get("lockAfterDue", "")).strip().lower() == "true",
        extension_max=(props.get("extensionMax") or "").strip() or None,
        extension_count=_days(props.get("extensionCount"), 1),
        extension_approvers=_groups(props.get("extensionApprovers"), ("supervisor",)),
        calendar=task.calendar if task else "calendar",
    )


def _morning(day: date) -> datetime:
    return datetime.combine(day, REMIND_HOUR, LOCAL)


def plan(due_at: datetime, created_at: datetime, rules: Rules, until: datetime) -> list[tuple[str, datetime]]:
    """Every rule time for ``due_at`` up to the first one after ``until``, in order.

    Rules: ``before``, ``due``, ``overdue`` (at the due time), ``after:k`` (every N days after the due day),
    ``escalate:1``, ``escalate:2``. Reminders that would fall before the task existed are left out.
    """
    due_day = due_at.astimezone(LOCAL).date()
    items: list[tuple[str, datetime]] = []
    if rules.remind_before_days:
        items.append(("before", _morning(subtract_workdays(due_day, rules.remind_before_days))))
    items.append(("due", min(_morning(due_day), due_at)))
    items = [(rule, at) for rule, at in items if at >= created_at and at < due_at]
    items.append(("overdue", due_at))
    if rules.escalate_after_days and rules.escalate_to:
        items.append(("escalate:1", due_at + timedelta(days=rules.escalate_after_days)))
    if rules.escalate_again_after_days and rules.escalate_again_to:
        items.append(("escalate:2", due_at + timedelta(days=rules.escalate_again_after_days)))
    if rules.remind_every_days:
        k = 1
        while True:
            at = _morning(due_day + timedelta(days=k * rules.remind_every_days))
            if at >= created_at:
                items.append((f"after:{k}", at))
            if at > until:
                break
            k += 1
    return sorted(items, key=lambda item: item[1])


def is_reminder(rule: str) -> bool:
    return rule.split(":")[0] in REMINDER_RULES


def next_action(items: list[tuple[str, datetime]], done: set[str], now: datetime) -> datetime | None:
    """When the scheduler should next look at the task: the earliest rule not yet done (a time already past,
    e.g. the due date of a task whose clock started from an old date, means the next round)."""
    pending = [at for rule, at in items if rule not in done]
    return min(pending) if pending else None
