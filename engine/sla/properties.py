"""The SLA properties (on the process, or on a step to override it), as documented behaviours."""

from __future__ import annotations

from engine.behaviours import Registry

PROPERTIES = [
    ("remindBeforeDays", "到期前几个工作日提醒", "remind the assignee or group this many working days before the due "
                                            "day, at 09:00 (default 1; a reminder also goes on the due day)"),
    ("remindEveryDays", "逾期后每隔几天提醒", "after the due day, remind every this many calendar days (default 1; "
                                          "0: never)"),
    ("escalateAfterDays", "逾期几天后上报", "tell the escalateTo groups when the task is this many days overdue "
                                        "(default 3)"),
    ("escalateTo", "第一次上报给哪些用户组", "the groups told first about an overdue task (default supervisor)"),
    ("escalateAgainAfterDays", "逾期几天后再次上报", "tell the escalateAgainTo groups after this many days overdue "
                                              "(default 7)"),
    ("escalateAgainTo", "再次上报给哪些用户组", "the groups told next (default admin)"),
    ("extensionMax", "最多可延期多久", "how far the deadline may be extended in all, an ISO duration such as P1M "
                                    "(default: never)"),
    ("extensionCount", "最多延期几次", "how many times the deadline may be extended (default 1)"),
    ("extensionApprovers", "审批延期的用户组", "the groups that approve an extension (default supervisor)"),
    ("lockAfterDue", "逾期后锁定", "true: the task cannot be completed after its deadline until it is extended "
                                "(default false)"),
]


def register_properties(behaviours: Registry) -> None:
    """Document the SLA properties in the registry."""
    for name, zh, doc in PROPERTIES:
        behaviours.property(name, doc=doc, on="process or step", zh=zh)
