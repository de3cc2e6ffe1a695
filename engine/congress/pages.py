"""The proposal page of a case, offered beside every task of it (the ``case_links`` hook of engine.summary)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import Case

from .models import Proposal


def proposal_link(session: so.Session, case: Case, links: list[dict[str, Any]], **_: Any) -> None:
    """A case that is a published proposal links to its proposal page."""
    found = session.scalar(sa.select(Proposal.id).where(Proposal.case_id == case.id))
    if found is not None:
        links.append({"url": f"/proposals/{found}", "label": {"zh": "提案页面", "en": "Proposal page"}})
