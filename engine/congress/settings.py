"""Rules that differ from school to school: shipped defaults, overridden per congress, then per session."""

from __future__ import annotations

from typing import Any

from engine.workdays import DURATION

from .models import Congress, CongressSession

DEFAULTS: dict[str, Any] = {
    "min_cosigners": 3,            # 附议: delegates besides the proposer, same congress
    "return_workdays": 7,          # a wrongly assigned department may return within this many working days
    "co_opinion_due": "P1M",       # co-departments' opinions to the lead department
    "reply_due": "P2M",            # reply from assignment
    "rehandle_due": None,          # re-handling's reply, from the day of re-handling (None: the reply_due period)
    "extension_max_days": 31,      # one extension of up to a month, approved by the committee
    "reply_lock": False,           # refuse replies after the deadline unless extended
    "rating_workdays": 15,         # silence counts as no rating
    "max_rehandle": 1,             # 不满意 -> re-handling at most this often
    "archive": "staff",            # who reads the archive: public (anonymous too), staff, members
    "between_sessions": False,     # proposals may also be filed while no session collects them (闭会期间提案)
    "between_sessions_cosign_days": 14,  # co-signing window of a proposal filed between sessions
    "categories": ["teaching", "research", "welfare", "management", "campus"],
    "rates": {                     # statistics: numerator and denominator are sums of counters
        "registration_rate": {"num": ["registered"], "den": ["submitted"]},
        "completion_rate": {"num": ["closed"], "den": ["registered"]},
        "implementation_rate": {"num": ["grade_A", "grade_B"], "den": ["registered"]},
        "satisfaction_rate": {"num": ["satisfied", "basic"], "den": ["rated"]},
    },
}


# How each setting is checked: ("int", minimum) / ("bool",) / ("duration",) / ("choice", values) / ("list",)
KINDS: dict[str, tuple[Any, ...]] = {
    "min_cosigners": ("int", 0), "return_workdays": ("int", 1), "co_opinion_due": ("duration",),
    "reply_due": ("duration",), "rehandle_due": ("duration", "optional"), "extension_max_days": ("int", 0),
    "reply_lock": ("bool",),
    "rating_workdays": ("int", 1), "max_rehandle": ("int", 0), "archive": ("choice", ("public", "staff", "members")),
    "between_sessions": ("bool",), "between_sessions_cosign_days": ("int", 1), "categories": ("list",),
    "rates": ("rates",),
}


def check_settings(settings: dict[str, Any]) -> list[dict[str, str]]:
    """Problems of congress settings, one per field (``settings.<name>``): unknown names and bad values."""
    problems = []
    for name, value in settings.items():
        kind = KINDS.get(name)
        field = f"settings.{name}"
        if kind is None:
            problems.append({"field": field, "message": f"unknown setting (known: {', '.join(KINDS)})"})
        elif kind[0] == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < kind[1]):
            problems.append({"field": field, "message": f"must be a whole number of at least {kind[1]}"})
        elif kind[0] == "bool" and not isinstance(value, bool):
            problems.append({"field": field, "message": "must be true or false"})
        elif kind[0] == "duration" and value is None and "optional" in kind:
            continue
        elif kind[0] == "duration" and not (isinstance(value, str) and DURATION.match(value) and value not in
                                            ("P", "PT")):
            problems.append({"field": field, "message": "must be an ISO 8601 duration such as P2M or P30D"})
        elif kind[0] == "choice" and value not in kind[1]:
            problems.append({"field": field, "message": f"must be one of {', '.join(kind[1])}"})
        elif kind[0] == "list" and not (isinstance(value, list) and value and all(isinstance(v, str) and v
                                                                                  for v in value)):
            problems.append({"field": field, "message": "must be a non-empty list of names"})
        elif kind[0] == "rates" and not isinstance(value, dict):
            problems.append({"field": field, "message": "must be an object"})
    return problems


def rehandle_period(rules: dict[str, Any]) -> str:
    """How long a re-handling has for its reply, from the day the proposer's 不满意 sent it back: the
    ``rehandle_due`` setting, else the ``reply_due`` period."""
    return str(rules.get("rehandle_due") or rules["reply_due"])


def effective(congress: Congress, session: CongressSession | None = None) -> dict[str, Any]:
    """Defaults, then the congress's settings, then the session's."""
    merged = dict(DEFAULTS)
    merged.update(congress.settings or {})
    if session is not None:
        merged.update(session.settings or {})
    return merged
