"""The modules a script may ``import``: only names scripts already have, as the same safe namespaces.

SpiffWorkflow scripts often start with ``import datetime`` or ``from datetime import timedelta``; in the
sandbox those statements bind the engine's own versions (``datetime.now()`` on the engine clock, see
``engine.dates``), and ``import time`` gives ``time.time()`` on that clock. Any other import stays refused:
an import never gives a script something it could not reach without it.
"""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace
from typing import Any

from engine.clock import clock
from engine.dates import ClockDate, ClockDatetime

from .guards import MATH, RANDOM, STRING

MODULES: dict[str, SimpleNamespace] = {
    "datetime": SimpleNamespace(datetime=ClockDatetime, date=ClockDate, timedelta=_dt.timedelta,
                                timezone=_dt.timezone, MINYEAR=_dt.MINYEAR, MAXYEAR=_dt.MAXYEAR),
    "time": SimpleNamespace(time=lambda: clock.now().timestamp()),
    "math": MATH,
    "random": RANDOM,
    "string": STRING,
}


def provided_module(name: str) -> SimpleNamespace:
    """``import name`` in a script (the policy lets only the names of ``MODULES`` through)."""
    return MODULES[name]


def provided_name(module: str, name: str) -> Any:
    """``from module import name`` in a script."""
    try:
        return getattr(MODULES[module], name)
    except AttributeError:
        raise ImportError(f"cannot import {name!r} from {module!r}: scripts have only "
                          f"{', '.join(sorted(vars(MODULES[module])))}") from None
