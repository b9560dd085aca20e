"""Helpers for testing code that embeds :mod:`secretarial`: a frozen clock, predictable ids.

>>> from datetime import datetime, timedelta, timezone
>>> clock = FrozenClock(datetime(2025, 9, 26, 9, 0, tzinfo=timezone.utc))
>>> clock.advance(timedelta(hours=1)).hour
10
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from secretarial._registry import builtin_registry
from secretarial.errors import UsageError
from secretarial.office import Office

__all__ = ["FrozenClock", "SequentialIds", "memory_office"]


class FrozenClock:
    """A clock that stands still until told to move.

    Args:
        start: The time it shows; must be timezone-aware.
    """

    def __init__(self, start: datetime) -> None:
        self._now = self._aware(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The time the clock shows."""
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Show ``moment`` from now on (it may be earlier: a clock in a test may go back)."""
        with self._lock:
            self._now = self._aware(moment)
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)``; return the new time."""
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now += step
            return self._now

    def to_day(self, day: date, at: time = time(9, 0), tz: tzinfo | None = None) -> datetime:
        """Move to ``at`` o'clock on ``day`` (in ``tz``, or the clock's current zone)."""
        zone = tz if tz is not None else self._now.tzinfo
        return self.set(datetime.combine(day, at, tzinfo=zone))

    @staticmethod
    def _aware(moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise UsageError(f"FrozenClock needs a timezone-aware datetime, got {moment!r}")
        return moment

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()})"


class SequentialIds:
    """Ids that read well in tests: ``in-1``, ``out-2``, ``sup-3`` ... (one counter for all).

    Each kind's prefix is its area's ``id_prefix``: the built-in areas' unless given, and
    those of the office's other areas (a plugin's) when the office is made. A kind no
    prefix names is prefixed with its own name.

    Args:
        start: The first number.
        prefixes: The prefix of each kind; the built-in areas' if omitted.
    """

    def __init__(self, start: int = 1, *, prefixes: Mapping[str, str] | None = None) -> None:
        self.prefixes: dict[str, str] = (
            dict(prefixes)
            if prefixes is not None
            else {area.kind.value: area.id_prefix for area in builtin_registry()}
        )
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def use_prefixes(self, prefixes: Mapping[str, str]) -> None:
        """Take the prefixes of kinds not given when made (an office's plugin kinds)."""
        self.prefixes = {**prefixes, **self.prefixes}

    def __call__(self, kind: str) -> str:
        """The next id for ``kind``."""
        with self._lock:
            n = next(self._counter)
        return f"{self.prefixes.get(kind, str(kind))}-{n}"


def memory_office(
    start: datetime | None = None, *, timezone: str | tzinfo = "Asia/Shanghai", **kwargs: Any
) -> tuple[Office, FrozenClock]:
    """An in-memory office on a frozen clock with sequential ids; returns both.

    ``start`` defaults to 2025-09-26 09:00 in the office's zone.
    """
    office = Office.in_memory(
        clock=(clock := FrozenClock(start or datetime(2025, 9, 26, 1, 0, tzinfo=UTC))),
        ids=kwargs.pop("ids", SequentialIds()),
        timezone=timezone,
        **kwargs,
    )
    return office, clock
