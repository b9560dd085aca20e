"""The real clock and time-ordered ids."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

from secretarial.domain import EntityKind

__all__ = ["SystemClock", "Uuid7Ids"]


class SystemClock:
    """The machine's clock, in UTC (the office converts to its own zone)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class Uuid7Ids:
    """Time-ordered UUIDv7 ids (RFC 9562), monotonic within the process.

    Time-ordered ids keep index inserts at the end of a B-tree, which makes bulk
    inserts into SQL stores markedly faster than random UUIDv4.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0

    def __call__(self, kind: EntityKind) -> str:  # noqa: ARG002 -- ids do not depend on the kind
        """A new id, e.g. ``0192f7a1-3c5e-7d4a-8b1f-2a9c4e6d8f00``."""
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                ms = self._last_ms
                self._counter += 1
                if self._counter >= 1 << 12:
                    ms += 1
                    self._counter = 0
            else:
                self._counter = 0
            self._last_ms = ms
            counter = self._counter
        rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def __repr__(self) -> str:
        return "Uuid7Ids()"
