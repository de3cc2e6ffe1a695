"""Engine errors worded for people: each ``reason`` (or detail ``code``) an engine error carries has a sentence
here, filled from the error's ``params`` in the reader's language.

An error without a sentence here is shown by its kind ("Some input could not be accepted.") on Chinese pages
and by its English message on English ones, so no English sentence reaches a Chinese page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from engine.errors import DocketError

from .filters import localtime, readable

CATALOG: dict[str, Any] = {
    "case_hidden": _l("You may not see case %(case)s."),
    "case_missing": _l("This case does not exist."),
    "reassign_supervisors_only": _l("Only supervisors may reassign tasks."),
    "cosigning_open": _l("Co-signing is open until %(until)s and has %(have)s of %(need)s co-signatures."),
    "cosigning_closed": _l("Co-signing of %(case)s has closed."),
    "proposal_invalid": _l("The proposal has errors."),
    "already_published": _l("%(case)s is already published."),
    "collection_closed": _l("Proposals for %(session)s are collected from %(opens)s to %(closes)s."),
    "not_delegate": _l("Only delegates of %(congress)s may write proposals."),
    "own_proposal": _l("Proposers cannot co-sign their own proposal."),
    "not_cosigned": _l("You have not co-signed this proposal."),
    "not_withdrawable": _l("%(case)s can no longer be withdrawn."),
    "reason_required": _l("A reason is required."),
    "unknown_proposal": _l("No other proposal of this congress has that number."),
    "cannot_merge_into": _l("%(case)s cannot take merged proposals."),
    "consult_due_past": _l("The opinions must be due in the future."),
    "lead_also_co": _l("The lead department cannot also co-handle."),
    "return_period_over": _l("A wrong assignment can be returned until %(until)s; handle it or ask the committee."),
    "extension_used": _l("The one extension of this proposal has been used."),
    "extension_too_long": _l("The extension is too long: at most %(max)s days."),
    "reply_locked": _l("Replies closed on %(until)s; ask for an extension first."),
}
GENERIC: dict[str, Any] = {
    "not_found": _l("This page does not exist, or it is not visible to you."),
    "forbidden": _l("You are not allowed to do this."),
    "conflict": _l("This cannot be done now: the case has moved on or someone else changed it."),
    "invalid": _l("Some input could not be accepted."),
    "too_many_requests": _l("Too many requests. Please wait a moment and try again."),
}


class _Params(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "—"


def _value(value: Any) -> str:
    if isinstance(value, datetime):
        return localtime(value)
    return readable(value)


def reason_of(exc: DocketError) -> tuple[str, dict[str, Any]]:
    """The error's reason and its values (from the error, else from the first detail with a code)."""
    if exc.reason:
        return exc.reason, dict(exc.params)
    for detail in exc.details:
        if isinstance(detail, Mapping) and detail.get("code"):
            return str(detail["code"]), {k: v for k, v in detail.items() if k != "code"}
    return "", {}


def error_text(exc: DocketError) -> str:
    """What the person is told about ``exc``, in the page's language."""
    reason, params = reason_of(exc)
    sentence = CATALOG.get(reason)
    if sentence is not None:
        return str(sentence) % _Params({k: _value(v) for k, v in params.items()})
    if str(get_locale() or "zh_CN").startswith("en"):
        return exc.message
    return str(GENERIC.get(exc.code, GENERIC["invalid"]))
