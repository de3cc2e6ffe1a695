"""Who a task may be handed to: the delegate / reassign picker offers only users allowed to do it."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.models import Group, Task, User, membership
from engine.queries import visible_task


def allowed_users(session: so.Session, task: Task) -> list[dict[str, str]]:
    """Active users among the task's candidate users and members of its candidate groups, by username."""
    groups = list(task.candidate_groups or [])
    users = list(task.candidate_users or [])
    in_group = (sa.select(membership.c.user_id).join(Group, Group.id == membership.c.group_id)
                .where(Group.key.in_(groups)))
    stmt = (sa.select(User.username, User.display_name)
            .where(User.active.is_(True), sa.or_(User.username.in_(users), User.id.in_(in_group)))
            .order_by(User.username))
    return [{"username": u, "display_name": d} for u, d in session.execute(stmt)]


def delegation_choices(session: so.Session, actor: Actor, task_id: str) -> list[dict[str, str]]:
    """The picker for ``actor`` on this task: allowed users except the current assignee."""
    task = visible_task(session, actor, task_id)
    return [u for u in allowed_users(session, task) if u["username"] != task.assignee]
