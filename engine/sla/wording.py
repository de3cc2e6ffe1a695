"""The words of the SLA notifications, stored in Chinese as they are sent (the e-mail digest and the API send
them as stored; English pages word them again from the notification's kind and heading).

A notification says what the task's state is when it is sent, in the supervision board's words: 即将到期 while
the deadline is ahead, 已逾期 once it has passed, durations as "3 天 4 小时" / "5 小时" / "不到 1 小时".
"""

from __future__ import annotations

from datetime import datetime

from engine.models import Case, Task
from engine.workdays import LOCAL

HEADINGS = {
    "due_soon": "即将到期",
    "overdue": "已逾期",
    "escalated": "督办升级",
    "escalated_again": "再次督办升级",
}
"""The first words of each SLA notification's title, by what it says (the title goes on with 「task」)."""


def span(seconds: int) -> str:
    """A duration as the supervision board words it: "3 天 4 小时", "5 小时", "不到 1 小时"."""
    days, hours = seconds // 86400, seconds % 86400 // 3600
    if days:
        return f"{days} 天 {hours} 小时"
    return f"{hours} 小时" if hours else "不到 1 小时"


def _short(seconds: int) -> str:
    """The largest unit of a duration, for a title: "14 天", "9 小时", "不到 1 小时"."""
    days = seconds // 86400
    return f"{days} 天" if days else span(seconds)


def _spaced(words: str, phrase: str) -> str:
    """``words`` then ``phrase``, with a space before a number ("剩余 3 天", "剩余不到 1 小时")."""
    return f"{words} {phrase}" if phrase[:1].isdigit() else f"{words}{phrase}"


def _about(task: Task, case: Case) -> str:
    return f"「{task.title}」：{case.business_key}" + (f"：{case.title}" if case.title else "")


def wording(rule: str, task: Task, case: Case, now: datetime) -> tuple[str, str]:
    """(title, body) of the notification rule ``rule`` sends about ``task`` at ``now``.

    Reminders follow the task's state at ``now``: before the deadline 即将到期 with the time left, after it
    已逾期 and how long ago (the title names the days, so each day's reminder differs from the overdue notice
    and from the day before). The overdue notice says when the deadline passed. Escalations are worded per
    level: 督办升级, then 再次督办升级.
    """
    due_local = task.due_at.astimezone(LOCAL)
    due = due_local.strftime("%Y-%m-%d %H:%M")
    late = int((now - task.due_at).total_seconds())
    about = _about(task, case)
    if rule.startswith("escalate"):
        heading = HEADINGS["escalated_again" if rule == "escalate:2" else "escalated"]
        return heading + about, f"已逾期 {span(late)}（期限 {due}），请督办。"
    if late < 0:
        when = f"今天 {due_local:%H:%M}" if due_local.date() == now.astimezone(LOCAL).date() else f" {due}"
        return HEADINGS["due_soon"] + about, f"将于{when} 到期（{_spaced('剩余', span(-late))}），请及时办理。"
    if rule == "overdue":
        since = "现已逾期" if late < 3600 else _spaced("现已逾期", span(late))
        return HEADINGS["overdue"] + about, f"已于 {due} 到期，{since}，请尽快办理。"
    return _spaced(HEADINGS["overdue"], _short(late)) + about, f"已逾期 {span(late)}（期限 {due}），请尽快办理。"
