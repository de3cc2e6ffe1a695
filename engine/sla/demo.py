"""Demo data of this feature, created by ``docket demo``."""

from __future__ import annotations

from collections.abc import Iterator

from engine.runtime import Runtime

from .clocks import backfill_clocks


def seed(rt: Runtime) -> Iterator[str]:
    """Create what is missing (clocks of demo tasks that have due dates); yield one line per thing created."""
    count = backfill_clocks(rt)
    if count:
        yield f"SLA clocks started for {count} open task(s) with due dates"
