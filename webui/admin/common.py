"""What every administration page shares: the admin check, engine errors shown in the page's language, the
calendar banner, and readable labels of unit kinds and history events."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import DocketError, Forbidden
from engine.office.calendar import unknown_soon
from engine.workdays import LOCAL

from ..catalog import CATALOG, error_text
from ..filters import localtime
from ..language import colon, english
from ..runtime import current_actor, rt
from . import bp

KIND_LABELS = {"department": _l("Department"), "college": _l("College"), "committee": _l("Specialist committee")}
HISTORY_KINDS = {
    "unit_created": _l("added a unit"), "unit_updated": _l("changed a unit"), "group_created": _l("added a group"),
    "user_created": _l("added a user"), "user_updated": _l("changed a user"),
    "user_deactivated": _l("deactivated a user"), "password_reset": _l("reset a password"),
    "users_imported": _l("imported users"), "congress_created": _l("created a congress"),
    "congress_updated": _l("changed a congress"), "session_created": _l("opened a session"),
    "session_updated": _l("changed a session"), "delegate_added": _l("added a delegate"),
    "delegate_replaced": _l("replaced a delegate"), "delegates_imported": _l("imported delegates"),
    "calendar_updated": _l("entered a calendar year"), "due_dates_recomputed": _l("recomputed due dates"),
    "process_retired": _l("retired a process"), "process_restored": _l("restored a process"),
}
_MESSAGES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^is empty \(required\)$"), _l("is empty (required)")),
    (re.compile(r"^is empty \(required for a new user\)$"), _l("is empty (required for a new user)")),
    (re.compile(r"^'(.+)' is not a valid username"),
     _l("“%(v)s” is not a valid username (letters, digits and . _ @ -)")),
    (re.compile(r"^'(.+)' appears twice \(first in row (\d+)\)$"), _l("“%(v)s” appears twice (first in row %(n)s)")),
    (re.compile(r"^is longer than (\d+) characters$"), _l("is longer than %(v)s characters")),
    (re.compile(r"^'(.+)' is not an e-mail address$"), _l("“%(v)s” is not an e-mail address")),
    (re.compile(r"^unknown group '(.+)'$"), _l("unknown group “%(v)s”")),
    (re.compile(r"^unknown unit '(.+)'$"), _l("unknown unit “%(v)s”")),
    (re.compile(r"^is shorter than (\d+) characters$"), _l("is shorter than %(v)s characters")),
    (re.compile(r"^unknown column '(.+?)'"), _l("unknown column “%(v)s” (use 用户名, 姓名, 邮箱, 用户组, 单位, 密码)")),
    (re.compile(r"^column '(.+)' appears twice$"), _l("column “%(v)s” appears twice")),
    (re.compile(r"^the header has no username"), _l("the first row has no 用户名 (username) column")),
    (re.compile(r"^the file is not UTF-8"), _l("the file is not UTF-8 text: in Excel use “Save as” → “CSV UTF-8”, "
                                                "or upload the .xlsx file itself")),
    (re.compile(r"^the file is not a readable Excel"), _l("the file is not a readable Excel workbook (.xlsx)")),
    (re.compile(r"^'(.+)' is neither an Excel"), _l("“%(v)s” is neither an Excel workbook (.xlsx) nor a CSV file")),
    (re.compile(r"^the file is empty"), _l("the file is empty: the first row must name the columns")),
    (re.compile(r"^at most (\d+) rows"), _l("at most %(v)s rows may be imported at once")),
    (re.compile(r"^a value outside the named columns: '?(.*?)'?$"), _l("a value outside the named columns: %(v)s")),
    (re.compile(r"^(\S+) is not in (\d+)$"), _l("%(v)s is not in %(n)s")),
    (re.compile(r"^(\S+) is both a holiday and a working day$"), _l("%(v)s is both a holiday and a working day")),
    (re.compile(r"^(\S+) is a weekday"), _l("%(v)s is a weekday: list only Saturdays and Sundays that are "
                                            "working days")),
    (re.compile(r"^'(.+)' is not a date"), _l("“%(v)s” is not a date (YYYY-MM-DD)")),
    (re.compile(r"^already used$"), _l("is already used")),
    (re.compile(r"^is required"), _l("is required, or not in the right form")),
    (re.compile(r"^must be a whole number of at least (\d+)$"), _l("must be a whole number of at least %(v)s")),
    (re.compile(r"^must be a whole number$"), _l("must be a whole number")),
    (re.compile(r"^must be days, weeks or months$"), _l("must be counted in days, weeks or months")),
    (re.compile(r"^must be "), _l("is not in the right form")),
    (re.compile(r"^unknown user$"), _l("unknown user")),
    (re.compile(r"^unknown (?:group|unit): (.+)$"), _l("unknown: %(v)s")),
    (re.compile(r"^the last active administrator must stay$"), _l("the last active administrator must stay")),
]
SETTING_LABELS = {
    "min_cosigners": _l("Co-signers needed besides the proposer"),
    "return_workdays": _l("Working days to return a wrong assignment"),
    "co_opinion_due": _l("Co-departments' opinions due after assignment"),
    "reply_due": _l("Reply due after assignment"),
    "rehandle_due": _l("Reply of a re-handling due after the re-handling starts (empty: as the reply)"),
    "extension_max_days": _l("Longest extension of a reply (days)"),
    "reply_lock": _l("Refuse replies after the deadline unless extended"),
    "rating_workdays": _l("Working days for the proposer's rating"),
    "max_rehandle": _l("Times an unsatisfied proposal is handled again"),
    "archive": _l("Who reads the archive"),
    "between_sessions": _l("Proposals may be filed between sessions"),
    "between_sessions_cosign_days": _l("Co-signing days of a proposal filed between sessions"),
    "categories": _l("Proposal categories"),
    "rates": _l("Rates in the statistics"),
}
ARCHIVE_LABELS = {"public": _l("Everyone, signed in or not"), "staff": _l("All staff"),
                  "members": _l("Delegates of this congress")}  # the choices of the ``archive`` setting
DURATION_UNITS = {"D": _l("days"), "W": _l("weeks"), "M": _l("months")}  # a period's unit, as the ISO letter
FIELD_LABELS = {"key": _l("Key"), "name": _l("Name"), "kind": _l("Kind"), "group": _l("Group"),
                "scope": _l("Scope"), "username": _l("Username"), "password": _l("Password"),
                "display_name": _l("Name"), "email": _l("E-mail"), "unit": _l("Unit"), "groups": _l("Groups"),
                "holidays": _l("Holidays"), "workdays": _l("Working weekend days"), "opens_at": _l("Opens"),
                "closes_at": _l("Closes"), "active": _l("Active"), "file": _l("File"), "year": _l("Year")}


def message(text: str) -> str:
    """An engine message in the page's language (unknown ones unchanged)."""
    for pattern, msgid in _MESSAGES:
        match = pattern.match(text)
        if match:
            groups = match.groups()
            return str(msgid) % {"v": groups[0] if groups else "", "n": groups[1] if len(groups) > 1 else ""}
    return text


def field_label(field: str) -> str:
    head = field.split(".")[0]
    if head == "settings" and "." in field:
        return str(SETTING_LABELS.get(field.split(".", 1)[1], field))
    return str(FIELD_LABELS.get(head, field))


def admin_actor() -> Actor:
    """:raises Forbidden: unless the signed-in user is an administrator."""
    actor = current_actor()
    if not actor.is_admin:
        raise Forbidden(_("Only administrators may open the administration pages."))
    return actor


def attempt(action: Callable[[], Any], success: str) -> bool:
    """Run an engine command; on an engine error flash what went wrong, field by field, in the page's language."""
    try:
        action()
    except DocketError as exc:
        if exc.code == "forbidden":
            raise
        details = [f"{field_label(d['field'])}{colon()}{message(d['message'])}" for d in exc.details if d.get("field")]
        if not details and exc.reason in CATALOG:
            details = [error_text(exc)]
        if exc.code == "conflict" and not details:
            details = [_("It was changed or exists already; reload the page and check.")]
        between = "; " if english() else "；"
        flash(_("Not saved: %(problems)s", problems=between.join(details) or _("the input is invalid")), "error")
        return False
    flash(success, "success")
    return True


@bp.app_template_global()
def calendar_unknown_years() -> list[int]:
    """This year and next year, those whose working days nobody entered (for the banner)."""
    if not current_user.is_authenticated or not current_user.actor.is_supervisor:
        return []
    with rt().reading() as session:
        return unknown_soon(session, utcnow())


@bp.app_template_global()
def admin_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def history_kind_label(kind: str) -> str:
    return str(HISTORY_KINDS.get(kind, kind))



@bp.app_template_global()
def session_bound(value: str | None, end: bool = False) -> str:
    """When a congress session starts (or stops) collecting proposals: the date alone when that is the start (the
    end) of a day, as the session form sets it; else the date and the time."""
    if not value:
        return ""
    when = datetime.fromisoformat(value).astimezone(LOCAL)
    if when.time().replace(microsecond=0) == (time(23, 59, 59) if end else time(0)):
        return when.date().isoformat()
    return localtime(value)
