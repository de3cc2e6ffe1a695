"""The ``email`` connector: one e-mail through the SMTP server of the settings (``DOCKET_SMTP_*``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa

from engine.behaviours import Param, behaviours
from engine.mail import send_message, smtp_settings
from engine.models import User

from .checking import CheckContext, Finding, text_fields_finding
from .reading import Parameter
from .runner import ConnectorCall, ConnectorError
from .values import names


def _addresses(call: ConnectorCall, to: Any) -> list[str]:
    wanted = names(to)
    usernames = [w for w in wanted if "@" not in w]
    found: dict[str, str | None] = {}
    if usernames:
        rows = call.session.execute(sa.select(User.username, User.email).where(User.username.in_(usernames)))
        found = {username: address for username, address in rows}
    out = []
    for item in wanted:
        if "@" in item:
            out.append(item)
        elif not found.get(item):
            raise ConnectorError(f"user '{item}' does not exist or has no e-mail address")
        else:
            out.append(found[item])
    return list(dict.fromkeys(out))


def check_email(params: dict[str, Parameter], context: CheckContext) -> list[Finding]:
    """Subject and body fields should be set somewhere in the process."""
    return text_fields_finding(params.get("subject"), context) + text_fields_finding(params.get("body"), context)


@behaviours.connector(
    "email",
    zh="经设置中的 SMTP 服务器发送一封邮件（收件人可为邮箱或用户名）；发送失败时案件进入错误状态，可重试。",
    doc="Send one e-mail to addresses or users (their e-mail address) through the SMTP server of the "
        "settings. The step fails (case in error, retry possible) when SMTP is not set up or refuses.",
    params=[
        Param("to", "e-mail addresses or usernames: a list or comma-separated text", required=True),
        Param("subject", "the subject line; {field} placeholders are filled from case data", required=True),
        Param("body", "the text of the mail; {field} placeholders are filled from case data", required=True),
    ],
    errors="SMTP not configured (DOCKET_SMTP_HOST); server unreachable or refusing; a user without an e-mail "
           "address",
    result='{"sent_to": [addresses]}',
    example_params={"to": "initiator", "subject": "'申请已受理：{business_key}'", "body": "'您好，您的申请已受理。'"},
    check=check_email,
)
def email_connector(call: ConnectorCall, to: Any = None, subject: str = "", body: str = "") -> dict[str, Any]:
    """Send the mail; returns the addresses it went to."""
    smtp = smtp_settings()
    if smtp is None:
        raise ConnectorError("e-mail is not set up (DOCKET_SMTP_HOST is empty)")
    recipients = _addresses(call, to)
    msg = EmailMessage()
    msg["Subject"] = call.fill(str(subject))
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(recipients)
    msg.set_content(call.fill(str(body)))
    try:
        send_message(smtp, msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise ConnectorError(f"the mail to {', '.join(recipients)} was not sent: SMTP server {smtp.host}:"
                             f"{smtp.port}: {exc}") from exc
    return {"sent_to": recipients}
