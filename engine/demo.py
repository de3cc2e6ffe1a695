"""Demo data: the demo's people, every process under ``processes/``; each feature's demo module (congress,
disputes, SLA, inbox) then adds sample cases in every state, and process folders bring theirs as data
(``demo.json``, see ``engine.process_demo``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .access import Actor
from .congress import demo as congress_demo
from .definitions.bundle import bundles_in
from .demo_people import ensure_people
from .deploy import deploy_process
from .disputes import demo as disputes_demo
from .errors import DocketError
from .inbox import demo as inbox_demo
from .notifications import keep_newest_unread
from .process_demo import ensure_reference, seed_cases
from .runtime import Runtime
from .sla import demo as sla_demo

FEATURE_DEMOS = (congress_demo, disputes_demo, sla_demo, inbox_demo)
UNREAD_AT_START = 5
"""Each demo user starts with this many unread notifications (the newest), as a first sign-in would."""


def seed(rt: Runtime, processes: Path) -> Iterator[str]:
    """Create what is missing; safe to run on every demo start."""
    from .office import demo as office_demo

    yield from office_demo.seed(rt)  # the units the processes' forms offer and the people work in
    yield from ensure_people(rt)
    yield from ensure_reference(rt, processes)  # the groups and people the process folders' demo files name
    admin = Actor("admin", frozenset({"admin"}))
    for bundle in bundles_in(processes):
        try:
            done = deploy_process(rt, admin, bundle)
            state = "deployed" if done.created else "unchanged"
            yield f"{done.definition.key} v{done.definition.version} {state}"
        except DocketError as exc:
            yield f"{bundle.filename}: NOT deployed: {exc.message} {exc.details}"
    for feature in FEATURE_DEMOS:
        yield from feature.seed(rt)
    yield from seed_cases(rt, processes)  # the sample cases of the process folders' demo files
    with rt.transaction() as session:
        marked = keep_newest_unread(session, UNREAD_AT_START)
    yield f"notifications: the newest {UNREAD_AT_START} per user left unread ({marked} older ones marked read)"
