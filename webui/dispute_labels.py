"""The names of dispute codes (matters, sanctions, warning statuses, risks, sources) in the page's language.

The engine keeps the Chinese names its documents print; English pages get these.
"""

from __future__ import annotations

from engine.disputes import casefile, warnings
from engine.disputes.rules import MATTER_NAMES, SANCTION_NAMES

from .language import english

ENGLISH = {
    "matters": {"contract": "Employment contract", "pay": "Pay", "welfare": "Welfare", "dismissal": "Dismissal",
                "leave": "Working hours and leave", "insurance": "Social insurance",
                "sanction": "Disciplinary sanction", "appraisal": "Appraisal result", "other": "Other"},
    "sanctions": {"warning": "Warning", "demerit": "Demerit", "major_demerit": "Major demerit",
                  "demotion": "Demotion", "post_demotion": "Post demotion", "removal": "Removal from post",
                  "dismissal": "Dismissal", "appraisal": "Appraisal result",
                  "sanction": "Sanction (type not yet given)"},
    "risks": {"low": "Low", "medium": "Medium", "high": "High"},
    "sources": {"dept_union": "Department union report", "union_office": "Union office", "petition": "Petition",
                "congress": "Congress opinion", "other": "Other"},
    "deadlines": {"received_on": "Application received",
                  "committee_received_on": "Received by the school mediation committee",
                  "acceptance_due": "Acceptance due (3 working days)",
                  "mediation_deadline": "Mediation deadline", "original_deadline": "Original mediation deadline",
                  "limitation_ends": "Arbitration limitation ends (1 year)", "filed_on": "Review applied for",
                  "filing_deadline": "Review application deadline (30 days from learning of the sanction)",
                  "paused_on": "Paused for missing materials since", "review_due": "Review decision due",
                  "decision_due": "Appeal (second appeal) decision due",
                  "paused_days": "Days not counted while materials were missing"},
    "mediation_outcomes": {"agreement": "Mediation agreement", "refused": "Not accepted / the other side declined",
                           "failed": "Mediation failed", "expired": "No agreement within the time limit",
                           "abandoned": "Deemed abandoned", "withdrawn": "Application withdrawn",
                           "routed": "Routed to the appeal track", "extend": "Time limit extended"},
    "appeal_outcomes": {"uphold": "Upheld", "quash": "Quashed", "vary": "Varied", "not_accepted": "Not accepted",
                        "extend": "Time limit extended"},
    "stages": {"review": "Review", "appeal": "Appeal", "re_appeal": "Second appeal"},
    "statuses": {"open": "New", "following": "Following up", "closed": "Resolved and closed",
                 "converted": "Turned into a mediation application"},
}
CHINESE = {"matters": MATTER_NAMES, "sanctions": SANCTION_NAMES, "risks": warnings.RISKS,
           "sources": warnings.SOURCES, "statuses": warnings.STATUSES, "deadlines": {},
           "mediation_outcomes": casefile.MEDIATION_OUTCOMES, "appeal_outcomes": casefile.APPEAL_OUTCOMES,
           "stages": casefile.STAGES}


def outcome(file: dict) -> str:
    """The case's outcome as the case file names it, in the page's language."""
    if not english():
        return str(file.get("outcome_label") or "")
    d = file.get("data") or {}
    if file.get("kind") == "mediation":
        return labels("mediation_outcomes").get(str(d.get("outcome") or ""), "")
    decisions = d.get("decisions") or []
    if d.get("outcome") == "not_accepted":
        return ENGLISH["appeal_outcomes"]["not_accepted"]
    if decisions:
        last = decisions[-1]
        return (f"{ENGLISH['stages'].get(last.get('stage'), '')}: "
                f"{ENGLISH['appeal_outcomes'].get(last.get('outcome'), '')}")
    return ""


def labels(kind: str) -> dict[str, str]:
    """Code -> name for ``kind`` ("matters", "sanctions", "risks", "sources", "statuses")."""
    if english():
        return {**CHINESE[kind], **ENGLISH[kind]}
    return dict(CHINESE[kind])


def outcome_text(label: str) -> str:
    """An outcome as the engine names it in Chinese ("复核：撤销", "视为放弃"), in the page's language."""
    if not label or not english():
        return label
    words = {zh: ENGLISH["mediation_outcomes"][k] for k, zh in casefile.MEDIATION_OUTCOMES.items()}
    words |= {zh: ENGLISH["appeal_outcomes"][k] for k, zh in casefile.APPEAL_OUTCOMES.items()}
    words |= {zh: ENGLISH["stages"][k] for k, zh in casefile.STAGES.items()}
    parts = label.split("：")
    return ": ".join(words.get(p, p) for p in parts)
