"""The statistics of mediation and appeals as tables for the export (counts only, never names), in the
reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .dispute_labels import labels
from .table_files import Table

OUTCOME = {"agreement": _l("Agreement"), "refused": _l("Not accepted or refused"), "failed": _l("Failed"),
           "expired": _l("Expired"), "abandoned": _l("Abandoned"), "withdrawn": _l("Withdrawn"),
           "routed": _l("Routed to appeals"), "running": _l("In progress"), "error": _l("In error")}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None) -> Any:
    return "—" if value is None else value


def statistics_tables(stats: dict[str, Any]) -> list[Table]:
    """Summary, mediation outcomes, kinds of dispute, departments, and appeal outcomes by sanction."""
    m, a = stats["mediation"], stats["appeals"]
    summary = [[_("Mediation cases"), m["total"]], [_("Success rate"), _percent(m["success_rate"])],
               [_("Settled at department level"), m["settled_department"]],
               [_("Settled at school level"), m["settled_school"]],
               [_("Routed to appeals"), m["routed_to_appeal"]],
               [_("Average days to close a mediation"), _number(m["average_days_to_close"])],
               [_("Appeal cases"), a["total"]],
               [_("Average days to close an appeal"), _number(a["average_days_to_close"])]]
    outcomes = [[str(OUTCOME.get(k, _("Other"))), n] for k, n in sorted(m["outcomes"].items())]
    matters, sanctions = labels("matters"), labels("sanctions")
    return [
        (_("Summary"), [_("Indicator"), _("Value")], summary),
        (_("Mediation outcomes"), [_("Outcome"), _("Cases")], outcomes),
        (_("By kind of dispute"), [_("Kind of dispute"), _("Cases")],
         [[matters.get(r["key"], r["name"]), r["count"]] for r in m["by_matter"]]),
        (_("By department"), [_("Department"), _("Cases")],
         [[r["department"], r["count"]] for r in m["by_department"]]),
        (_("Appeal outcomes by sanction"),
         [_("Sanction"), _("Uphold"), _("Quash"), _("Vary"), _("Not accepted"), _("Pending"), _("Total")],
         [[sanctions.get(r["sanction"], r["name"]), r["uphold"], r["quash"], r["vary"], r["not_accepted"],
           r["pending"], r["total"]] for r in a["by_sanction"]]),
    ]
