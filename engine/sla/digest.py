"""E-mail: one digest per person per (local) day of the notifications they have not read or been mailed yet.

SMTP settings and sending are ``engine.mail``'s (shared with the ``email`` connector).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

import sqlalchemy as sa

from engine.clock import utcnow
from engine.mail import SmtpSettings, send_message, smtp_settings
from engine.models import Notification, User
from engine.workdays import LOCAL

from .models import Digest

if TYPE_CHECKING:
    from engine.runtime import Runtime

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)


def _message(smtp: SmtpSettings, user: User, items: list[Notification], day: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"Docket 每日提醒（{day}）：{len(items)} 条待关注事项"
    msg["From"] = smtp.sender
    msg["To"] = user.email
    lines = [f"{user.display_name}，您好：", "", f"以下 {len(items)} 条事项需要您关注：", ""]
    for n in items:
        lines.append(f"· {n.title}")
        if n.body:
            lines.append(f"  {n.body}")
        if n.link:
            lines.append(f"  {smtp.base_url}{n.link}")
    lines += ["", "—— Docket 工会事务系统（本邮件每天最多一封）"]
    msg.set_content("\n".join(lines))
    return msg


def send_digests(rt: Runtime, smtp: SmtpSettings | None = None) -> int:
    """Mail today's digest to everyone who has something new and has not had one today; returns mails sent."""
    smtp = smtp or smtp_settings()
    now = utcnow()
    local = now.astimezone(LOCAL)
    if smtp is None or local.hour < smtp.digest_hour:
        return 0
    day = local.date()
    with rt.reading() as session:
        pending = sa.select(Notification.username).where(
            Notification.emailed_at.is_(None), Notification.read_at.is_(None),
            Notification.created_at >= now - LOOKBACK).distinct()
        done = sa.select(Digest.username).where(Digest.day == day)
        users = list(session.scalars(sa.select(User).where(
            User.username.in_(pending), User.username.not_in(done), User.active.is_(True),
            User.email.is_not(None), User.email != "").order_by(User.username)))
    sent = 0
    for user in users:
        try:
            sent += _digest_for(rt, smtp, user, day, now)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("digest for %s not sent (will retry): %s", user.username, exc)
        except sa.exc.IntegrityError:
            continue  # another scheduler sent it first
    return sent


def _digest_for(rt: Runtime, smtp: SmtpSettings, user: User, day: date, now: datetime) -> int:
    with rt.transaction() as session:
        items = list(session.scalars(sa.select(Notification).where(
            Notification.username == user.username, Notification.emailed_at.is_(None),
            Notification.read_at.is_(None), Notification.created_at >= now - LOOKBACK).order_by(Notification.id)))
        if not items:
            return 0
        session.add(Digest(username=user.username, day=day, email=user.email, items=len(items), sent_at=now))
        session.flush()  # claims the day: a second scheduler fails here and skips
        for n in items:
            n.emailed_at = now
        session.flush()
        send_message(smtp, _message(smtp, user, items, day.isoformat()))
    return 1
