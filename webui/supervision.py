"""The supervisors' board (督办): overdue and due-soon items, counts, charts, exports; a task's SLA clock
(pause, resume, extend); and everyone's out-of-office page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from markupsafe import Markup

from engine.clock import utcnow
from engine.errors import DocketError, Invalid
from engine.instances import get_case_row
from engine.queries import group_names, latest_definitions, visible_task
from engine.sla import board as q
from engine.sla.absence import absence_json, clear_absence, current_absence, set_absence
from engine.sla.charts import histogram, line_chart, rate_bars
from engine.sla.clocks import clock_json, extend_task, pause_task, resume_task
from engine.users import display_names, people

from .catalog import error_text
from .language import list_separator
from .report_wording import report_format, zone
from .runtime import current_actor, rt
from .security import safe_next
from .table_files import tables_response

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
EXTENSIONS = ("P3D", "P5D", "P7D", "P15D", "P1M")


REMINDER_RULES = {"before": _l("reminder before the due date"), "due": _l("reminder on the due day"),
                  "overdue": _l("marked overdue"), "escalate:1": _l("escalated"),
                  "escalate:2": _l("escalated again")}


@bp.app_template_global()
def reminder_rule_label(rule: str) -> str:
    """A reminder rule of the deadline log (``before``, ``after:2``, ``escalate:1``) in words."""
    if rule.startswith("after:"):
        return _("reminder no. %(n)s after the due date", n=rule.split(":", 1)[1])
    return str(REMINDER_RULES.get(rule, rule))


def late_text(seconds: int) -> str:
    """How late (or how soon) as '3 d 4 h'."""
    days, hours = seconds // 86400, seconds % 86400 // 3600
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    return _("%(hours)s h", hours=hours) if hours else _("< 1 h")


def _filters() -> dict[str, Any]:
    days = request.args.get("days", "3")
    return {"process": request.args.get("process") or None, "group": request.args.get("group") or None,
            "days": int(days) if days.isdigit() and 1 <= int(days) <= 90 else 3}


def _board_data(session: Any, actor: Any, now: datetime, f: dict[str, Any]) -> dict[str, Any]:
    return {"summary": q.summary(session, actor, now, f["days"], f["process"], f["group"]),
            "overdue": q.overdue(session, actor, now, f["process"], f["group"], limit=300),
            "due_soon": q.due_soon(session, actor, now, f["days"], f["process"], f["group"], limit=300)}


def _charts(trend: list, on_time: list, times: list, groups: dict[str, str]) -> dict[str, Markup | None]:
    """The board's three inline SVG charts (None where there is nothing to draw)."""
    bars = [(groups.get(r["group"], r["group"]), r["rate"], f"{r['on_time']}/{r['completed'] + r['open_overdue']}")
            for r in on_time]
    buckets = [(_("%(range)s d", range=label), n) for label, n in times]
    return {
        "trend": Markup(line_chart(trend, _("Overdue tasks at the end of each day, last 30 days"), width=420)),
        "on_time": Markup(rate_bars(bars, _("On-time rate by group, last 90 days"), width=420)) if bars else None,
        "times": Markup(histogram(buckets, _("Days to complete, last 90 days"), width=420))
        if any(n for _label, n in times) else None,
    }


@bp.route("/")
@login_required
def board():  # type: ignore[no-untyped-def]
    actor = current_actor()
    q.require_supervisor(actor)
    f, now = _filters(), utcnow()
    with rt().reading() as session:
        data = _board_data(session, actor, now, f)
        processes = {d.key: d.name for d in latest_definitions(session)}
        groups = group_names(session)
        trend = q.overdue_trend(session, now, 30, f["process"], f["group"])
        on_time = q.on_time_by_group(session, now, 90, f["process"], f["group"])
        times = q.completion_times(session, now, 90, f["process"], f["group"])
    charts = _charts(trend, on_time, times, groups)
    return render_template("supervision/board.html", f=f, processes=processes, groups=groups, charts=charts,
                           late_text=late_text, now=now, **data)


def _rows(tasks: list[dict[str, Any]], days: int, processes: dict[str, str], groups: dict[str, str],
          names: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """The export's header and one row per open task: its standing (overdue, due soon, on schedule, no deadline),
    the due time as a local date and time, the assignee's name."""
    head = [_("Status"), _("Case"), _("Case title"), _("Process"), _("Task"), _("Groups"), _("Assignee"),
            _("Due"), _("Days overdue")]
    tz = zone()
    rows: list[list[Any]] = []
    for t in tasks:
        due = datetime.fromisoformat(t["due_at"]).astimezone(tz) if t["due_at"] else None
        if due is None:
            standing = _("No deadline")
        elif t["overdue_by"]:
            standing = _("Overdue")
        elif t["due_in"] < days * 86400:
            standing = _("Due soon")
        else:
            standing = _("On schedule")
        rows.append([standing, t["business_key"] or "", t["case_title"] or "",
                     processes.get(t["process"], t["process"]), t["title"],
                     list_separator().join(groups.get(g, g) for g in t["candidate_groups"]),
                     names.get(t["assignee"], t["assignee"]) if t["assignee"] else "",
                     due.replace(tzinfo=None, second=0, microsecond=0) if due else "",
                     round(t["overdue_by"] / 86400, 1) if t["overdue_by"] else ""])
    return head, rows


@bp.route("/export")
@login_required
def export():  # type: ignore[no-untyped-def]
    """Every open task (with the board's process and group filters) as CSV or xlsx, labelled, people by name."""
    actor = current_actor()
    q.require_supervisor(actor)
    fmt = report_format(request.args.get("format"), ("csv", "xlsx"))
    f, now = _filters(), utcnow()
    with rt().reading() as session:
        tasks = q.open_tasks(session, now, f["process"], f["group"])
        names = display_names(session, sorted({t["assignee"] for t in tasks if t["assignee"]}))
        head, rows = _rows(tasks, f["days"], {d.key: d.name for d in latest_definitions(session)},
                           group_names(session), names)
    stamp = now.astimezone(zone()).strftime("%Y%m%d-%H%M")
    return tables_response([(_("Open tasks"), head, rows)], fmt, f"supervision-{stamp}")


@bp.route("/tasks/<task_id>")
@login_required
def clock(task_id: str):  # type: ignore[no-untyped-def]
    actor = current_actor()
    with rt().reading() as session:
        task = visible_task(session, actor, task_id)
        state = clock_json(session, task)
        case = get_case_row(session, task.case_id)
    labels = [(d, _("%(n)s days", n=d[1:-1]) if d.endswith("D") else _("%(n)s month(s)", n=d[1:-1]))
              for d in EXTENSIONS]
    return render_template("sla/clock.html", task=task, case=case, state=state, extensions=labels,
                           may_extend=actor.is_supervisor)


@bp.route("/tasks/<task_id>/<action>", methods=["POST"])
@login_required
def clock_action(task_id: str, action: str):  # type: ignore[no-untyped-def]
    actor, form = current_actor(), request.form
    try:
        if action == "pause":
            pause_task(rt(), actor, task_id, form.get("reason", ""))
            flash(_("The clock is paused."), "success")
        elif action == "resume":
            resume_task(rt(), actor, task_id)
            flash(_("The clock runs again."), "success")
        elif action == "extend":
            extend_task(rt(), actor, task_id, form.get("duration", ""), form.get("reason", ""))
            flash(_("The deadline was extended."), "success")
        else:
            raise Invalid(f"unknown action '{action}'", [{"field": "action", "message": "unknown"}])
    except DocketError as exc:
        if exc.code not in ("invalid", "conflict"):
            raise
        flash(error_text(exc), "error")
    return redirect(safe_next(form.get("next"), url_for(".clock", task_id=task_id)))


@bp.route("/away", methods=["GET", "POST"])
@login_required
def away():  # type: ignore[no-untyped-def]
    actor, errors, form = current_actor(), {}, request.form
    if request.method == "POST":
        try:
            if form.get("clear"):
                clear_absence(rt(), actor, actor.username)
                flash(_("You are no longer marked as away."), "success")
            else:
                set_absence(rt(), actor, actor.username, form.get("deputy", ""), form.get("starts_on"),
                            form.get("ends_on"), form.get("note"))
                flash(_("Your out-of-office deputy is set."), "success")
            return redirect(url_for(".away"))
        except Invalid as exc:
            errors = {d.get("field"): error_text(exc) for d in exc.details}  # the engine's field notes are English
            flash(error_text(exc), "error")
    with rt().reading() as session:
        current = absence_json(current_absence(session, actor.username))
        users = [(name, display) for name, display in people(session) if name != actor.username]
    return render_template("sla/away.html", current=current, users=users, errors=errors, form=form), (
        422 if errors else 200)
