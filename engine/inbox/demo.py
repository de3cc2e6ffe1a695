"""Demo data of this feature, created by ``docket demo``."""

from __future__ import annotations

from collections.abc import Iterator

from engine.runtime import Runtime


def seed(rt: Runtime) -> Iterator[str]:
    """Create what is missing; yield one line per thing created."""
    return iter(())
