"""Rules that differ from school to school: shipped defaults, overridden per congress, then per session."""

from __future__ import annotations

from typing import Any

from .models import Congress, CongressSession

DEFAULTS: dict[str, Any] = {
    "min_cosigners": 3,            # 附议: delegates besides the proposer, same congress
    "return_workdays": 7,          # a wrongly assigned department may return within this many working days
    "co_opinion_due": "P1M",       # co-departments' opinions to the lead department
    "reply_due": "P2M",            # reply from assignment
    "extension_max_days": 31,      # one extension of up to a month, approved by the committee
    "reply_lock": False,           # refuse replies after the deadline unless extended
    "rating_workdays": 15,         # silence counts as no rating
    "max_rehandle": 1,             # 不满意 -> re-handling at most this often
    "archive": "staff",            # who reads the archive: public (anonymous too), staff, members
    "categories": ["teaching", "research", "welfare", "management", "campus"],
    "rates": {                     # statistics: numerator and denominator are sums of counters
        "completion_rate": {"num": ["closed"], "den": ["registered"]},
        "implementation_rate": {"num": ["grade_A", "grade_B"], "den": ["registered"]},
        "satisfaction_rate": {"num": ["satisfied", "basic"], "den": ["rated"]},
    },
}


def effective(congress: Congress, session: CongressSession | None = None) -> dict[str, Any]:
    """Defaults, then the congress's settings, then the session's."""
    merged = dict(DEFAULTS)
    merged.update(congress.settings or {})
    if session is not None:
        merged.update(session.settings or {})
    return merged
