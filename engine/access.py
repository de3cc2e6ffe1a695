"""Who may see and do what: every engine read and write goes through these checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .errors import Forbidden
from .models import Case, CaseReader, Task, TaskCandidate
from .sqlfuncs import list_has_any

ADMIN, DESIGNER, SUPERVISOR = "admin", "designer", "supervisor"


@dataclass(frozen=True)
class Actor:
    """The user a command runs for, with the keys of their groups."""

    username: str
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.groups

    @property
    def is_supervisor(self) -> bool:
        return self.is_admin or SUPERVISOR in self.groups

    @property
    def is_designer(self) -> bool:
        return self.is_admin or DESIGNER in self.groups


SYSTEM = Actor("system", frozenset({ADMIN}))


def may_act_on(actor: Actor, task: Task) -> bool:
    """May ``actor`` claim or complete ``task``? Candidates, the assignee, and admins may."""
    if actor.is_admin or task.assignee == actor.username:
        return True
    if task.assignee is not None:
        return False
    return actor.username in (task.candidate_users or []) or bool(actor.groups & set(task.candidate_groups or []))


def is_candidate(actor: Actor, task: Task) -> bool:
    """Is ``actor`` among the task's candidates (by group or by name), whoever holds it now?"""
    return actor.username in (task.candidate_users or []) or bool(actor.groups & set(task.candidate_groups or []))


def require_task_action(actor: Actor, task: Task) -> None:
    if not (may_act_on(actor, task) or (actor.is_supervisor and task.state in ("open", "claimed"))):
        raise Forbidden(f"you may not act on task {task.id} ({task.title})")


def involved_clause(actor: Actor) -> sa.ColumnElement[bool]:
    """SQL: the cases ``actor`` may read (started, copied in on, or a candidate/assignee/completer of a task)."""
    if actor.is_supervisor:
        return sa.true()
    principals = sa.or_(
        sa.and_(TaskCandidate.kind == "group", TaskCandidate.principal.in_(sorted(actor.groups))),
        sa.and_(TaskCandidate.kind == "user", TaskCandidate.principal == actor.username),
    )
    by_candidate = (
        sa.select(Task.case_id)
        .join(TaskCandidate, TaskCandidate.task_id == Task.id)
        .where(principals)
    )
    by_person = sa.select(Task.case_id).where(
        sa.or_(Task.assignee == actor.username, Task.completed_by == actor.username)
    )
    copied = sa.select(CaseReader.case_id).where(CaseReader.username == actor.username)
    return sa.or_(Case.started_by == actor.username, Case.id.in_(by_candidate), Case.id.in_(by_person),
                  Case.id.in_(copied))


def task_visible_clause(actor: Actor) -> sa.ColumnElement[bool]:
    """SQL: the task rows ``actor`` may act on (assigned to them, or unassigned in their groups)."""
    if actor.is_admin:
        return sa.true()
    # the task row's own candidate lists, not the candidate table: checked on open tasks only, this costs
    # the same however much closed history the user's groups have
    candidate = sa.or_(list_has_any(Task.candidate_groups, sorted(actor.groups)),
                       list_has_any(Task.candidate_users, [actor.username]))
    return sa.or_(Task.assignee == actor.username, sa.and_(Task.assignee.is_(None), candidate))
