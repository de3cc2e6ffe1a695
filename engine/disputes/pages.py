"""The case file of a mediation or appeal, offered beside every task of the case (the ``case_links`` hook of
engine.summary; its documents are listed there by the document service)."""

from __future__ import annotations

from typing import Any

import sqlalchemy.orm as so

from engine.access import Actor
from engine.models import Case

from .access import kind_of, may_read


def case_file_link(session: so.Session, case: Case, actor: Actor, links: list[dict[str, Any]], **_: Any) -> None:
    """A mediation or appeal case links to its case file (deadlines, documents, recusal, consent)."""
    if kind_of(case) is not None and may_read(session, actor, case):
        links.append({"url": f"/disputes/cases/{case.id}", "label": {"zh": "案卷", "en": "Case file"}})
