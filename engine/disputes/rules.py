"""Deadline rules of mediation and appeals (DOMAIN.md §2-§3, DESIGN.md "Domain defaults").

Every number is a setting: the shipped default here, overridden per process by a BPMN process property of
the same name (e.g. ``<spiffworkflow:property name="mediationDays" value="30"/>``). Days are calendar
days (日) unless the name says ``Workdays`` (工作日, China's official calendar).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from engine.clock import utcnow
from engine.workdays import LOCAL, add_workdays

DEFAULTS: dict[str, int] = {
    # mediation
    "acceptanceWorkdays": 3,      # acceptance within 3 工作日 of receipt
    "mediationDays": 15,          # 15 日 from receipt of the application
    "escalationNewPeriod": 1,     # escalated to the school committee: 1 = its own acceptance and mediationDays from
                                  # its receipt (the statute counts from the mediation body's receipt); 0 = the
                                  # department's period goes on
    "extensionCapDays": 15,       # extension only with both parties' consent, at most +15 日
    "sessionNoticeDays": 5,       # notice of time and place 5 日 ahead
    "collectiveMin": 3,           # >= 3 applicants with a common claim elect representatives
    "confirmationDays": 15,       # joint application for arbitral confirmation within 15 日
    "limitationYears": 1,         # arbitration limitation period
    # appeals (复核 -> 申诉 -> 再申诉; 再申诉 defaults as for 申诉, configurable separately)
    "reviewFilingDays": 30,       # apply for 复核 within 30 日 of learning of the sanction
    "reviewDecisionDays": 30,     # 复核 decision within 30 日 of receipt (the clock waits during 补正)
    "appealFilingDays": 30,       # 申诉 within 30 日 of the 复核 decision
    "appealDecisionDays": 60,     # 申诉 decision within 60 日 of acceptance
    "appealExtensionDays": 30,    # +30 日 for complex cases, with reasons, once
    "reAppealFilingDays": 30,     # 再申诉 (configurable; defaults as for 申诉)
    "reAppealDecisionDays": 60,
    "correctionDays": 15,         # time given to complete missing materials (补正); not fixed by statute
}

# Sanction types and their severity (DOMAIN.md §3.1: 条例 Art. 29; 处分规定 2023; 政务处分法).
STAFF_SANCTIONS = ("warning", "demerit", "post_demotion", "dismissal")
MANAGER_SANCTIONS = ("warning", "demerit", "major_demerit", "demotion", "removal", "dismissal")
SEVERITY: dict[str, int] = {"warning": 1, "demerit": 2, "major_demerit": 3, "demotion": 4, "post_demotion": 4,
                            "removal": 5, "dismissal": 6}
SANCTION_NAMES: dict[str, str] = {"warning": "警告", "demerit": "记过", "major_demerit": "记大过",
                                  "demotion": "降级", "post_demotion": "降低岗位等级", "removal": "撤职",
                                  "dismissal": "开除"}
RATING_NAMES: dict[str, str] = {"excellent": "优秀", "competent": "合格", "basically_competent": "基本合格",
                                "incompetent": "不合格"}
MATTER_NAMES: dict[str, str] = {
    "contract": "聘用合同", "pay": "工资报酬", "welfare": "福利待遇", "dismissal": "解聘辞退", "leave": "工时休假",
    "insurance": "社会保险", "sanction": "纪律处分", "appraisal": "考核结果", "other": "其他",
}
APPEAL_TRACK_MATTERS = frozenset({"sanction", "appraisal"})


def setting(settings: dict[str, Any] | None, name: str) -> int:
    """The process's value for ``name`` (a BPMN process property), else the default."""
    raw = (settings or {}).get(name)
    try:
        return int(raw) if raw not in (None, "") else DEFAULTS[name]
    except (TypeError, ValueError):
        return DEFAULTS[name]


def today() -> date:
    """Today on the Chinese calendar (Asia/Shanghai), from the engine clock."""
    return utcnow().astimezone(LOCAL).date()


def as_date(value: Any, field: str = "date") -> date:
    """A date from a date, datetime or ISO string; ValueError naming ``field`` otherwise."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL).date()
    if isinstance(value, date):
        return value
    try:
        text = str(value)
        return datetime.fromisoformat(text).astimezone(LOCAL).date() if "T" in text else date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{field} must be a date (YYYY-MM-DD)") from None


def end_of_day(day: date) -> str:
    """The last second of ``day`` in China, as an ISO string with offset (a BPMN timeDate value)."""
    return datetime.combine(day, time(23, 59, 59), LOCAL).isoformat()


def plus_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def plus_workdays(day: date, days: int) -> date:
    return add_workdays(day, days)


def plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def allowed_sanctions(category: str) -> tuple[str, ...]:
    return MANAGER_SANCTIONS if category == "manager" else STAFF_SANCTIONS


def heavier(new: str, original: str) -> bool:
    """Is sanction ``new`` heavier than ``original``?"""
    return SEVERITY.get(new, 99) > SEVERITY.get(original, 0)
