"""Comments on a case or one of its tasks; ``@username`` notifies that user if they may read the case."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor, involved_clause
from engine.clock import utcnow
from engine.errors import Invalid
from engine.models import Case, Task, User
from engine.notifications import notify
from engine.queries import iso, visible_case
from engine.runtime import Runtime

from .attachments import attachment_json
from .models import Attachment, Comment

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{1,64})")
MAX_BODY = 5000


def mentioned(body: str) -> list[str]:
    """Usernames written as ``@name`` in ``body``, in order, without repeats."""
    return list(dict.fromkeys(m.rstrip(".") for m in MENTION.findall(body)))


def _readers(session: so.Session, case: Case, usernames: list[str]) -> list[str]:
    """Those of ``usernames`` who are active users allowed to read ``case``."""
    if not usernames:
        return []
    users = session.scalars(sa.select(User).where(User.username.in_(usernames), User.active.is_(True))
                            .options(so.selectinload(User.groups))).all()
    out = []
    for user in users:
        actor = Actor(user.username, frozenset(g.key for g in user.groups))
        if session.scalar(sa.select(sa.literal(True)).where(Case.id == case.id, involved_clause(actor))):
            out.append(user.username)
    return sorted(out)


def add_comment(rt: Runtime, actor: Actor, case_id: int, body: Any, task_id: str | None = None,
                attachment_ids: list[int] | None = None) -> dict[str, Any]:
    """Write a comment (one transaction) and notify the people it mentions who may read the case.

    Returns the comment's JSON plus ``notified`` and ``not_notified`` (unknown users or no access).
    """
    text = body.strip() if isinstance(body, str) else ""
    if not text and not attachment_ids:
        raise Invalid("the comment is empty", [{"field": "body", "message": "is required"}])
    if len(text) > MAX_BODY:
        raise Invalid(f"a comment has at most {MAX_BODY} characters", [{"field": "body", "message": "too long"}])
    now = utcnow()
    with rt.transaction() as session:
        case = visible_case(session, actor, case_id)
        task = None
        if task_id:
            task = session.get(Task, task_id)
            if task is None or task.case_id != case.id:
                raise Invalid(f"task {task_id} is not a task of case {case.business_key}",
                              [{"field": "task_id", "message": "not in this case"}])
        names = [n for n in mentioned(text) if n != actor.username]
        readers = _readers(session, case, names)
        comment = Comment(case_id=case.id, task_id=task_id or None, author=actor.username, body=text,
                          mentions=readers, created_at=now)
        session.add(comment)
        session.flush()
        if attachment_ids:
            files = session.scalars(sa.select(Attachment).where(Attachment.id.in_(attachment_ids))).all()
            for f in files:
                if f.case_id == case.id and f.uploaded_by == actor.username and f.comment_id is None:
                    f.comment_id = comment.id
        where = f"{case.business_key} · {task.title}" if task is not None else case.business_key
        author = session.scalar(sa.select(User.display_name).where(User.username == actor.username)) or actor.username
        notify(session, readers, "mention", f"{author} 在评论中提到了您：{where}", body=text[:500], case=case,
               task=task, now=now)
        out = comment_json(comment)
    out["notified"] = readers
    out["not_notified"] = [n for n in names if n not in readers]
    return out


def comment_json(c: Comment, files: list[Attachment] | None = None) -> dict[str, Any]:
    return {"id": c.id, "case_id": c.case_id, "task_id": c.task_id, "author": c.author, "body": c.body,
            "mentions": list(c.mentions or []), "created_at": iso(c.created_at),
            "attachments": [attachment_json(f) for f in files or []]}


def case_discussion(session: so.Session, actor: Actor, case_id: int, task_id: str | None = None
                    ) -> dict[str, Any]:
    """Comments (oldest first, each with its files) and loose attachments of a case the caller may read.

    With ``task_id``, only what was said about that task. Four statements whatever the number of comments.
    """
    case = visible_case(session, actor, case_id)
    comments = sa.select(Comment).where(Comment.case_id == case.id)
    files = sa.select(Attachment).where(Attachment.case_id == case.id)
    if task_id:
        comments = comments.where(Comment.task_id == task_id)
        files = files.where(Attachment.task_id == task_id)
    by_comment: dict[int | None, list[Attachment]] = {}
    for f in session.scalars(files.order_by(Attachment.id)):
        by_comment.setdefault(f.comment_id, []).append(f)
    rows = session.scalars(comments.order_by(Comment.id)).all()
    authors = sorted({c.author for c in rows})
    names = {u: d for u, d in session.execute(sa.select(User.username, User.display_name)
                                              .where(User.username.in_(authors)))} if authors else {}
    items = [comment_json(c, by_comment.get(c.id)) for c in rows]
    for item in items:
        item["author_name"] = names.get(item["author"], item["author"])
    return {"case_id": case.id, "business_key": case.business_key, "comments": items,
            "attachments": [attachment_json(f) for f in by_comment.get(None, [])]}
