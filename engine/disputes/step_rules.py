"""The named step rules of mediation and appeals: a user task of either process names one in its ``rule``
property, and ``engine.steps`` runs its ``check`` (``engine.disputes.validate``) and ``record``
(``engine.disputes.notices``) phases. Registered by ``engine.disputes.register``."""

from __future__ import annotations

from typing import Any

from . import notices, validate

RULES: dict[str, dict[str, Any]] = {
    "mediation_application": dict(
        check=validate.mediation_application, record=notices.mediation_applied,
        doc="The mediation application: the applicant (oral applications recorded by union staff), the date the "
            "right was known (not in the future), a collective case's representatives; sets received_on, "
            "mediation_deadline (mediationDays), acceptance_due (acceptanceWorkdays) and limitation_ends "
            "(limitationYears); then the application record document.",
        errors="Invalid naming application_mode, applicant, known_on or representatives."),
    "mediation_acceptance": dict(
        check=validate.mediation_acceptance,
        doc="Accepting needs the other side's consent and 1 (or 3 for a panel) mediators of the committee who are "
            "not recused.", errors="Invalid naming respondent_consent or mediators."),
    "mediation_session": dict(
        check=validate.mediation_session, record=notices.mediation_held,
        doc="Another session is noticed sessionNoticeDays ahead; an extension needs both parties' recorded consent "
            "and stays within extensionCapDays (sets extended_deadline); an agreement makes the 调解协议书.",
        errors="Invalid naming next_session_on or extension_days."),
    "agreement_performance": dict(
        record=notices.performance_followed,
        doc="An agreement not performed: the notice of the right to arbitrate, and the applicant told."),
    "appeal_application": dict(
        check=validate.appeal_application, record=notices.take_title,
        doc="The 复核 application: the appellant, a sanction type of the staff category, filed within "
            "reviewFilingDays of learning of the sanction; sets filed_on, received_on, filing_deadline.",
        errors="Invalid naming appellant, sanction_type or known_on."),
    "appeal_acceptance": dict(
        check=validate.appeal_acceptance, record=notices.acceptance_recorded,
        doc="Accepting needs the five conditions and no missing materials (sets review_due, the 复核 decision "
            "period reviewDecisionDays plus the days paused); a correction lists every missing item at once and "
            "pauses the period (the correction notice is made).",
        errors="Invalid naming the failed condition, missing_materials or acceptance_decision."),
    "appeal_supplement": dict(
        check=validate.appeal_supplement,
        doc="Supplied materials end the pause: the paused days are added to the decision period."),
    "appeal_decision": dict(
        check=validate.appeal_decision, record=notices.decision_recorded,
        doc="A decision follows the five checks (uphold only when all are sound; quash or vary otherwise), never "
            "makes the sanction heavier, and at the 复核 stage answers the union's opinion; an appeal decision may "
            "be extended once by appealExtensionDays. The decision document is made.",
        errors="Invalid naming outcome, a check, varied_sanction, varied_rating or union_reply."),
    "appeal_next": dict(
        check=validate.appeal_next,
        doc="Appealing (again) sets appeal_filed_on and decision_due (appealDecisionDays, reAppealDecisionDays)."),
}
