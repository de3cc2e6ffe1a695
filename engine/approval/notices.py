"""The notification lines of the approval conventions: who did what to which case, with a verb."""

from __future__ import annotations

from engine.models import Case


def headline(who: str, verb: str, case: Case) -> str:
    """``李老师 退回了 提案 2026-017：食堂窗口延长供餐时间`` (who, verb, business key, case title)."""
    title = f"：{case.title}" if case.title else ""
    return f"{who} {verb} {case.business_key}{title}"
