"""Proposal notifications at each hand-off (in-app; the e-mail digest is built from the same rows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy.orm as so

from engine.models import Case
from engine.notifications import notify

from .models import Proposal

TITLES = {
    "cosign": "邀请附议：{title}",
    "registered": "提案已立案：{title}",
    "converted": "提案转为意见建议：{title}",
    "rejected": "提案不予立案：{title}",
    "merged": "提案已并案：{title}",
    "withdrawn": "提案已撤回：{title}",
    "merged_in": "其他提案并入：{title}",
    "rehandle": "提案人不满意，请重新办理：{title}",
    "closed": "提案已办结：{title}",
}


def tell(session: so.Session, usernames: Iterable[str], kind: str, row: Proposal, what: str, now: datetime,
         other: Proposal | None = None) -> int:
    """One notification per user about ``row``; ``what`` picks the title, the row's note is the body."""
    title = TITLES[what].format(title=row.title)
    body = row.outcome_note if what in ("registered", "converted", "rejected", "merged") else None
    if other is not None:
        body = f"{other.business_key} {other.title}"
    case = session.get(Case, row.case_id) if row.case_id else None
    return notify(session, usernames, kind, f"{row.business_key or ''} {title}".strip(), body, case=case,
                  link=f"/proposals/{row.id}", now=now)
