"""Statistics of mediation and appeals: counts and rates only, never names (the cases are confidential)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.access import Actor
from engine.errors import Forbidden, Invalid
from engine.models import Case

from .access import APPEALS, MEDIATION, kinds_by_definition, may_see_statistics
from .rules import LOCAL, MATTER_NAMES, SANCTION_NAMES

CLOSED_FAILED = ("refused", "failed", "expired", "abandoned", "withdrawn")


def _days(case: Case) -> float | None:
    if case.ended_at is None:
        return None
    return round((case.ended_at - case.started_at).total_seconds() / 86400, 1)


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _mediation(rows: list[Case]) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    by_matter: Counter[str] = Counter()
    by_department: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    durations: list[float] = []
    for case in rows:
        data = case.data or {}
        outcome = str(data.get("outcome") or "") if case.status == "completed" else case.status
        if case.status == "running" and data.get("outcome") == "agreement":
            outcome = "agreement"  # agreed, confirmation or performance still being followed
        outcomes[outcome or "running"] += 1
        if data.get("matter"):
            by_matter[str(data["matter"])] += 1
        if data.get("department"):
            by_department[str(data["department"])] += 1
        if outcome == "agreement":
            levels[str(data.get("settled_level") or "school")] += 1
        days = _days(case)
        if days is not None and outcome != "routed":
            durations.append(days)
    decided = outcomes["agreement"] + sum(outcomes[o] for o in CLOSED_FAILED)
    return {
        "total": len(rows), "outcomes": dict(outcomes),
        "by_matter": [{"key": k, "name": MATTER_NAMES.get(k, k), "count": n} for k, n in by_matter.most_common()],
        "by_department": [{"department": k, "count": n} for k, n in by_department.most_common()],
        "settled_department": levels["department"], "settled_school": levels["school"],
        "success_rate": round(outcomes["agreement"] / decided, 3) if decided else None,
        "average_days_to_close": _average(durations), "routed_to_appeal": outcomes["routed"],
    }


def _appeals(rows: list[Case]) -> dict[str, Any]:
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    stages: Counter[str] = Counter()
    durations: list[float] = []
    for case in rows:
        data = case.data or {}
        kind = str(data.get("sanction_type") or data.get("subject") or "unknown")
        decisions = data.get("decisions") or []
        if data.get("outcome") == "not_accepted":
            result = "not_accepted"
        elif decisions:
            result = str(decisions[-1].get("outcome"))
            stages[str(decisions[-1].get("stage"))] += 1
        else:
            result = "pending" if case.status == "running" else case.status
        by_type[kind][result] += 1
        days = _days(case)
        if days is not None:
            durations.append(days)
    table = [{"sanction": k, "name": SANCTION_NAMES.get(k, {"appraisal": "考核结果",
                                                            "sanction": "处分（种类待填写）"}.get(k, k)),
              "uphold": c["uphold"], "quash": c["quash"], "vary": c["vary"], "not_accepted": c["not_accepted"],
              "pending": c["pending"], "total": sum(c.values())} for k, c in sorted(by_type.items())]
    return {"total": len(rows), "by_sanction": table, "decided_at_stage": dict(stages),
            "average_days_to_close": _average(durations)}


def statistics(session: so.Session, actor: Actor, year: int | None = None) -> dict[str, Any]:
    """Counts by type and department, department vs school settlements, success rate, time to close, appeal
    outcomes by sanction type; ``year``: cases started in that (local) year.

    :raises Forbidden: the caller is on neither committee nor a supervisor
    :raises Invalid: a year out of range (names ``year``)
    """
    if not may_see_statistics(actor):
        raise Forbidden("statistics of mediation and appeals are for the committees and supervisors")
    if year is not None and not 1900 <= year <= 2999:
        raise Invalid(f"year {year} is out of range", [{"field": "year", "message": "must be a year such as 2026"}])
    kinds = kinds_by_definition(session)
    stmt = sa.select(Case).where(Case.definition_id.in_(kinds), Case.status != "cancelled")
    rows = list(session.scalars(stmt))
    if year:
        rows = [c for c in rows if c.started_at.astimezone(LOCAL).year == year]
    return {"year": year, MEDIATION: _mediation([c for c in rows if kinds[c.definition_id] == MEDIATION]),
            APPEALS: _appeals([c for c in rows if kinds[c.definition_id] == APPEALS])}
