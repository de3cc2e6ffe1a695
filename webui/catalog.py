"""Engine errors worded for people: each ``reason`` (or detail ``code``) an engine error carries has a sentence
here, filled from the error's ``params`` in the reader's language.

An error without a sentence here is shown by its kind ("Some input could not be accepted.") on Chinese pages
and by its English message on English ones, so no English sentence reaches a Chinese page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from engine.errors import DocketError

from .filters import localtime, readable
from .language import english, list_separator

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
    "form_invalid": _l("The form has errors."),
    "no_application_step": _l("%(case)s has no application step open."),
    "appeal_late": _l("Sanction and appraisal matters go to the appeal track, whose time limit has passed: learned of "
              "on %(known)s, due by %(deadline)s, today is %(today)s."),
    "not_routable": _l("%(case)s is not a sanction or appraisal dispute to route to the appeal track."),
    "already_routed": _l("%(case)s has already been routed to the appeal track."),
    "route_forbidden": _l("Only the applicant or the mediation committee may route this case."),
    "handler_required": _l("Name the handler."),
    "case_not_running": _l("%(case)s is no longer running."),
    "party_not_handler": _l("%(person)s is a party to the case, not a handler."),
    "recusal_forbidden": _l("Only a party or the committee may ask for a recusal."),
    "recusal_pending": _l("A recusal of %(person)s is already pending or granted in this case."),
    "recusal_missing": _l("This recusal does not exist."),
    "recusal_head_only": _l("Only the committee head decides on a recusal."),
    "recusal_own": _l("The person to be recused cannot decide on it."),
    "recusal_decided": _l("This recusal has already been decided."),
    "not_committee_member": _l("%(person)s is not a committee member."),
    "party_unknown": _l("The party must be the applicant or the respondent."),
    "days_positive": _l("The number of days must be a positive whole number."),
    "not_running_mediation": _l("%(case)s is not a running mediation."),
    "days_too_many": _l("At most %(max)s days."),
    "consent_forbidden": _l("Applicants record their own consent; the committee records the respondent's."),
    "consent_note_required": _l("Say how the party's consent was given."),
    "recused": _l("You are recused from %(case)s and cannot handle this task."),
    "case_confidential": _l("%(case)s is confidential: only its parties and handlers may see it."),
    "task_missing": _l("This task does not exist."),
    "task_closed": _l("The task %(task)s is no longer open."),
    "pause_forbidden": _l("You may not pause the task %(task)s."),
    "resume_forbidden": _l("You may not resume the task %(task)s."),
    "clock_paused": _l("The clock of %(task)s is already paused."),
    "clock_not_paused": _l("The clock of %(task)s is not paused."),
    "no_due_date": _l("The task %(task)s has no deadline."),
    "duration_invalid": _l("%(value)s is not a duration."),
    "extension_approvers": _l("You may not approve extensions of %(task)s."),
    "extend_paused": _l("The clock of %(task)s is paused: resume it before extending."),
    "no_extension": _l("The rules of %(task)s allow no extension."),
    "extensions_used": _l("%(task)s may be extended %(count)s time(s) only, and it already was."),
    "extension_cap": _l("The extension is too long: at most %(max)s in all, until %(latest)s."),
    "deadline_locked": _l("The deadline of %(task)s passed on %(until)s and it is locked: ask a supervisor for an "
              "extension."),
    "date_invalid": _l("Enter a date such as 2026-10-08."),
    "absence_own": _l("You may only set your own out-of-office deputy."),
    "absence_order": _l("The last day is before the first day."),
    "absence_over": _l("The absence is already over."),
    "deputy_required": _l("A deputy is required."),
    "deputy_self": _l("You cannot be your own deputy."),
    "user_unknown": _l("%(person)s is not a known user."),
    "deputy_cycle": _l("%(person)s is away then too, and their deputies lead back to you."),
    "recall_not_completed": _l("Only a completed step can be recalled; %(task)s is not completed."),
    "recall_not_yours": _l("Only the person who completed %(task)s may recall it."),
    "recall_case_closed": _l("%(case)s has ended: its steps can no longer be recalled."),
    "recall_off_path": _l("%(task)s is no longer on the case's path and cannot be recalled."),
    "recall_next_started": _l("The next step has been started: %(task)s can no longer be recalled."),
    "reason_too_long": _l("The reason has at most %(max)s characters."),
    "task_not_ready": _l("The task %(task)s is not ready."),
    "return_target": _l("%(task)s cannot be returned to that step."),
    "message_too_long": _l("The message has at most %(max)s characters."),
    "urge_forbidden": _l("Only supervisors and the case's starter may urge its tasks."),
    "urged_today": _l("You urged %(task)s at %(at)s; once a day is enough."),
    "cc_required": _l("Name at least one person to copy in."),
    "cc_too_many": _l("At most %(max)s people at a time."),
    "cc_forbidden": _l("You may not copy people in on %(task)s."),
    "users_unknown": _l("Unknown users: %(people)s."),
    "congress_admin_only": _l("Only administrators and the proposal committee may set up congresses."),
    "congress_invalid": _l("The congress has errors."),
    "congress_exists": _l("A congress with the key %(key)s already exists."),
    "scope_unknown": _l("%(scope)s is neither the school nor an active college."),
    "settings_invalid": _l("The settings have errors."),
    "datetime_invalid": _l("Enter a date and time."),
    "session_name_required": _l("The session needs a name."),
    "session_exists": _l("%(congress)s already has session %(term)s-%(number)s."),
    "unit_unknown": _l("%(unit)s is not a known unit."),
    "not_delegate_of": _l("%(person)s is not a delegate of %(congress)s."),
    "delegate_replaced": _l("%(person)s was already replaced."),
    "congress_missing": _l("This congress does not exist."),
    "user_missing": _l("The user %(person)s does not exist."),
    "groups_unknown": _l("Unknown groups: %(groups)s."),
    "email_invalid": _l("The e-mail address is invalid."),
    "password_short": _l("The password is too short: at least %(min)s characters."),
    "last_admin": _l("This is the last active administrator: make someone else an administrator first."),
    "unit_missing": _l("The unit %(unit)s does not exist."),
    "unit_invalid": _l("The unit has errors."),
    "unit_exists": _l("The unit %(unit)s already exists."),
    "admin_only": _l("Only administrators may do this."),
    "year_range": _l("The year must be between %(first)s and %(last)s."),
    "calendar_invalid": _l("The calendar of %(year)s has %(count)s error(s)."),
    "import_problems": _l("%(count)s problem(s) in %(file)s; nothing was imported."),
    "board_forbidden": _l("Only supervisors and administrators may see the supervision board."),
    "days_range": _l("The number of days must be between %(min)s and %(max)s."),
    "draft_invalid": _l("The draft could not be read."),
    "draft_too_large": _l("The draft is too large."),
    "task_claimed": _l("The task %(task)s is being handled by %(person)s."),
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


PEOPLE = {"person", "people"}
"""Params naming users by their username: worded by display name."""
GROUPS = {"groups"}
"""Params naming groups by key: worded by group name."""


def _value(name: str, value: Any) -> str:
    if name in PEOPLE or name in GROUPS:
        from .names import group_label, person

        word = person if name in PEOPLE else group_label
        return list_separator().join(word(v) for v in value) if isinstance(value, list) else word(value)
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
        return str(sentence) % _Params({k: _value(k, v) for k, v in params.items()})
    if english():
        return exc.message
    return str(GENERIC.get(exc.code, GENERIC["invalid"]))
