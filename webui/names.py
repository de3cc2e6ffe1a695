"""People and groups by name on pages: a username or group key becomes the name people know.

Both tables are read once per request (they are small) and kept on ``flask.g``.
"""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

from engine.queries import group_names
from engine.users import all_display_names

from .language import list_separator
from .runtime import rt

MACHINES = {"system": _l("System"), "scheduler": _l("Scheduler")}  # who acts when no person does


def _names() -> tuple[dict[str, str], dict[str, str]]:
    if "docket_names" not in g:
        with rt().reading() as session:
            g.docket_names = (all_display_names(session), group_names(session))
    return g.docket_names


def person(username: str | None) -> str:
    """The display name of ``username`` (the username itself when nobody has it; empty for none)."""
    if not username:
        return ""
    if username in MACHINES and username not in _names()[0]:
        return str(MACHINES[username])
    return _names()[0].get(username, username)


def known_people() -> dict[str, str]:
    """username -> display name of everyone."""
    return _names()[0]


def group_label(key: str | None) -> str:
    """The name of group ``key`` (the key itself when no group has it)."""
    if not key:
        return ""
    return _names()[1].get(key, key)


def groups_label(keys: list[str] | None) -> str:
    """Group names joined as the page's language joins a list."""
    return list_separator().join(group_label(k) for k in keys or [])
