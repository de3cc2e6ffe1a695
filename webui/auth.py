"""Sign-in and sign-out for browser sessions (Flask-Login, hashed passwords, CSRF on the form), and the
administrators' page of sign-in locks (``/signin-locks``: who is throttled from where, with an unlock button).

Failed sign-ins are throttled by ``engine.signin`` per (username, client address) and per address; a locked
attempt is answered 429 with ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, login_required, login_user, logout_user

from engine.access import Actor
from engine.clock import utcnow
from engine.signin import TooManyAttempts, current_locks, lock_json, unlock
from engine.users import User, active_user, actor_for, authenticate

from .extensions import login_manager
from .runtime import current_actor, rt
from .security import client_address, safe_next

bp = Blueprint("auth", __name__)


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login sees it: id, display name and the engine actor."""

    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.username = user.username
        self.display_name = user.display_name
        self.actor: Actor = actor_for(user)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit() or len(user_id) > 9:
        return None
    with rt().reading() as session:
        user = active_user(session, int(user_id))
        return SessionUser(user) if user is not None else None


def wait_text(seconds: int) -> str:
    """How long to wait, in the page's language."""
    if seconds < 60:
        return _("%(n)s seconds", n=seconds)
    return _("%(n)s minutes", n=(seconds + 59) // 60)


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    error, status, headers = None, 200, {}
    if request.method == "POST":
        try:
            with rt().transaction() as session:
                user = authenticate(session, request.form.get("username", ""), request.form.get("password", ""),
                                    client_address())
                found = SessionUser(user) if user else None
        except TooManyAttempts as exc:
            found, status = None, 429
            headers["Retry-After"] = str(exc.retry_after)
            error = _("Too many failed sign-ins from here. Please try again in %(wait)s.",
                      wait=wait_text(exc.retry_after))
        if found is None and error is None:
            error, status = _("Wrong username or password."), 401
        elif found is not None:
            login_user(found)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error), status, headers


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash(_("You have signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/signin-locks", methods=["GET"])
@login_required
def signin_locks():  # type: ignore[no-untyped-def]
    """Administrators: the usernames and addresses whose sign-in is paused right now."""
    actor = current_actor()
    if not actor.is_admin:
        abort(403)
    with rt().reading() as session:
        locks = [lock_json(row) for row in current_locks(session, actor, utcnow())]
    return render_template("auth/locks.html", locks=locks)


@bp.route("/signin-locks/unlock", methods=["POST"])
@login_required
def signin_unlock():  # type: ignore[no-untyped-def]
    """Administrators: lift the locks of a username (everywhere) or of an address."""
    actor = current_actor()
    if not actor.is_admin:
        abort(403)
    username, address = request.form.get("username", "").strip(), request.form.get("address", "").strip()
    with rt().transaction() as session:
        unlock(session, actor, utcnow(), username or None, address or None)
    flash(_("Sign-in unlocked: %(who)s", who=username or address), "success")
    return redirect(url_for("auth.signin_locks"))
