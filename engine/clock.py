"""The one clock of the engine: injectable so tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC, with an offset that tests (and the demo) may shift."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move time forward (or back) by ``delta``."""
        if self._frozen is not None:
            self._frozen += delta
        else:
            self.offset += delta

    def freeze(self, at: datetime) -> None:
        """Stop time at ``at`` (timezone-aware)."""
        self._frozen = at.astimezone(UTC)

    def unfreeze(self) -> None:
        self._frozen = None


clock = Clock()


def utcnow() -> datetime:
    """Shorthand for ``clock.now()``."""
    return clock.now()
