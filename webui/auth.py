"""Login and logout for browser sessions (Flask-Login, hashed passwords, CSRF on the form)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, login_required, login_user, logout_user

from engine.access import Actor
from engine.users import TooManyAttempts, User, active_user, actor_for, authenticate

from .extensions import login_manager
from .runtime import rt

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
    with rt().reading() as session:
        user = active_user(session, int(user_id))
        return SessionUser(user) if user is not None else None


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    error, status = None, 200
    if request.method == "POST":
        try:
            with rt().transaction() as session:
                user = authenticate(session, request.form.get("username", ""), request.form.get("password", ""))
                found = SessionUser(user) if user else None
        except TooManyAttempts:
            found, status = None, 429
            error = _("Too many failed attempts. Please try again in 15 minutes.")
        if found is None and error is None:
            error, status = _("Wrong username or password."), 401
        elif found is not None:
            login_user(found)
            target = request.args.get("next", "")
            if not target or urlsplit(target).netloc or not target.startswith("/"):
                target = url_for("inbox.index")
            return redirect(target)
    return render_template("auth/login.html", error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash(_("You have signed out."))
    return redirect(url_for("auth.login"))
