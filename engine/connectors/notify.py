"""The ``notify`` connector: an in-app notification (the bell, and the daily e-mail digest) to users and groups."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.access import ADMIN, SUPERVISOR
from engine.behaviours import Param, behaviours
from engine.models import Group, Task, TaskCandidate, User
from engine.notifications import members_of, notify

from .checking import CheckContext, Finding, text_fields_finding
from .reading import Parameter
from .runner import ConnectorCall, ConnectorError
from .values import names

KIND = "process_notice"


def check_notify(params: dict[str, Parameter], context: CheckContext) -> list[Finding]:
    """Constant group keys must exist (when the groups are known); message fields should be set somewhere."""
    found: list[Finding] = []
    if "users" not in params and "groups" not in params:
        found.append(Finding(0, "connector 'notify' needs users or groups to notify"))
    groups = params.get("groups")
    if groups is not None and groups.is_literal and context.known_groups is not None:
        missing = [g for g in names(groups.literal) if g not in context.known_groups]
        if missing:
            found.append(Finding(groups.line, f"group(s) {', '.join(missing)} do not exist"))
    return found + text_fields_finding(params.get("message"), context) + text_fields_finding(params.get("title"),
                                                                                           context)


@behaviours.connector(
    "notify",
    zh="站内通知（铃铛，并进入每日邮件摘要）指定用户和用户组成员；消息中的 {字段} 用案件数据填写。",
    doc="Notify users and the members of groups in the app (the bell; the daily e-mail digest includes it). "
        "The notification links to the case for those who may read it; the others get the message alone.",
    params=[
        Param("users", "usernames: a list or comma-separated text (e.g. the case's initiator)"),
        Param("groups", "group keys: a list or comma-separated text; every active member is notified"),
        Param("message", "the text; {field} placeholders are filled from case data (labels, dates as people "
                         "read them)", required=True),
        Param("title", "a short headline shown in bold; the message is then the body (default: the message)"),
    ],
    errors="neither users nor groups written; a user or group that does not exist (an empty list notifies "
           "nobody)",
    result='{"notified": [usernames]}',
    example_params={"users": "initiator", "groups": "'supervisor'",
                    "message": "'您的申请 {business_key} 已受理'"},
    check=check_notify,
)
def notify_connector(call: ConnectorCall, users: Any = None, groups: Any = None, message: str = "",
                     title: str | None = None) -> dict[str, Any]:
    """Notify ``users`` and the members of ``groups``; returns who was notified."""
    people, keys = names(users), names(groups)
    if not people and not keys:
        return {"notified": []}  # e.g. nobody was moved up from the waiting list
    known = set(call.session.scalars(sa.select(User.username).where(User.username.in_(people)))) if people else set()
    unknown = [u for u in people if u not in known]
    if unknown:
        raise ConnectorError(f"no such user(s): {', '.join(unknown)}")
    groups_found = set(call.session.scalars(sa.select(Group.key).where(Group.key.in_(keys)))) if keys else set()
    missing = [g for g in keys if g not in groups_found]
    if missing:
        raise ConnectorError(f"no such group(s): {', '.join(missing)}")
    recipients = sorted(set(people) | set(members_of(call.session, keys)))
    text = call.fill(str(message))
    headline = call.fill(str(title)) if title else text
    body = text if title else None
    readers = readers_among(call, recipients)
    heading = f"{call.case.business_key} · {headline}"
    notify(call.session, [r for r in recipients if r in readers], KIND, heading, body, case=call.case,
           now=call.scope.now, addressed=True)
    notify(call.session, [r for r in recipients if r not in readers], KIND, heading, body, case=call.case,
           link="", now=call.scope.now, addressed=True)  # they may not open the case: the message says it all
    return {"notified": recipients}


def readers_among(call: ConnectorCall, usernames: list[str]) -> set[str]:
    """Those of ``usernames`` who may read the case now (its starter, its handlers and candidates so far,
    supervisors and administrators): their notification links to it."""
    if not usernames:
        return set()
    case, session = call.case, call.session
    readers = {case.started_by} if case.started_by else set()
    readers |= set(members_of(session, [ADMIN, SUPERVISOR]))
    rows = session.execute(sa.select(Task.assignee, Task.completed_by).where(Task.case_id == case.id))
    readers |= {name for row in rows for name in row if name}
    candidates = session.execute(sa.select(TaskCandidate.kind, TaskCandidate.principal)
                                 .join(Task, Task.id == TaskCandidate.task_id).where(Task.case_id == case.id)).all()
    readers |= {p for kind, p in candidates if kind == "user"}
    readers |= set(members_of(session, {p for kind, p in candidates if kind == "group"}))
    return readers & set(usernames)
