"""The ``members`` connector: who is in some groups, as a list of usernames a process can loop over."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.behaviours import Param, behaviours
from engine.models import Group
from engine.notifications import members_of

from .checking import CheckContext, Finding
from .reading import Parameter
from .runner import ConnectorCall, ConnectorError
from .values import names


def check_members(params: dict[str, Parameter], context: CheckContext) -> list[Finding]:
    """Constant group keys must exist (when the groups are known)."""
    groups = params.get("groups")
    if groups is None or not groups.is_literal or context.known_groups is None:
        return []
    missing = [g for g in names(groups.literal) if g not in context.known_groups]
    return [Finding(groups.line, f"group(s) {', '.join(missing)} do not exist")] if missing else []


@behaviours.connector(
    "members",
    zh="列出若干用户组的在职成员（用户名），供多实例步骤逐人征询或作为通知名单。",
    doc="The usernames of the active members of groups, sorted, each once: for a multi-instance step that asks "
        "each of them (an invitation, a vote), or for a notification list kept in the case.",
    params=[
        Param("groups", "group keys: a list or comma-separated text", required=True),
        Param("exclude", "usernames to leave out (e.g. the initiator)"),
    ],
    errors="a group that does not exist",
    result="[usernames]",
    example_params={"groups": "audience", "exclude": "initiator"},
    check=check_members,
)
def members_connector(call: ConnectorCall, groups: Any = None, exclude: Any = None) -> list[str]:
    """The members of ``groups`` without ``exclude``."""
    keys = names(groups)
    found = set(call.session.scalars(sa.select(Group.key).where(Group.key.in_(keys)))) if keys else set()
    missing = [g for g in keys if g not in found]
    if missing:
        raise ConnectorError(f"no such group(s): {', '.join(missing)}")
    left_out = set(names(exclude))
    return [u for u in members_of(call.session, keys) if u not in left_out]
