"""The modules a script may ``import``: only names scripts already have, as the same safe namespaces.

SpiffWorkflow scripts often start with ``import datetime`` or ``from datetime import timedelta``; in the
sandbox those statements bind the engine's own versions (``datetime.now()`` on the engine clock, see
``engine.dates``), and ``import time`` gives ``time.time()`` on that clock. Any other import stays refused:
an import never gives a script something it could not reach without it.
"""

from __future__ import annotations

import ast
import builtins
import datetime as _dt
import sys
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


def script_locals() -> dict[str, Any]:
    """``locals()`` in a script: a copy of the script's own variables (the task data it sees and what it set),
    never the engine's guards or helpers."""
    frame = sys._getframe(1)
    return {k: v for k, v in frame.f_locals.items() if not k.startswith("_")}


PYTHON_BUILTINS = frozenset(dir(builtins))


def unavailable_names(source: str, mode: str, available: set[str]) -> list[tuple[int, str]]:
    """(line, name) for each Python built-in the source uses that scripts do not have (``open``, ``eval``,
    ``globals``...), unless the source assigns that name itself. Never raises."""
    try:
        tree = ast.parse(source, mode="eval" if mode == "eval" else "exec")
    except (SyntaxError, ValueError):
        return []
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    assigned |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                 for a in [*n.args, *n.kwonlyargs, *n.posonlyargs]}
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in PYTHON_BUILTINS
                and node.id not in available and node.id not in assigned and not node.id.startswith("_")):
            found.setdefault(node.id, node.lineno)
    return sorted((line, name) for name, line in found.items())
