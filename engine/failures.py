"""Cases in error, for the people who keep cases running: what failed, where, and since when. A case goes to
error when a script, condition, call or decision fails; ``instances.retry_case`` runs the failed step again."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .access import Actor
from .errors import Forbidden
from .models import Case, ProcessDefinition
from .queries import iso
from .runtime import Runtime

PAGE_SIZE = 50


def _element_title(rt: Runtime, session: Any, case: Case) -> str | None:
    """The label of the element the case failed at (the element id when it has none)."""
    if not case.error_task:
        return None
    try:
        parsed = rt.definition(session, case.definition_id)
    except Exception:  # the version cannot be parsed any more: the id is all there is
        return case.error_task
    for spec in [parsed.spec, *(s for s in parsed.subprocess_specs.values() if s is not None)]:
        task_spec = spec.task_specs.get(case.error_task)
        if task_spec is not None:
            return task_spec.bpmn_name or task_spec.bpmn_id or case.error_task
    return case.error_task


def failed_cases(rt: Runtime, actor: Actor, process: str | None = None, page: int = 1) -> dict[str, Any]:
    """Running cases stopped by an error, most recent first (supervisors and administrators)."""
    if not actor.is_supervisor:
        raise Forbidden("only supervisors and administrators may see the cases in error")
    page = max(page, 1)
    with rt.reading() as session:
        where = [Case.status == "error"]
        if process:
            where.append(Case.process_key == process)
        total = session.scalar(sa.select(sa.func.count()).select_from(Case).where(*where)) or 0
        rows = session.execute(
            sa.select(Case, ProcessDefinition.name, ProcessDefinition.version)
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id).where(*where)
            .order_by(Case.updated_at.desc(), Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
        items = [{
            "id": case.id, "business_key": case.business_key, "title": case.title, "process": case.process_key,
            "process_name": name, "version": version, "error": case.error_message, "element": case.error_task,
            "element_title": _element_title(rt, session, case), "failed_at": iso(case.updated_at),
            "started_by": case.started_by,
        } for case, name, version in rows]
    return {"items": items, "total": total, "page": page, "page_size": PAGE_SIZE}
