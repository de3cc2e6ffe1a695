"""Docket's web layer: Flask app factory. Pages and the JSON API call the engine; nothing else does."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, current_app, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import Settings
from engine.features import load_features
from engine.runtime import Runtime

from . import inputs, security
from .extensions import babel, csrf, login_manager

LOCALES = ("zh_CN", "en")


def _secret_key(settings: Settings) -> str:
    """The configured secret, else one kept in the instance folder (so sessions survive restarts)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.home / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def select_locale() -> str:
    """``?lang=en`` or ``?lang=zh_CN`` sticks for the session; Simplified Chinese is the default."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["lang"] = chosen
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(settings: Settings | None = None, runtime: Runtime | None = None,
               overrides: dict | None = None) -> Flask:
    """Create the web app for ``settings`` (from the environment by default)."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings), BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024, WTF_CSRF_TIME_LIMIT=None,
    )
    security.init_app(app, cookie_secure=settings.cookie_secure)
    inputs.init_app(app)
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)  # type: ignore[method-assign]
    app.config.update(overrides or {})
    load_features()
    app.extensions["docket"] = runtime or Runtime(settings.database_url)
    app.extensions["docket_settings"] = settings
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from . import (
        admin,
        archive,
        auth,
        business_keys,
        cases,
        designer,
        display,
        disputes,
        errors,
        failed,
        filters,
        inbox,
        notifications,
        ops,
        proposals,
        supervision,
        tasks,
    )
    from .api import bp as api_bp

    for module in (auth, inbox, tasks, cases, notifications, supervision, designer, proposals, archive, disputes,
                   ops, admin, failed):
        app.register_blueprint(module.bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    errors.register(app)
    filters.register(app)
    display.register(app)
    business_keys.register(app)
    ops.init_app(app)
    app.before_request(inputs.check_request)  # after the request id is set, before authentication
    return app
