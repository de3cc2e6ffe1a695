"""Reading connector parameters the way designers write them: lists or comma-separated text."""

from __future__ import annotations

from typing import Any


def names(value: Any) -> list[str]:
    """``"li, wang"``, ``["li", "wang"]`` or ``"li"`` -> ``["li", "wang"]`` (blanks dropped, order kept)."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple | set) else str(value).replace("，", ",").split(",")
    return list(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))
