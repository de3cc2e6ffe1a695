"""Early warnings (预警): emerging disputes logged by department unions and the union office, followed up,
closed, or turned into a mediation application with their data carried over."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.models import Case
from engine.runtime import Runtime

from .access import MEDIATION, may_see_warnings
from .models import DisputeWarning
from .rules import MATTER_NAMES

RISKS = {"low": "低", "medium": "中", "high": "高"}
SOURCES = {"dept_union": "分工会报告", "union_office": "工会办公室", "petition": "信访", "congress": "教代会意见",
           "other": "其他"}
STATUSES = {"open": "新登记", "following": "跟进中", "closed": "已化解关闭", "converted": "已转调解申请"}


def _require(actor: Actor) -> None:
    if not may_see_warnings(actor):
        raise Forbidden("only department unions, the mediation committee and supervisors handle early warnings")


def _text(data: dict[str, Any], field: str, errors: list[dict[str, str]], limit: int = 512) -> str:
    value = str(data.get(field) or "").strip()
    if not value:
        errors.append({"field": field, "message": "is required"})
    elif len(value) > limit:
        errors.append({"field": field, "message": f"must be at most {limit} characters"})
    return value


def _choice(data: dict[str, Any], field: str, options: dict[str, str], errors: list[dict[str, str]]) -> str:
    value = str(data.get(field) or "")
    if value not in options:
        errors.append({"field": field, "message": f"must be one of: {', '.join(options)}"})
    return value


def create_warning(rt: Runtime, actor: Actor, data: dict[str, Any]) -> DisputeWarning:
    """Log an emerging dispute: who, department, matter, category, risk level, source."""
    _require(actor)
    errors: list[dict[str, str]] = []
    values = {"persons": _text(data, "persons", errors), "department": _text(data, "department", errors, 128),
              "matter": _text(data, "matter", errors, 8000),
              "category": _choice(data, "category", MATTER_NAMES, errors),
              "risk_level": _choice(data, "risk_level", RISKS, errors),
              "source": _choice(data, "source", SOURCES, errors)}
    if errors:
        raise Invalid("the early warning has errors", errors)
    now = utcnow()
    with rt.transaction() as session:
        row = DisputeWarning(reported_by=actor.username, status="open", follow_ups=[], created_at=now,
                             updated_at=now, **values)
        session.add(row)
        session.flush()
        return row


def _open(session: so.Session, warning_id: int) -> DisputeWarning:
    row = session.get(DisputeWarning, warning_id, with_for_update=True)
    if row is None:
        raise NotFound(f"early warning {warning_id} does not exist")
    if row.status in ("closed", "converted"):
        raise Conflict(f"early warning {warning_id} is already {row.status}")
    return row


def follow_up(rt: Runtime, actor: Actor, warning_id: int, note: str, close: bool = False) -> DisputeWarning:
    """Add a follow-up note; ``close`` closes the entry (the dispute was resolved or did not materialise)."""
    _require(actor)
    if not (note or "").strip():
        raise Invalid("a note is required", [{"field": "note", "message": "is required"}])
    now = utcnow()
    with rt.transaction() as session:
        row = _open(session, warning_id)
        row.follow_ups = [*row.follow_ups, {"at": now.isoformat(), "by": actor.username, "note": note.strip(),
                                            "closed": close}]
        row.status, row.updated_at = ("closed" if close else "following"), now
        if close:
            row.closed_at = now
        return row


def convert_warning(rt: Runtime, actor: Actor, warning_id: int, data: dict[str, Any]) -> Case:
    """Turn the warning into a mediation application; its department, matter and category are carried over."""
    from .commands import file_application

    _require(actor)
    with rt.reading() as session:
        row = session.get(DisputeWarning, warning_id)
        if row is None:
            raise NotFound(f"early warning {warning_id} does not exist")
        if row.status in ("closed", "converted"):
            raise Conflict(f"early warning {warning_id} is already {row.status}")
        carried = {"department": row.department, "matter": row.category, "facts": row.matter,
                   "title": row.matter[:60], "application_mode": "oral"}
    application = {**carried, **{k: v for k, v in data.items() if v not in (None, "")}}
    case = file_application(rt, actor, MEDIATION, application)
    now = utcnow()
    with rt.transaction() as session:
        row = _open(session, warning_id)
        row.status, row.case_id, row.updated_at = "converted", case.id, now
        row.follow_ups = [*row.follow_ups, {"at": now.isoformat(), "by": actor.username,
                                            "note": f"转为调解申请 {case.business_key}", "closed": True}]
    return case


def list_warnings(session: so.Session, actor: Actor, status: str | None = None) -> list[DisputeWarning]:
    _require(actor)
    stmt = sa.select(DisputeWarning)
    if status:
        stmt = stmt.where(DisputeWarning.status == status)
    return list(session.scalars(stmt.order_by(DisputeWarning.status == "closed", DisputeWarning.id.desc())))


def warning_json(row: DisputeWarning) -> dict[str, Any]:
    return {"id": row.id, "reported_by": row.reported_by, "department": row.department, "persons": row.persons,
            "matter": row.matter, "category": row.category, "risk_level": row.risk_level, "source": row.source,
            "status": row.status, "follow_ups": row.follow_ups, "case_id": row.case_id,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "closed_at": row.closed_at.isoformat() if row.closed_at else None}
