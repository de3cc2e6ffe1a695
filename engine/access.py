"""Who may see and do what: every engine read and write goes through these checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

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


CaseBar = Callable[[Actor, sa.ColumnElement[Any]], sa.ColumnElement[bool]]
_bars: list[CaseBar] = []


def bar_cases(rule: CaseBar) -> CaseBar:
    """Register a feature's rule that keeps people out of cases whatever else lets them in (a handler recused
    from a dispute): ``rule(actor, case_id)`` is SQL, true where ``actor`` is barred from the case whose id is
    the column ``case_id``. A barred user neither reads the case (its page, documents, comments, tasks) nor acts
    on it, supervisors and administrators included. Idempotent; features register theirs when loaded."""
    if rule not in _bars:
        _bars.append(rule)
    return rule


def case_bars() -> tuple[CaseBar, ...]:
    """The rules registered so far (a cache of statements built with them keys on this)."""
    return tuple(_bars)


def barred_clause(actor: Actor, case_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool] | None:
    """SQL: ``actor`` is barred from the case ``case_id`` by some feature's rule (None when no rule exists)."""
    return sa.or_(*(rule(actor, case_id) for rule in _bars)) if _bars else None


def is_barred(session: so.Session, actor: Actor, case_id: int) -> bool:
    """Is ``actor`` barred from case ``case_id`` (see :func:`bar_cases`)?"""
    clause = barred_clause(actor, sa.literal(case_id))
    return clause is not None and bool(session.scalar(sa.select(sa.case((clause, True), else_=False))))


def barred_column(actor: Actor, case_id: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A column for a statement that already reads the case: true where ``actor`` is barred from it (so a
    command checks the bar without a statement of its own)."""
    clause = barred_clause(actor, case_id)
    return (sa.false() if clause is None else sa.case((clause, True), else_=False)).label("barred")


def refuse_barred(barred: Any, what: str) -> None:
    """:raises Forbidden: ``barred`` (a :func:`barred_column` value) is true."""
    if barred:
        raise Forbidden(f"you have withdrawn from the case of {what} (recused): you may neither see nor act on it",
                        [{"code": "barred"}])


def require_not_barred(session: so.Session, actor: Actor, case_id: int, what: str) -> None:
    """:raises Forbidden: ``actor`` is barred from the case."""
    refuse_barred(is_barred(session, actor, case_id), what)


def _not_barred(actor: Actor, case_id: sa.ColumnElement[Any], allowed: sa.ColumnElement[bool]) -> \
        sa.ColumnElement[bool]:
    clause = barred_clause(actor, case_id)
    return allowed if clause is None else sa.and_(allowed, sa.not_(clause))


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
    """SQL: the cases ``actor`` may read (started, copied in on, or a candidate/assignee/completer of a task; every
    case for a supervisor), less those a feature bars them from (:func:`bar_cases`)."""
    if actor.is_supervisor:
        return _not_barred(actor, Case.id, sa.true())
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
    return _not_barred(actor, Case.id, sa.or_(Case.started_by == actor.username, Case.id.in_(by_candidate),
                                              Case.id.in_(by_person), Case.id.in_(copied)))


def task_visible_clause(actor: Actor) -> sa.ColumnElement[bool]:
    """SQL: the task rows ``actor`` may act on (assigned to them, or unassigned in their groups), less those of
    cases a feature bars them from."""
    if actor.is_admin:
        return _not_barred(actor, Task.case_id, sa.true())
    # the task row's own candidate lists, not the candidate table: checked on open tasks only, this costs
    # the same however much closed history the user's groups have
    candidate = sa.or_(list_has_any(Task.candidate_groups, sorted(actor.groups)),
                       list_has_any(Task.candidate_users, [actor.username]))
    return _not_barred(actor, Task.case_id,
                       sa.or_(Task.assignee == actor.username, sa.and_(Task.assignee.is_(None), candidate)))
