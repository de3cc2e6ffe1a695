"""Sign-in throttling: failed sign-ins slow down one (username, client address) pair with growing delays, and
one client address across all usernames — never a username on its own, so strangers elsewhere cannot lock
a person out before a meeting.

- Pair: the first ``FREE_FAILURES`` failures cost nothing; each further one locks the pair for
  ``2 ** (failures - FREE_FAILURES)`` seconds (2 s, 4 s, 8 s, …), at most ``MAX_DELAY``. The count is forgotten
  after ``PAIR_MEMORY`` without a failure, and at the pair's next successful sign-in.
- Address: ``ADDRESS_LIMIT`` failures within ``ADDRESS_WINDOW`` (any usernames) lock the address for
  ``ADDRESS_LOCK``.
- Every lock is an audit event (``signin_locked``); an administrator lifts locks (``signin_unlocked``).
A locked attempt is refused before the password is looked at (HTTP 429 with ``Retry-After``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from .access import Actor
from .errors import DocketError, Forbidden, Invalid
from .models import Base, Event

FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
PAIR_MEMORY = timedelta(hours=1)
ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(minutes=15)
ADDRESS_LOCK = timedelta(minutes=15)
PAIR, ADDRESS = "pair", "address"


class SigninThrottle(Base):
    """Failed sign-ins of one (username, address) pair (``scope`` pair) or one address (``scope`` address,
    username empty), and until when that pair or address is refused."""

    __tablename__ = "signin_throttle"

    scope: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    address: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    first_failure_at: so.Mapped[datetime]
    last_failure_at: so.Mapped[datetime]
    locked_until: so.Mapped[datetime | None] = so.mapped_column(index=True)


class TooManyAttempts(DocketError):
    """Sign-in from this address (for this username) is paused; ``retry_after`` says for how many seconds."""

    code = "too_many_requests"
    retry_after: int = 1


def _key(scope: str, username: str, address: str) -> tuple[str, str, str]:
    return scope, (username[:64] if scope == PAIR else ""), address[:64]


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def check(session: so.Session, username: str, address: str, now: datetime) -> None:
    """Refuse (TooManyAttempts) while the pair or the address is locked; reads only."""
    keys = [_key(PAIR, username, address), _key(ADDRESS, username, address)]
    until = session.scalar(
        sa.select(sa.func.max(SigninThrottle.locked_until))
        .where(sa.tuple_(SigninThrottle.scope, SigninThrottle.username, SigninThrottle.address).in_(keys),
               SigninThrottle.locked_until > now))
    if until is not None:
        error = TooManyAttempts(f"too many failed sign-ins from {address}; try again in "
                                f"{_seconds(until - now)} seconds")
        error.retry_after = _seconds(until - now)
        raise error


def _row(session: so.Session, key: tuple[str, str, str], now: datetime) -> SigninThrottle:
    """The row of ``key``, created if missing (safe under concurrent sign-ins) and locked for update."""
    values = {"scope": key[0], "username": key[1], "address": key[2], "failures": 0,
              "first_failure_at": now, "last_failure_at": now}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(SigninThrottle).values(**values).on_conflict_do_nothing())
    return session.get(SigninThrottle, key, with_for_update=True, populate_existing=True)


def _lock(session: so.Session, row: SigninThrottle, until: datetime, now: datetime) -> None:
    row.locked_until = until
    session.add(Event(case_id=None, actor=None, kind="signin_locked", at=now, data={
        "scope": row.scope, "username": row.username or None, "address": row.address,
        "failures": row.failures, "until": until.isoformat()}))


def failed(session: so.Session, username: str, address: str, now: datetime) -> None:
    """Count a failed sign-in against the pair and the address; lock them when their limits are reached."""
    pair = _row(session, _key(PAIR, username, address), now)
    if now - pair.last_failure_at > PAIR_MEMORY:
        pair.failures, pair.first_failure_at = 0, now
    pair.failures += 1
    pair.last_failure_at = now
    if pair.failures > FREE_FAILURES:
        delay = min(MAX_DELAY, timedelta(seconds=2 ** min(pair.failures - FREE_FAILURES, 20)))
        _lock(session, pair, now + delay, now)
    place = _row(session, _key(ADDRESS, username, address), now)
    if now - place.first_failure_at > ADDRESS_WINDOW:
        place.failures, place.first_failure_at = 0, now
    place.failures += 1
    place.last_failure_at = now
    if place.failures >= ADDRESS_LIMIT and not (place.locked_until and place.locked_until > now):
        _lock(session, place, now + ADDRESS_LOCK, now)


def succeeded(session: so.Session, username: str, address: str) -> None:
    """Forget the pair's failures after a successful sign-in."""
    scope, name, place = _key(PAIR, username, address)
    session.execute(sa.delete(SigninThrottle).where(
        SigninThrottle.scope == scope, SigninThrottle.username == name, SigninThrottle.address == place))


def lock_json(row: SigninThrottle) -> dict[str, Any]:
    return {"username": row.username or None, "address": row.address, "failures": row.failures,
            "locked_until": row.locked_until.isoformat() if row.locked_until else None}


def current_locks(session: so.Session, actor: Actor, now: datetime) -> list[SigninThrottle]:
    """The pairs and addresses refused right now, longest lock first (administrators only)."""
    if not actor.is_admin:
        raise Forbidden("only administrators see sign-in locks")
    return list(session.scalars(sa.select(SigninThrottle).where(SigninThrottle.locked_until > now)
                                .order_by(SigninThrottle.locked_until.desc(), SigninThrottle.username)))


def unlock(session: so.Session, actor: Actor, now: datetime, username: str | None = None,
           address: str | None = None) -> int:
    """Lift the locks and forget the failures of ``username`` (at every address) and/or ``address`` (its own
    limit and every pair there); returns how many were lifted. Administrators only; audited."""
    if not actor.is_admin:
        raise Forbidden("only administrators lift sign-in locks")
    if not username and not address:
        raise Invalid("name a username or an address to unlock",
                      [{"field": "username", "message": "a username or an address is required"}])
    match = []
    if username:
        match.append(sa.and_(SigninThrottle.scope == PAIR, SigninThrottle.username == username[:64]))
    if address:
        match.append(SigninThrottle.address == address[:64])
    rows = list(session.scalars(sa.select(SigninThrottle).where(sa.or_(*match))))
    lifted = sum(1 for r in rows if r.locked_until and r.locked_until > now)
    for row in rows:
        session.delete(row)
    session.add(Event(case_id=None, actor=actor.username, kind="signin_unlocked", at=now,
                      data={"username": username or None, "address": address or None, "lifted": lifted}))
    return lifted
