"""Response hardening: security headers on every response, cookie flags, and the one safe-redirect helper.

- ``Content-Security-Policy``: scripts, styles, fonts, images and fetches from this app only; no inline
  script or style (templates load ``webui/static/*`` files), no plugins, no framing (``frame-ancestors 'none'``,
  and ``X-Frame-Options: DENY`` for older browsers), forms post only here.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``.
- One ``charset`` parameter in ``Content-Type`` (a ``text/*`` download named with its charset got two).
- The session cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` when ``DOCKET_COOKIE_SECURE`` is on.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, request, url_for

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_CHARSET = re.compile(r";\s*charset=[^;]*", re.IGNORECASE)
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """``target`` when it is a path on this site (``/inbox?x=1``), else ``fallback`` (default: the inbox).

    Refused: absolute and scheme-relative URLs (``https://evil``, ``//evil``), backslashes (``/\\evil``,
    which browsers read as ``//evil``), any whitespace or control character, and anything not starting
    with ``/``.
    """
    default = fallback or url_for("inbox.index")
    if not target or not target.startswith("/") or target.startswith("//") or _UNSAFE.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _one_charset(content_type: str) -> str:
    found = _CHARSET.findall(content_type)
    if len(found) <= 1:
        return content_type
    return _CHARSET.sub("", content_type) + found[0]


def add_headers(response: Response) -> Response:
    """Set the security headers (without overriding a view's own) and tidy ``Content-Type``."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.content_type:
        response.headers["Content-Type"] = _one_charset(response.content_type)
    return response


def init_app(app: Flask, cookie_secure: bool) -> None:
    """Cookie flags from the settings and the headers on every response of ``app``."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=cookie_secure, REMEMBER_COOKIE_HTTPONLY=True,
                      REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=cookie_secure)
    app.after_request(add_headers)


def client_address() -> str:
    """The caller's address as the WSGI server (or ``DOCKET_PROXY_COUNT`` trusted proxies) reports it."""
    return (request.remote_addr or "unknown")[:64]
