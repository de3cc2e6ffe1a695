"""The public proposal archive (提案库): search and read registered proposals with their replies and ratings.
Signed-in staff read the congresses whose archive is open to staff; anyone reads the public ones."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from engine.access import Actor
from engine.congress.archive import readable_congresses, search
from engine.congress.reading import archive_choices, archived_proposal, congress_and_session
from engine.users import display_names

from .runtime import current_actor, rt

bp = Blueprint("archive", __name__, url_prefix="/archive")


def _actor() -> Actor | None:
    return current_actor() if current_user.is_authenticated else None


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    actor = _actor()
    args = request.args
    with rt().reading() as session:
        readable = readable_congresses(session, actor)
        if actor is None and not readable:
            return redirect(url_for("auth.login", next=request.full_path))
        found = search(session, actor, q=args.get("q", ""), congress=args.get("congress") or None,
                       session_id=args.get("session", type=int), category=args.get("category") or None,
                       department=args.get("department") or None, status=args.get("status") or None,
                       page=args.get("page", 1, type=int))
        congresses, sessions = archive_choices(session, actor)
        names = {c.id: c.name for c in congresses}
        return render_template("archive/index.html", found=found, args=args, congresses=congresses,
                               sessions=sessions, names=names)


@bp.get("/<int:proposal_id>")
def detail(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = _actor()
    with rt().reading() as session:
        p = archived_proposal(session, actor, proposal_id)
        if p is None:
            if actor is None:
                return redirect(url_for("auth.login", next=request.full_path))
            abort(404)
        congress, term = congress_and_session(session, p)
        return render_template("archive/detail.html", p=p, congress=congress, term=term,
                               names=display_names(session, [p.proposer, *(p.co_proposers or [])]))
