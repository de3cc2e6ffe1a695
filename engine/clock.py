"""The one clock of the engine: injectable so tests move time instead of sleeping.

Within one process, tests call ``clock.advance(...)``. Tests that run several processes (web workers
and schedulers) point them all at one file with ``DOCKET_CLOCK_FILE``: it holds an offset in seconds
that every process adds to real time (re-read at most twice a second). Never set it in production.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


class Clock:
    """Wall-clock time in UTC, with an offset that tests (and the demo) may shift."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._frozen: datetime | None = None
        self._file_offset = timedelta(0)
        self._file_read_at = 0.0

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self.offset + self._shared_offset()

    def _shared_offset(self) -> timedelta:
        path = os.environ.get("DOCKET_CLOCK_FILE")
        if not path:
            return timedelta(0)
        if time.monotonic() - self._file_read_at > 0.5:
            try:
                self._file_offset = timedelta(seconds=float(Path(path).read_text().strip() or 0))
            except (OSError, ValueError):
                self._file_offset = timedelta(0)
            self._file_read_at = time.monotonic()
        return self._file_offset

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
