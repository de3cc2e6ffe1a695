"""The SLA properties (on the process, or on a step to override it), as documented behaviours."""

from __future__ import annotations

from engine.behaviours import behaviours

for _name, _doc in [
    ("remindBeforeDays", "remind the assignee or group this many working days before the due day, at 09:00 "
                         "(default 1; a reminder also goes on the due day)"),
    ("remindEveryDays", "after the due day, remind every this many calendar days (default 1; 0: never)"),
    ("escalateAfterDays", "tell the escalateTo groups when the task is this many days overdue (default 3)"),
    ("escalateTo", "the groups told first about an overdue task (default supervisor)"),
    ("escalateAgainAfterDays", "tell the escalateAgainTo groups after this many days overdue (default 7)"),
    ("escalateAgainTo", "the groups told next (default admin)"),
    ("extensionMax", "how far the deadline may be extended in all, an ISO duration such as P1M (default: never)"),
    ("extensionCount", "how many times the deadline may be extended (default 1)"),
    ("extensionApprovers", "the groups that approve an extension (default supervisor)"),
    ("lockAfterDue", "true: the task cannot be completed after its deadline until it is extended (default false)"),
]:
    behaviours.property(_name, doc=_doc, on="process or step")
