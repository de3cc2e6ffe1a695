"""Proposal pages: my proposals, drafting and publishing, co-signing, statistics and the handling report."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.congress import attachments as pa
from engine.congress import proposals as cp
from engine.congress.archive import similar
from engine.congress.congresses import congresses_of, is_delegate
from engine.congress.duty import add_entry
from engine.congress.duty import record as duty_record
from engine.congress.duty import to_csv as duty_to_csv
from engine.congress.reading import congress_and_session, merged_into, sessions_of
from engine.congress.settings import effective
from engine.congress.stats import report
from engine.documents.store import case_documents
from engine.errors import DocketError
from engine.inbox.attachments import MAX_BYTES
from engine.office.units import list_units, unit_names
from engine.queries import visible_case
from engine.users import display_names

from .catalog import error_text
from .display import engine_field_message
from .inputs import int_arg
from .language import list_separator
from .report_wording import FORMATS, report_response
from .runtime import current_actor, rt, upload_directory

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

STATUS = {"draft": _l("Draft"), "seconding": _l("Open for co-signing"), "review": _l("Under review"),
          "consulting": _l("Specialist consultation"), "presidium": _l("Before the presidium"),
          "assigning": _l("Being assigned"), "assigned": _l("Awaiting acceptance"), "handling": _l("Being handled"),
          "extension": _l("Extension requested"), "signoff": _l("Leader sign-off"), "rating": _l("Awaiting rating"),
          "implementation": _l("Implementation"), "closing": _l("Being closed"), "closed": _l("Closed"),
          "rejected": _l("Not registered"), "merged": _l("Merged"), "withdrawn": _l("Withdrawn"),
          "cancelled": _l("Cancelled")}
BADGE = {"draft": "cancelled", "seconding": "open", "rating": "claimed", "extension": "claimed", "closed": "completed",
         "rejected": "error", "merged": "cancelled", "withdrawn": "cancelled", "cancelled": "cancelled"}
OUTCOME = {"registered": _l("Registered"), "converted": _l("Converted to an opinion"), "merged": _l("Merged"),
           "rejected": _l("Not registered"), "withdrawn": _l("Withdrawn")}
CATEGORY = {"teaching": _l("Teaching"), "research": _l("Research"), "welfare": _l("Staff rights and welfare"),
            "management": _l("Administration"), "campus": _l("Campus and services")}


class UnitNames:
    """Department names as the office keeps them (管理 → 单位), read once per request when a page asks:
    ``get(key, default)`` for any unit, active or not; ``items()`` the departments, for filters."""

    def _names(self) -> tuple[dict[str, str], list[tuple[str, str]]]:
        if "unit_names" not in g:
            with rt().reading() as session:
                g.unit_names = (unit_names(session),
                                [(u.key, u.name) for u in list_units(session, kind="department")])
        return g.unit_names

    def get(self, key: str | None, default: Any = None) -> Any:
        return self._names()[0].get(key or "", default)

    def items(self) -> list[tuple[str, str]]:
        return self._names()[1]


DEPARTMENT = UnitNames()
RATING = {"satisfied": _l("Satisfied"), "basic": _l("Basically satisfied"), "unsatisfied": _l("Not satisfied"),
          "none": _l("Not rated")}
REPLY_TYPE = {"adopted": _l("Adopted"), "planned": _l("Planned"), "not_adopted": _l("Cannot be adopted")}
FIELDS = ("title", "category", "cause", "analysis", "suggestion", "argument")
REPORT_LABELS = {"category": CATEGORY, "status": STATUS, "outcome": OUTCOME, "rating": RATING,
                 "reply_type": REPLY_TYPE}  # the handling report's files word these codes


@bp.app_context_processor
def labels() -> dict[str, Any]:
    """Label tables for the proposal and archive templates."""
    return {"p_status": STATUS, "p_badge": BADGE, "p_outcome": OUTCOME, "p_category": CATEGORY,
            "p_department": DEPARTMENT, "p_rating": RATING, "p_reply_type": REPLY_TYPE}


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    with rt().reading() as session:
        lists = cp.proposals_for(session, actor)
        congresses = congresses_of(session, actor)
        counts = {p.id: len(cp.active_cosigners(session, p.id)) for group in lists.values() for p in group}
        mine_delegate = [c for c in congresses if is_delegate(session, c.id, actor.username)]
        officials = [c for c in congresses if c not in mine_delegate or actor.is_supervisor]
        return render_template("proposals/index.html", lists=lists, counts=counts, congresses=congresses,
                               can_draft=bool(mine_delegate), officials=officials)


def _draft_form(congresses: list[Any], values: dict[str, Any], errors: dict[str, str],
                proposal: Any = None, status: int = 200, kept: bool = False):  # type: ignore[no-untyped-def]
    """The draft form; ``kept`` says the draft was saved although it could not be published."""
    return render_template("proposals/edit.html", congresses=congresses, values=values, errors=errors,
                           proposal=proposal, kept=kept), status


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int | None = None):  # type: ignore[no-untyped-def]
    actor = current_actor()
    with rt().reading() as session:
        congresses = [c for c in congresses_of(session, actor) if is_delegate(session, c.id, actor.username)]
        proposal = None
        if proposal_id is not None:
            proposal = cp.visible_proposal(session, actor, proposal_id)
            if proposal.status != "draft" or proposal.proposer != actor.username:
                abort(404)
            session.expunge(proposal)
    if not congresses:
        flash(_("Only congress delegates can write proposals."), "error")
        return redirect(url_for("proposals.index"))
    if request.method == "GET":
        values = {k: getattr(proposal, k) for k in FIELDS} if proposal else {}
        return _draft_form(congresses, values, {}, proposal)
    values = {k: request.form.get(k, "") for k in FIELDS}
    values["attachments"] = [a for a in request.form.get("attachments", "").splitlines() if a.strip()]
    congress_key = request.form.get("congress") or congresses[0].key
    publishing = request.form.get("action") == "publish"
    saved = None
    try:  # publishing checks the whole proposal before saving it, so one refusal names every field
        saved = cp.save_draft(rt(), actor, congress_key, values, proposal_id, complete=publishing)
        if publishing:
            case = cp.publish(rt(), actor, saved.id)
            flash(_("%(key)s published: delegates can now co-sign it.", key=case.business_key), "success")
        else:
            flash(_("Draft saved. Only you can see it until you publish it."), "success")
        return redirect(url_for("proposals.detail", proposal_id=saved.id))
    except DocketError as exc:
        errors = {str(d.get("field", "")): _field_message(d) for d in exc.details}
        refusal = _publish_refusal(exc.details) if publishing and exc.reason == "proposal_invalid" \
            else error_text(exc)
        # saved but not published (e.g. the session no longer collects proposals): the next try edits this draft
        return _draft_form(congresses, values, errors | {"": refusal}, saved or proposal, 422,
                           kept=saved is not None)


FIELD_MESSAGES = {"required": _l("This field is required."), "min_length": _l("This text is too short."),
                  "choice": _l("Choose one of the options.")}
FIELD_LABELS = {"title": _l("Title"), "category": _l("Category"), "cause": _l("Issue"), "analysis": _l("Analysis"),
                "suggestion": _l("Proposed solution"), "argument": _l("Feasibility")}


def _field_message(detail: dict[str, Any]) -> str:
    """A draft field's problem in the page's language, by the engine's machine code."""
    code = str(detail.get("code", ""))
    known = FIELD_MESSAGES.get(code)
    if known is not None:
        return str(known)
    return engine_field_message(code, str(detail.get("message", "")), detail.get("limit", ""))


def _publish_refusal(details: list[dict[str, Any]]) -> str:
    """Why a draft cannot be published yet: the fields to complete or correct, by their labels."""
    named = {str(d.get("field")) for d in details}
    fields = [str(label) for key, label in FIELD_LABELS.items() if key in named]  # in the form's order
    fields += sorted(named - set(FIELD_LABELS))
    return _("Before it can be published, complete or correct: %(fields)s.", fields=list_separator().join(fields))


@bp.get("/<int:proposal_id>")
@login_required
def detail(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = current_actor()
    with rt().reading() as session:
        p = cp.visible_proposal(session, actor, proposal_id)
        congress, term = congress_and_session(session, p)
        signers = cp.active_cosigners(session, p.id)
        case_visible = False
        if p.case_id:
            try:
                visible_case(session, actor, p.case_id)
                case_visible = True
            except DocketError:
                case_visible = False
        alike = similar(session, actor, f"{p.title} {p.suggestion}", exclude=p.id) \
            if p.proposer == actor.username and p.status in ("draft", "seconding") else []
        merged = merged_into(session, p)
        files = pa.list_attachments(session, actor, p.id)
        documents = case_documents(session, actor, p.case_id) if case_visible and p.case_id else []
        can_sign = (p.status == "seconding" and is_delegate(session, p.congress_id, actor.username)
                    and actor.username != p.proposer)
        problems = cp.publish_problems(p, congress) if p.status == "draft" else []
        return render_template("proposals/detail.html", p=p, congress=congress, term=term, signers=signers,
                               case_visible=case_visible, alike=alike, merged_into=merged,
                               can_sign=can_sign, signed=actor.username in signers, files=files,
                               documents=documents, can_attach=pa.may_attach(actor, p),
                               max_mb=MAX_BYTES // (1024 * 1024),
                               can_grade=bool(p.grade and f"dept:{p.lead_department}" in actor.groups),
                               names=display_names(session, [p.proposer, *(p.co_proposers or []), *signers,
                                                             *(f.uploaded_by for f in files)]),
                               needed=int(effective(congress, term)["min_cosigners"]),
                               unfinished=_publish_refusal(problems) if problems else "")


@bp.get("/<int:proposal_id>/print")
@login_required
def print_view(proposal_id: int):  # type: ignore[no-untyped-def]
    """The proposal as a one-page 提案表 for printing (whoever may read the proposal)."""
    actor = current_actor()
    with rt().reading() as session:
        p = cp.visible_proposal(session, actor, proposal_id)
        congress, term = congress_and_session(session, p)
        signers = cp.active_cosigners(session, p.id)
        files = pa.list_attachments(session, actor, p.id)
        return render_template("proposals/print.html", p=p, congress=congress, term=term, signers=signers,
                               files=files,
                               names=display_names(session, [p.proposer, *(p.co_proposers or []), *signers]))


def _command(proposal_id: int, fn: Any, done: str, *args: Any):  # type: ignore[no-untyped-def]
    try:
        fn(rt(), current_actor(), proposal_id, *args)
        flash(done, "success")
    except DocketError as exc:
        flash(error_text(exc), "error")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


@bp.post("/<int:proposal_id>/cosign")
@login_required
def cosign(proposal_id: int):  # type: ignore[no-untyped-def]
    return _command(proposal_id, cp.cosign, _("You have co-signed this proposal."))


@bp.post("/<int:proposal_id>/unsign")
@login_required
def unsign(proposal_id: int):  # type: ignore[no-untyped-def]
    return _command(proposal_id, cp.withdraw_signature, _("Your co-signature has been withdrawn."))


@bp.post("/<int:proposal_id>/grade")
@login_required
def grade(proposal_id: int):  # type: ignore[no-untyped-def]
    return _command(proposal_id, cp.update_grade, _("The implementation grade has been updated."),
                    request.form.get("grade", ""), request.form.get("grade_note", ""))


@bp.post("/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    return _command(proposal_id, cp.withdraw_proposal, _("The proposal has been withdrawn."),
                    request.form.get("reason", ""))


def _file_problem(exc: DocketError) -> str:
    """Why a file was refused, in the page's language (the checks of engine.inbox.attachments)."""
    code = str((exc.details or [{}])[0].get("code", ""))
    if exc.code == "conflict":
        return _("The proposal is finished or already holds the most files allowed.")
    words = {"type_not_allowed": _("This type of file is not allowed (PDF, Word, Excel, images or plain text)."),
             "empty": _("The file is empty."),
             "too_large": _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)),
             "content_mismatch": _("The file's content does not match its name's extension.")}
    if code in words:
        return words[code]
    return _("The file was not attached.")


@bp.post("/<int:proposal_id>/attachments")
@login_required
def attach(proposal_id: int):  # type: ignore[no-untyped-def]
    """Attach files to a proposal (its proposer, from the draft on)."""
    uploads = [u for u in request.files.getlist("file") if u and u.filename]
    if not uploads:
        flash(_("Choose a file to attach."), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal_id) + "#files")
    for upload in uploads:
        try:
            pa.attach(rt(), current_actor(), upload_directory(), proposal_id, upload.filename or "", upload.read())
        except DocketError as exc:
            if exc.code in ("forbidden", "not_found"):
                raise
            flash(_("%(name)s was not attached: %(reason)s", name=upload.filename, reason=_file_problem(exc)),
                  "error")
            return redirect(url_for("proposals.detail", proposal_id=proposal_id) + "#files")
    flash(_("Files attached."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id) + "#files")


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    """Download a proposal's file (whoever may read the proposal)."""
    with rt().reading() as session:
        row, path = pa.open_attachment(session, current_actor(), upload_directory(), attachment_id)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/attachments/<int:attachment_id>/remove")
@login_required
def remove_attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    """Take a file off a draft (back to the proposal, named by the form's ``proposal_id``)."""
    back = url_for("proposals.detail", proposal_id=request.form.get("proposal_id", 0, type=int)) + "#files"
    try:
        pa.remove_attachment(rt(), current_actor(), upload_directory(), attachment_id)
        flash(_("File removed."), "success")
    except DocketError as exc:
        if exc.code == "not_found":
            raise
        flash(_("Only the person who attached a file may remove it, and only from a draft."), "error")
    return redirect(back)


def _report_args() -> tuple[str | None, int | None, int | None]:
    return (request.args.get("congress") or None, request.args.get("session", type=int),
            request.args.get("year", type=int))


@bp.get("/statistics")
@login_required
def statistics():  # type: ignore[no-untyped-def]
    actor = current_actor()
    congress, term, year = _report_args()
    with rt().reading() as session:
        congresses = congresses_of(session, actor)
        if congress is None and congresses:
            congress = congresses[0].key
        data = report(session, actor, congress, term, year) if congresses else None
        sessions = sessions_of(session, congress)
        return render_template("proposals/statistics.html", data=data, congresses=congresses, chosen=congress,
                               sessions=sessions, term=term, year=year, charts=_charts(data) if data else {})


def _bars(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    top = max([v for _, v in rows] + [1])
    return [{"label": str(label), "value": v, "width": round(100 * v / top, 1)} for label, v in rows]


def _charts(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Bar lengths for the SVG charts (percent of the largest value)."""
    outcomes = [(OUTCOME[k], data[k]) for k in ("registered", "converted", "merged", "rejected", "withdrawn")]
    depts = [(DEPARTMENT.get(d["department"] or "", d["department"] or "—"), d["registered"])
             for d in data["by_department"]]
    cats = [(CATEGORY.get(c["category"] or "", c["category"] or "—"), c["submitted"]) for c in data["by_category"]]
    ratings = [(RATING[k], data[k]) for k in ("satisfied", "basic", "unsatisfied")]
    return {"outcomes": _bars(outcomes), "departments": _bars(depts), "categories": _bars(cats),
            "ratings": _bars(ratings)}


@bp.get("/statistics.<fmt>")
@login_required
def statistics_file(fmt: str):  # type: ignore[no-untyped-def]
    """The handling report as xlsx, CSV or DOCX, with the page's filters."""
    if fmt not in FORMATS:
        abort(404)
    congress = request.args.get("congress") or None
    with rt().reading() as session:
        data = report(session, current_actor(), congress, int_arg("session"), int_arg("year"))
    return report_response(data, fmt, f"proposals-report-{congress or 'all'}", REPORT_LABELS)


@bp.route("/duty", methods=["GET", "POST"])
@login_required
def duty():  # type: ignore[no-untyped-def]
    """The delegate's duty record; officials may look at another delegate's with ?user=."""
    actor = current_actor()
    who = request.args.get("user") or actor.username
    if request.method == "POST":
        try:
            when = date.fromisoformat(request.form.get("happened_on", ""))
        except ValueError:
            flash(_("Enter the date as YYYY-MM-DD."), "error")
            return redirect(url_for("proposals.duty", user=who))
        try:
            add_entry(rt(), actor, request.form.get("session_id", 0, type=int), request.form.get("kind", ""),
                      request.form.get("title", ""), when, who)
            flash(_("Entry added to the duty record."), "success")
        except DocketError as exc:
            flash(error_text(exc), "error")
        return redirect(url_for("proposals.duty", user=who))
    with rt().reading() as session:
        blocks = duty_record(session, actor, who)
        return render_template("proposals/duty.html", blocks=blocks, who=who,
                               name=display_names(session, [who]).get(who, who))


@bp.get("/duty.csv")
@login_required
def duty_csv():  # type: ignore[no-untyped-def]
    actor = current_actor()
    who = request.args.get("user") or actor.username
    with rt().reading() as session:
        text = duty_to_csv(who, duty_record(session, actor, who))
    return Response(text, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=duty-{who}.csv"})
