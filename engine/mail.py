"""Sending e-mail over SMTP: the settings from the environment and one function that delivers a message.

``DOCKET_SMTP_HOST`` (no host: no mail), ``DOCKET_SMTP_PORT`` (25), ``DOCKET_SMTP_FROM``,
``DOCKET_SMTP_USER`` / ``DOCKET_SMTP_PASSWORD``, ``DOCKET_SMTP_STARTTLS`` (``1``), ``DOCKET_BASE_URL`` (for
links) and ``DOCKET_DIGEST_HOUR`` (local hour from which the day's digest goes, 8). The daily digest and the
``email`` connector both send through :func:`send_message`.
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "docket@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    base_url: str = ""
    digest_hour: int = 8


def smtp_settings() -> SmtpSettings | None:
    """The SMTP settings from the environment, or None when no host is configured."""
    host = os.environ.get("DOCKET_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpSettings(
        host=host, port=int(os.environ.get("DOCKET_SMTP_PORT", "25")),
        sender=os.environ.get("DOCKET_SMTP_FROM", "docket@localhost"),
        user=os.environ.get("DOCKET_SMTP_USER") or None, password=os.environ.get("DOCKET_SMTP_PASSWORD") or None,
        starttls=os.environ.get("DOCKET_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        base_url=os.environ.get("DOCKET_BASE_URL", "").rstrip("/"),
        digest_hour=int(os.environ.get("DOCKET_DIGEST_HOUR", "8")),
    )


def send_message(smtp: SmtpSettings, msg: EmailMessage) -> None:
    """Deliver ``msg`` (its ``From`` defaults to the configured sender).

    :raises smtplib.SMTPException: the server refused the message or the login.
    :raises OSError: the server cannot be reached (within 30 seconds).
    """
    if not msg["From"]:
        msg["From"] = smtp.sender
    with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS) as conn:
        if smtp.starttls:
            conn.starttls()
        if smtp.user:
            conn.login(smtp.user, smtp.password or "")
        conn.send_message(msg)
