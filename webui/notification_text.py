"""Notifications as the reader reads them.

The engine stores each notification worded in the instance's language (Chinese) so that the e-mail digest
and the API can send it as is. English pages word the kinds they know from the notification's kind, task and
case instead; the text people typed (a copy note, a return reason, an urging note) is kept as written, and the
texts a process designer wrote (``notify`` connector) are shown as written.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from engine.congress.notify import TITLES as PROPOSAL_TITLES
from engine.sla.wording import HEADINGS as SLA_HEADINGS

from .filters import localtime
from .language import english

TASK_KINDS: dict[str, Any] = {
    "task_created": _l("Waiting for you: “%(task)s”"),
    "sla_reminder": _l("Reminder: “%(task)s” is due at %(due)s"),
    "sla_overdue": _l("Overdue: “%(task)s” was due at %(due)s"),
    "sla_escalation": _l("Escalated: “%(task)s” is overdue (due %(due)s); please follow it up"),
    "task_urged": _l("Please handle “%(task)s” soon"),
    "task_returned": _l("“%(task)s” came back to you"),
    "task_recalled": _l("“%(task)s” was recalled"),
    "case_copied": _l("You were copied in on this case"),
    "mention": _l("You were mentioned in a comment"),
}
SLA_TITLES: dict[str, Any] = {  # what an SLA notice says, by its title's heading (engine/sla/wording.py)
    "due_soon": _l("Due soon: “%(task)s” is due at %(due)s"),
    "overdue": _l("Overdue: “%(task)s” was due at %(due)s"),
    "still_overdue": _l("Still overdue: “%(task)s” was due at %(due)s"),
    "escalated": _l("Escalated: “%(task)s” is overdue (due %(due)s); please follow it up"),
    "escalated_again": _l("Escalated again: “%(task)s” is still overdue (due %(due)s); please follow it up"),
}
PROPOSAL_WHAT: dict[str, Any] = {
    "cosign": _l("You are invited to co-sign this proposal"),
    "registered": _l("The proposal was registered"),
    "converted": _l("The proposal was turned into an opinion"),
    "rejected": _l("The proposal was not registered"),
    "merged": _l("The proposal was merged into another"),
    "withdrawn": _l("The proposal was withdrawn"),
    "merged_in": _l("Another proposal was merged into this one"),
    "rehandle": _l("The proposer is not satisfied: please handle it again"),
    "closed": _l("The proposal is closed"),
}
DISPUTE_TITLES: dict[str, Any] = {  # the ends of the dispute notices' titles (engine/disputes/notices.py)
    "回避申请已决定": _l("The recusal request was decided"),
    "回避申请待决定": _l("A recusal request awaits your decision"),
    "属于申诉事项": _l("This is a matter for review and appeal"),
    "已达成调解协议": _l("A mediation agreement was reached"),
    "请补正材料": _l("Please supply the missing materials"),
    "调解协议未履行": _l("The mediation agreement was not carried out"),
    "调解程序结束": _l("The mediation has ended"),
    "调解通知": _l("Mediation notice"),
    "已作出": _l("A decision document was issued"),
}
_PROPOSAL_PREFIXES = [(what, text.split("{title}")[0]) for what, text in PROPOSAL_TITLES.items()]
_TYPED = re.compile(r"[:：]\s*(.+)$", re.S)  # what a person typed after the generated words


def _sla_said(n: Any) -> str | None:
    """Which :data:`SLA_TITLES` entry an SLA notice's stored title says (None: not an SLA notice, or one stored
    before the headings said the task's state)."""
    title = n.title or ""
    if n.kind == "sla_escalation":
        return "escalated_again" if title.startswith(SLA_HEADINGS["escalated_again"]) else "escalated"
    if n.kind in ("sla_reminder", "sla_overdue") and title.startswith(SLA_HEADINGS["overdue"]):
        return "overdue" if n.kind == "sla_overdue" else "still_overdue"
    if n.kind == "sla_reminder" and title.startswith(SLA_HEADINGS["due_soon"]):
        return "due_soon"
    return None


def shown(n: Any, tasks: dict[str, tuple[str, Any]]) -> tuple[str, str | None]:
    """(title, body) of notification ``n`` in the page's language; ``tasks`` maps task ids to (title, due)."""
    if not english():
        return n.title, n.body

    if n.kind in TASK_KINDS:
        task, due = tasks.get(n.task_id or "", ("", None))
        if not task:
            match = re.search(r"「(.+?)」", n.title or "")
            task = match.group(1) if match else ""
        words = SLA_TITLES.get(_sla_said(n) or "", TASK_KINDS[n.kind])
        title = str(words) % {"task": task, "due": localtime(due) or "—"}
        body = None
        if n.kind in ("case_copied", "task_urged", "task_returned", "mention") and n.body:
            typed = _TYPED.search(n.body) if n.kind in ("task_returned", "task_urged") else None
            body = typed.group(1) if typed else (n.body if n.kind in ("case_copied", "mention") else None)
            if n.kind == "case_copied" and n.body.startswith("抄送自「"):
                body = None
        return title, body
    if n.kind.startswith("proposal_"):
        title_text = n.title or ""
        for what, prefix in _PROPOSAL_PREFIXES:
            if prefix and prefix in title_text:
                return str(PROPOSAL_WHAT[what]), n.body
    if n.kind == "dispute":
        for ending, sentence in DISPUTE_TITLES.items():
            if (n.title or "").endswith(ending):
                return str(sentence), None
    return n.title, n.body
