"""Adapters at the edge: stores, the system clock, id factories, the broker sink."""

from typing import TYPE_CHECKING, Any

from ._china import CHINA_CALENDAR_ID, build_china_calendar, china_calendar
from ._holidays import holidays_calendar
from ._memory import MemoryStore
from ._memory_blobs import MemoryBlobs
from ._system import SystemClock, Uuid7Ids

if TYPE_CHECKING:
    from ._nats import NatsSink

__all__ = [
    "CHINA_CALENDAR_ID",
    "MemoryBlobs",
    "MemoryStore",
    "NatsSink",
    "SystemClock",
    "Uuid7Ids",
    "build_china_calendar",
    "china_calendar",
    "holidays_calendar",
]


def __getattr__(name: str) -> Any:
    # The broker sink loads asyncio and its extra only when it is asked for.
    if name == "NatsSink":
        from ._nats import NatsSink  # noqa: PLC0415

        return NatsSink
    raise AttributeError(name)
