"""Access to the engine runtime and the signed-in actor from request code."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from engine.access import Actor
from engine.inbox.attachments import uploads_dir
from engine.runtime import Runtime


def rt() -> Runtime:
    return current_app.extensions["docket"]


def current_actor() -> Actor:
    return current_user.actor


def upload_directory():  # type: ignore[no-untyped-def]
    """Where uploaded files (comment and proposal attachments) are kept: under the instance's home."""
    return uploads_dir(current_app.extensions["docket_settings"].home)
