"""The composition root: every feature of Docket, registered once by whoever assembles the application.

A feature (the built-in connectors, proposals, mediation and appeals, the inbox, SLA, operations) is a package
(or module) under ``engine/`` with a ``register(behaviours, hooks, jobs)`` function that subscribes to the
core's hooks (``engine.hooks``), adds its named behaviours to the registry BPMN files reference
(``engine.behaviours``) and its scheduler jobs (``engine.scheduler.jobs``). The core (runtime, commands,
projection, scheduler, users) imports no feature; ``create_app``, the ``docket`` command line and the test
fixtures call :func:`load_features` before they build a :class:`~engine.runtime.Runtime` (its script engine
reads the helpers registered by then).
"""

from __future__ import annotations

from functools import cache

from . import approval, congress, disputes, hooks, inbox, messages, ops, sla, startforms, summary  # noqa: F401
from .behaviours import behaviours
from .connectors import builtin as connectors
from .scheduler import jobs

FEATURES = (connectors, messages, approval, congress, disputes, inbox, sla, ops)
"""In registration order: hooks run, and scheduler jobs follow one another, in this order (the heartbeat last).
(``startforms`` and ``summary`` are core: imported here so the step properties they read are registered.)"""


@cache
def load_features() -> None:
    """Register every feature (once per process; later calls do nothing)."""
    for feature in FEATURES:
        feature.register(behaviours, hooks, jobs)
