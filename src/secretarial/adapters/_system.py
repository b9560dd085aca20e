"""The real clock and time-ordered ids."""

from __future__ import annotations

import os
import threading
import time
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Final

__all__ = ["SystemClock", "Uuid7Ids"]


class SystemClock:
    """The machine's clock, in UTC (the office converts to its own zone)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


_RANDOM_WORDS: Final = 256
_forks = [0]
"""Counts the forks this process went through (changed in the child)."""


def _forked() -> None:
    _forks[0] += 1


os.register_at_fork(after_in_child=_forked)


class Uuid7Ids:
    """Time-ordered UUIDv7 ids (RFC 9562), monotonic within the process.

    Time-ordered ids keep index inserts at the end of a B-tree, which makes bulk
    inserts into SQL stores markedly faster than random UUIDv4.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0
        self._random: Iterator[int] = iter(())
        """Random 64-bit words from the operating system, read 256 at a time."""
        self._generation = _forks[0]

    def __call__(self, kind: str) -> str:  # noqa: ARG002 -- ids do not depend on the kind
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
            word = next(self._random, None)
            if word is None or self._generation != _forks[0]:
                # Refill when used up, and in a forked child, which must not repeat
                # the random words its parent (or a sibling) goes on to use.
                self._generation = _forks[0]
                self._random = iter(array("Q", os.urandom(8 * _RANDOM_WORDS)))
                word = next(self._random)
        rand = word & ((1 << 62) - 1)
        value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def __repr__(self) -> str:
        return "Uuid7Ids()"
