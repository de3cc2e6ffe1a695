"""Congress set-up through the engine: proposals between sessions (when the congress allows it) and delegates
replaced (撤换) who may no longer file or co-sign."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_proposals_helpers import BODY, congress, row

from engine.access import SYSTEM
from engine.clock import clock
from engine.congress import proposals as cp
from engine.congress.congresses import get_congress, replace_delegate, update_congress
from engine.errors import Conflict, Forbidden
from engine.runtime import Runtime
from engine.scheduler import wake_due

__all__ = ["congress"]


def test_between_sessions_only_when_the_congress_allows_it(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    clock.advance(timedelta(days=12))  # the session's collection closed two days ago
    draft = cp.save_draft(rt, a["wang"], "school", BODY)
    with pytest.raises(Conflict):
        cp.publish(rt, a["wang"], draft.id)
    with rt.transaction() as session:
        update_congress(session, SYSTEM, "school", {"settings": {"between_sessions": True,
                                                                 "between_sessions_cosign_days": 7}})
    case = cp.publish(rt, a["wang"], draft.id)
    published = row(rt, draft.id)
    assert published.status == "seconding" and published.cosign_until is not None
    assert case.data["cosign_cutoff"] == published.cosign_until.isoformat()
    assert cp.cosign(rt, a["li"], draft.id) == 1  # its own co-signing window is open
    assert wake_due(rt) == 0  # the co-signing timer waits for the proposal's own window
    clock.advance(timedelta(days=8))
    assert wake_due(rt) == 1  # closed at the end of its own window
    assert row(rt, draft.id).status != "seconding"


def test_a_replaced_delegate_no_longer_files_or_cosigns(rt: Runtime, congress: dict[str, Any]) -> None:
    a = congress["actors"]
    draft = cp.save_draft(rt, a["wang"], "school", BODY)
    cp.publish(rt, a["wang"], draft.id)
    with rt.transaction() as session:
        replace_delegate(session, SYSTEM, get_congress(session, "school"), "li")
    with pytest.raises(Forbidden):
        cp.cosign(rt, a["li"], draft.id)
    with pytest.raises(Forbidden):
        cp.save_draft(rt, a["li"], "school", BODY)
    with rt.transaction() as session:
        with pytest.raises(Conflict):
            replace_delegate(session, SYSTEM, get_congress(session, "school"), "li")
